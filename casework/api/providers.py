"""Casework API: providers (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
