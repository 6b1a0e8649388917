"""Casework pages: people."""

urlpatterns: list = []
