from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    """Django's username/password backend, loading the staff profile with the user:
    every page needs the role (navigation, workspace checks), so this saves a query on
    each request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("staff")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
