"""Casework pages: providers (in progress)."""

urlpatterns: list = []
