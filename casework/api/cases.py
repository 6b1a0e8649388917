"""Casework API: cases."""

urlpatterns: list = []


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
