from django.urls import path

from agency.views import workspace_coming_soon

app_name = "ombudsman"
urlpatterns = [
    path("", workspace_coming_soon("ombudsman"), name="queue"),
]
