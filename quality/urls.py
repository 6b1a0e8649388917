"""Quality pages. Each feature module under quality/views/ lists its own routes."""

from django.urls import path

from agency.views import workspace_coming_soon
from quality.views import acr, dashboard, events, reviews, sqr

app_name = "quality"
urlpatterns = [
    *dashboard.urlpatterns,
    *events.urlpatterns,
    *reviews.urlpatterns,
    *acr.urlpatterns,
    *sqr.urlpatterns,
    path("data-requests/", workspace_coming_soon("data_requests"), name="data_requests"),
]
