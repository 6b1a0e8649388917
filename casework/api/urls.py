"""The casework API under /api/casework/. Each feature module registers its viewsets on
the shared router and may add plain routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from casework.api import assessments, cases, intake, people, placements, plans, visits

router = DefaultRouter()
for module in (cases, intake, people, visits, assessments, placements, plans):
    module.register(router)

urlpatterns = [
    *cases.urlpatterns,
    *intake.urlpatterns,
    *people.urlpatterns,
    *visits.urlpatterns,
    *assessments.urlpatterns,
    *placements.urlpatterns,
    *plans.urlpatterns,
    path("", include(router.urls)),
]
