"""ORE data requests: the request pages (in progress)."""

from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns = [
    path("data-requests/", workspace_coming_soon("data_requests"), name="data_requests"),
    # Every member of staff: the requests they made to ORE, and a new one.
    path("data-requests/mine/", workspace_coming_soon("data_requests"), name="my_data_requests"),
]
