from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from agency.api import views

router = DefaultRouter()
router.register("agency/regions", views.RegionViewSet, basename="region")
router.register("agency/work-locations", views.WorkLocationViewSet, basename="worklocation")
router.register("agency/units", views.UnitViewSet, basename="unit")
router.register("calendar/closure-days", views.ClosureDayViewSet, basename="closureday")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("calendar/deadline/", views.deadline, name="api-deadline"),
    path("casework/", include("casework.api.urls")),
    path("ombudsman/", include("ombudsman.api.urls")),
    path("quality/", include("quality.api.urls")),
    path("coop/", include("coop.api.urls")),
    path("", include(router.urls)),
]
