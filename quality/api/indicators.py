"""The quality API: indicators."""

urlpatterns: list = []


def register(router) -> None:
    """Register this module's viewsets on the quality API router."""
