from django.urls import path

from agency.views import workspace_coming_soon

app_name = "casework"
urlpatterns = [
    path("", workspace_coming_soon("casework"), name="caseload"),
]
