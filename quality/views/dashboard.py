"""Quality pages: the key-indicator dashboards."""

from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns: list = [path("", workspace_coming_soon("dashboard"), name="dashboard")]
