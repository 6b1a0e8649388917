"""Casework pages: court (in progress)."""

urlpatterns: list = []
