"""Casework API: court (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
