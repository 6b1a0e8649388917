from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class StaffModelBackend(ModelBackend):
    """Django's username/password backend, loading the staff profile with the user:
    every page needs the role (navigation, workspace checks), so this saves a query on
    each request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("staff")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """The user's model permissions, their own and their groups', in one query
        (Django's backend reads the two apart), kept on the user for the request."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            links = type(user_obj)
            group_ids = links.groups.through.objects.filter(user_id=user_obj.pk)
            via_groups = Permission.group_set.through.objects.filter(
                group_id__in=group_ids.values("group_id")
            )
            direct = links.user_permissions.through.objects.filter(user_id=user_obj.pk)
            names = Permission.objects.filter(
                Q(pk__in=via_groups.values("permission_id"))
                | Q(pk__in=direct.values("permission_id"))
            ).values_list("content_type__app_label", "codename")
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in names}
        return user_obj._perm_cache
