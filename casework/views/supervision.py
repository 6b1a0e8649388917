"""Casework pages: supervision (in progress)."""

urlpatterns: list = []
