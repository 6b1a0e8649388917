"""COOP pages. Each module under coop/views/ lists its own routes."""

from coop.views import duties, plans, registry

app_name = "coop"
urlpatterns = [
    # OPM's registry (an area administrator is shown their own plan there).
    *registry.urlpatterns,
    # Every member of staff: the plan of the location they work at (my-location/).
    *plans.urlpatterns,
    *duties.urlpatterns,
]
