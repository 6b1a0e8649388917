"""Ombudsman pages. Each module under ombudsman/views/ lists its own routes."""

from ombudsman.views import consultations, inquiries, public, queue, reports

app_name = "ombudsman"
urlpatterns = [
    *queue.urlpatterns,
    *inquiries.urlpatterns,
    *consultations.urlpatterns,
    *reports.urlpatterns,
    *public.urlpatterns,
]
