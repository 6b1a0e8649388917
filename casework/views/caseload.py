"""Casework pages: the caseload and the supervisor's workspace."""

from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns: list = [
    path("", workspace_coming_soon("casework"), name="caseload"),
]
