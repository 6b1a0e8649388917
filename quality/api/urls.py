"""The quality API under /api/quality/. Each feature module registers its viewsets on
the shared router and may add plain routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from quality.api import data_catalog, data_requests, events, indicators, reviews, sqr

router = DefaultRouter()
for module in (indicators, events, reviews, sqr, data_requests, data_catalog):
    module.register(router)

urlpatterns = [
    *indicators.urlpatterns,
    *events.urlpatterns,
    *reviews.urlpatterns,
    *sqr.urlpatterns,
    *data_requests.urlpatterns,
    *data_catalog.urlpatterns,
    path("", include(router.urls)),
]
