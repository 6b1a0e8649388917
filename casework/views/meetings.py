"""Casework pages: meetings (in progress)."""

urlpatterns: list = []
