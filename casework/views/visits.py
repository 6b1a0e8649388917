"""Casework pages: visits."""

urlpatterns: list = []
