urlpatterns: list = []  # filled in by the feature


def register(router) -> None:
    pass
