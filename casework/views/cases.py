"""Casework pages: cases."""

urlpatterns: list = []
