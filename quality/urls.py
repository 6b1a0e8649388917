"""Quality pages. Each feature module under quality/views/ lists its own routes."""

from quality.views import acr, dashboard, data_catalog, data_requests, events, reviews, sqr

app_name = "quality"
urlpatterns = [
    *dashboard.urlpatterns,
    *events.urlpatterns,
    *reviews.urlpatterns,
    *acr.urlpatterns,
    *sqr.urlpatterns,
    *data_requests.urlpatterns,
    *data_catalog.urlpatterns,
]
