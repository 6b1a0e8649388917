urlpatterns: list = []  # filled in by the feature
