"""The COOP registry's API under /api/coop/ (see coop/api/views.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from coop.api import views

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="coop-plan")
router.register("duties", views.QuarterlyDutiesViewSet, basename="coop-duties")

urlpatterns = [path("", include(router.urls))]
