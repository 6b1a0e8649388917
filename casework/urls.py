"""Casework pages. Each feature module under casework/views/ lists its own routes."""

from casework.views import caseload, cases, intake, people, visits

app_name = "casework"
urlpatterns = [
    *caseload.urlpatterns,
    *cases.urlpatterns,
    *intake.urlpatterns,
    *people.urlpatterns,
    *visits.urlpatterns,
]
