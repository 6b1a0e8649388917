from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns: list = [
    path("inquiries/<int:pk>/", workspace_coming_soon("ombudsman"), name="inquiry")  # to build
]
