"""The quality API under /api/quality/. Each feature module registers its viewsets on
the shared router and may add plain routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from quality.api import events, indicators, reviews, sqr

router = DefaultRouter()
for module in (indicators, events, reviews, sqr):
    module.register(router)

urlpatterns = [
    *indicators.urlpatterns,
    *events.urlpatterns,
    *reviews.urlpatterns,
    *sqr.urlpatterns,
    path("", include(router.urls)),
]
