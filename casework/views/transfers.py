"""Casework pages: transfers (in progress)."""

urlpatterns: list = []
