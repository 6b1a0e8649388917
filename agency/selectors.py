"""Reads for the organisation, the calendar and notifications."""

from typing import Any

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from agency.calendar import BusinessCalendar, ct_holidays
from agency.models import ClosureDay, Notification, Unit
from agency.roles import STATEWIDE_ROLES, Role


def business_calendar() -> BusinessCalendar:
    """The agency's calendar: CT state holidays plus the closure days admins entered."""
    closures = dict(ClosureDay.objects.values_list("date", "reason"))
    return BusinessCalendar(holidays=ct_holidays(), closures=closures)


def granted(user: Any, perm: str, queryset: QuerySet) -> QuerySet:
    """Rows of `queryset` on which `user` holds the object permission `perm`
    (django-guardian), directly or through a group. Model-wide permissions do not count:
    a grant is always to one object."""
    return get_objects_for_user(
        user, perm, klass=queryset, accept_global_perms=False, with_superuser=False
    )


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


def visible_units(user: Any) -> QuerySet[Unit]:
    """Units in the user's scope, plus units shared with them one by one (e.g. a
    caseworker covering for a colleague's unit holds `agency.view_unit` on it)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    in_scope = units_in_scope(user).values("pk")
    shared = granted(user, "agency.view_unit", Unit.objects.all()).values("pk")
    return (
        Unit.objects.filter(Q(pk__in=in_scope) | Q(pk__in=shared))
        .select_related("work_location__region", "supervisor")
        .order_by("work_location__name", "name")
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
