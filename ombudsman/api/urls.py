"""The Ombudsman API under /api/ombudsman/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ombudsman.api import inquiries

router = DefaultRouter()
inquiries.register(router)

urlpatterns = [
    *inquiries.urlpatterns,
    path("", include(router.urls)),
]
