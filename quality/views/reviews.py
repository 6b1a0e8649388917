"""Quality pages: case reviews."""

from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns: list = [path("reviews/", workspace_coming_soon("reviews"), name="reviews")]
