"""Casework pages. Each feature module under casework/views/ lists its own routes."""

from casework.views import (
    assessments,
    caseload,
    cases,
    intake,
    people,
    placements,
    plans,
    visits,
)

app_name = "casework"
urlpatterns = [
    *caseload.urlpatterns,
    *cases.urlpatterns,
    *intake.urlpatterns,
    *people.urlpatterns,
    *visits.urlpatterns,
    *assessments.urlpatterns,
    *placements.urlpatterns,
    *plans.urlpatterns,
]
