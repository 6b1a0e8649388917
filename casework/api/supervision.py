"""Casework API: supervision (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
