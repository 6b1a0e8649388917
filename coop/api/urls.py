"""The COOP registry's API under /api/coop/ (filled in by the COOP registry work)."""

urlpatterns: list = []
