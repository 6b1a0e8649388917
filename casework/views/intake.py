"""Casework pages: intake."""

urlpatterns: list = []
