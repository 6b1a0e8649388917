from django.urls import path

from agency.views import workspace_coming_soon

app_name = "quality"
urlpatterns = [
    path("", workspace_coming_soon("dashboard"), name="dashboard"),
    path("reviews/", workspace_coming_soon("reviews"), name="reviews"),
    path("data-requests/", workspace_coming_soon("data_requests"), name="data_requests"),
]
