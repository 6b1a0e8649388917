"""Casework pages: documents (in progress)."""

urlpatterns: list = []
