"""Reads for casework screens. Every list starts from `visible_cases(user)`."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from agency.permissions import user_role
from agency.roles import Role
from agency.selectors import granted, visible_units
from casework.models import Case, CaseMember, Person


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases of the units the user's position covers (their unit, the units they
    supervise, their office's), cases they are assigned to, and cases shared with them
    one by one (django-guardian `casework.view_case`)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    units = visible_units(user).values("pk")
    shared = granted(user, "casework.view_case", Case.objects.all()).values("pk")
    return Case.objects.filter(
        Q(unit__in=units) | Q(primary_worker=user) | Q(secondary_worker=user) | Q(pk__in=shared)
    )


def visible_people(user: Any) -> QuerySet[Person]:
    """People on at least one case the user may see."""
    on_visible_case = CaseMember.objects.filter(
        person=OuterRef("pk"), case__in=visible_cases(user).values("pk")
    )
    return Person.objects.filter(Exists(on_visible_case))


def supervises(user: Any, case: Case) -> bool:
    """Whether `user` approves work on `case`: its unit's supervisor, or the area
    administrator of its office."""
    role = user_role(user)
    if user.is_superuser:
        return True
    if role == Role.SUPERVISOR:
        return case.unit.supervisor_id == user.pk
    if role == Role.AREA_ADMINISTRATOR:
        return case.unit.work_location_id == user.staff.work_location_id
    return False


def rules():
    """The agency's casework rules (one row, created with the defaults on first use)."""
    from casework.models import CaseworkRules

    return CaseworkRules.objects.get_or_create(pk=1)[0]
