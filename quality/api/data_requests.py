"""ORE data requests: data_requests API (in progress)."""

urlpatterns: list = []


def register(router) -> None:
    pass
