"""Casework API: transfers (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
