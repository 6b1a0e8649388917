"""Reads for the organisation, the calendar and notifications."""

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils.functional import LazyObject, empty
from guardian.models import GroupObjectPermission, UserObjectPermission

from agency.calendar import BusinessCalendar, ct_holidays
from agency.models import ClosureDay, Notification, Unit
from agency.roles import STATEWIDE_ROLES, Role


def request_cache(user: Any) -> dict:
    """A dict kept on the user object for the rest of the request, as Django's
    ModelBackend keeps `_perm_cache`: reads a page asks for several times (the grants,
    the units in scope) are made once. The user is loaded afresh for each request, so
    the cache never outlives it. `request.user` is a lazy wrapper: the cache lives on
    the user inside it, so code given either finds the same one."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user.__dict__.setdefault("_hearth_request_cache", {})


def units_in_scope_ids(user: Any) -> set[int]:
    """Ids of units_in_scope(user), read once a request."""
    cache = request_cache(user)
    if "unit_scope" not in cache:
        cache["unit_scope"] = set(units_in_scope(user).order_by().values_list("pk", flat=True))
    return cache["unit_scope"]


def business_calendar() -> BusinessCalendar:
    """The agency's calendar: CT state holidays plus the closure days admins entered."""
    closures = dict(ClosureDay.objects.values_list("date", "reason"))
    return BusinessCalendar(holidays=ct_holidays(), closures=closures)


def granted_ids(user: Any, *grants: tuple[str, type[Model]]) -> dict[str, list[int]]:
    """For each (permission, model) asked for, the primary keys of the rows on which
    `user` holds that object permission (django-guardian), directly or through a group:
    one small query for all of them. Model-wide permissions do not count: a grant is
    always to one object.

    The gatekeepers filter on these ids as a literal list: Postgres then combines the
    indexes of each condition (a bitmap OR) instead of scanning every row against
    guardian's generic subqueries."""
    result: dict[str, list[int]] = {perm: [] for perm, _ in grants}
    if not user.is_authenticated or not grants:
        return result
    # A page asks the gatekeeper several times.
    cache = request_cache(user).setdefault("grants", {})
    key = tuple(sorted(perm for perm, _ in grants))
    if key in cache:
        return cache[key]
    # One permission per model, so a grant row's content type names its permission.
    names: dict[int, str] = {}
    wanted: list[Any] = []
    for perm, model in grants:
        content_type_id = ContentType.objects.get_for_model(model).pk
        if content_type_id in names:
            raise ValueError(f"one permission per model: {names[content_type_id]}, {perm}")
        names[content_type_id] = perm
        wanted += [content_type_id, perm.split(".", 1)[1]]
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(len(grants)), [user.pk, *wanted, user.pk, *wanted])
        rows = cursor.fetchall()
    found: dict[str, set[int]] = {perm: set() for perm in result}
    for content_type_id, object_pk in rows:
        found[names[content_type_id]].add(int(object_pk))
    cache[key] = {perm: sorted(ids) for perm, ids in found.items()}
    return cache[key]


@functools.cache
def _grants_sql(count: int) -> str:
    """The SQL of a user's object permissions for `count` (content type, codename)
    pairs, held directly or through a group. Parameters: the user's id, the pairs, the
    user's id, the pairs. Filtered on the grant rows' own columns and reaching the
    groups through the user-group links alone; written out rather than built with the
    ORM, since every gatekeeper runs it: composing the union of subqueries took longer
    than Postgres takes to plan and answer it."""
    permissions = Permission._meta.db_table
    wanted = " OR ".join(["(p.content_type_id = %s AND p.codename = %s)"] * count)
    of_wanted = f"permission_id IN (SELECT p.id FROM {permissions} p WHERE {wanted})"  # noqa: S608 (table names; values are parameters)
    user_groups = get_user_model().groups.through._meta.db_table
    return (
        f"SELECT content_type_id, object_pk FROM {UserObjectPermission._meta.db_table} "  # noqa: S608 (table names; values are parameters)
        f"WHERE user_id = %s AND {of_wanted} "
        f"UNION SELECT content_type_id, object_pk FROM {GroupObjectPermission._meta.db_table} "
        f"WHERE group_id IN (SELECT group_id FROM {user_groups} WHERE user_id = %s) "
        f"AND {of_wanted}"
    )


def granted(user: Any, perm: str, queryset: QuerySet) -> QuerySet:
    """Rows of `queryset` on which `user` holds the object permission `perm`."""
    return queryset.filter(pk__in=granted_ids(user, (perm, queryset.model))[perm])


def units_in_scope(user: Any) -> QuerySet[Unit]:
    """The units a user's position covers, from the organisation chart alone.

    Caseworker: their unit. Supervisor: the units they supervise and their own.
    Area administrator: every unit of their work location. Statewide roles and
    superusers: all units. Anyone else: none.
    """
    units = Unit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_superuser:
        return units
    profile = getattr(user, "staff", None)
    if profile is None:
        return units.none()
    role = Role(profile.role)
    if role in STATEWIDE_ROLES:
        return units
    if role == Role.AREA_ADMINISTRATOR:
        return units.filter(work_location_id=profile.work_location_id)
    if role == Role.SUPERVISOR:
        return units.filter(Q(supervisor=user) | Q(pk=profile.unit_id))
    if role == Role.CASEWORKER:
        return units.filter(pk=profile.unit_id)
    return units.none()


def sees_every_unit(user: Any) -> bool:
    """Superusers and statewide roles (quality, the Commissioner's office, ...)."""
    profile = getattr(user, "staff", None)
    return user.is_authenticated and (
        user.is_superuser or (profile is not None and Role(profile.role) in STATEWIDE_ROLES)
    )


def visible_unit_ids(user: Any, *, shared: list[int] | None = None) -> list[int] | None:
    """Ids of the units in the user's scope plus those shared with them one by one;
    None for statewide roles and superusers (every unit). `shared`: the unit grants if
    the caller already read them (see granted_ids). At most two small queries."""
    if not user.is_authenticated or not user.is_active:
        return []
    if sees_every_unit(user):
        return None
    profile = getattr(user, "staff", None)
    if profile is not None and profile.role == Role.CASEWORKER:
        in_scope = {profile.unit_id} if profile.unit_id else set()
    else:
        in_scope = units_in_scope_ids(user)
    if shared is None:
        shared = granted_ids(user, ("agency.view_unit", Unit))["agency.view_unit"]
    return sorted(in_scope | set(shared))


def visible_units(user: Any) -> QuerySet[Unit]:
    """Units in the user's scope, plus units shared with them one by one (e.g. a
    caseworker covering for a colleague's unit holds `agency.view_unit` on it)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    ids = visible_unit_ids(user)
    units = Unit.objects.all() if ids is None else Unit.objects.filter(pk__in=ids)
    return units.select_related("work_location__region", "supervisor").order_by(
        "work_location__name", "name"
    )


def managed_units(user: Any) -> QuerySet[Unit]:
    """Units the user may change: their own as supervisor, their office's as area
    administrator, all as system administrator."""
    role = getattr(getattr(user, "staff", None), "role", None)
    if user.is_authenticated and (user.is_superuser or role == Role.SYSTEM_ADMINISTRATOR):
        return Unit.objects.all()
    if role == Role.AREA_ADMINISTRATOR:
        return Unit.objects.filter(work_location_id=user.staff.work_location_id)
    if role == Role.SUPERVISOR:
        return Unit.objects.filter(supervisor=user)
    return Unit.objects.none()


def visible_notifications(user: Any) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = visible_notifications(user).order_by("-created_at", "-pk")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(user: Any) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()
