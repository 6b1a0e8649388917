"""Quality pages: events."""

urlpatterns: list = []
