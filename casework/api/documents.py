"""Casework API: documents (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
