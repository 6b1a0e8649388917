"""ORE data requests: data_catalog API (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
