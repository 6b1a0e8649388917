"""ORE data requests: data_catalog pages (in progress)."""

urlpatterns: list = []
