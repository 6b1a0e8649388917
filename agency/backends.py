import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


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
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                names = cursor.fetchall()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in names}
        return user_obj._perm_cache


@functools.cache
def _permissions_sql() -> str:
    """The SQL of a user's model permissions, their own and their groups' (parameters:
    the user's id, twice). Written out rather than built with the ORM: it runs on every
    page, and composing and compiling the three subqueries took four times as long as
    Postgres takes to answer them."""
    user = get_user_model()
    user_groups = user.groups.through._meta
    user_permissions = user.user_permissions.through._meta
    group_permissions = Permission.group_set.through._meta
    return (
        f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "  # noqa: S608 (table names; values are parameters)
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN ("
        f"SELECT gp.permission_id FROM {group_permissions.db_table} gp "
        f"JOIN {user_groups.db_table} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s "
        f"UNION SELECT up.permission_id FROM {user_permissions.db_table} up "
        f"WHERE up.user_id = %s)"
    )
