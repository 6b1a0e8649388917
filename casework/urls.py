"""Casework pages. Each feature module under casework/views/ lists its own routes."""

from casework.views import (
    assessments,
    caseload,
    cases,
    court,
    documents,
    intake,
    meetings,
    people,
    placements,
    plans,
    providers,
    supervision,
    transfers,
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
    *supervision.urlpatterns,
    *meetings.urlpatterns,
    *court.urlpatterns,
    *documents.urlpatterns,
    *transfers.urlpatterns,
    *providers.urlpatterns,
]
