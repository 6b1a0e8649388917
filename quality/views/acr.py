"""Quality pages: acr."""

urlpatterns: list = []
