"""Quality pages: Special Qualitative Reviews (confidential)."""

urlpatterns: list = []
