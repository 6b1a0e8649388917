"""The quality API: Special Qualitative Reviews (confidential)."""

urlpatterns: list = []


def register(router) -> None:
    """Register this module's viewsets on the quality API router."""
