from django.urls import path

from agency.views import workspace_coming_soon

app_name = "coop"
urlpatterns = [
    path("", workspace_coming_soon("coop"), name="registry"),
    # Every member of staff: the plan of the location they work at.
    path("my-location/", workspace_coming_soon("coop"), name="my_plan"),
]
