from django.urls import path

from agency.views import workspace_coming_soon

urlpatterns: list = [
    path("consultations/<int:pk>/", workspace_coming_soon("ombudsman"), name="consultation")
]  # to build
