"""The casework API under /api/casework/. Each feature module registers its viewsets on
the shared router and may add plain routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from casework.api import (
    assessments,
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

FEATURES = (
    cases, intake, people, visits, assessments, placements, plans,
    supervision, meetings, court, documents, transfers, providers,
)  # fmt: skip

router = DefaultRouter()
for module in FEATURES:
    module.register(router)

urlpatterns = [
    *(pattern for module in FEATURES for pattern in module.urlpatterns),
    path("", include(router.urls)),
]
