"""Casework API: meetings (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
