"""Reads for casework screens. Every list starts from `visible_cases(user)`."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from agency.models import Unit
from agency.permissions import user_role
from agency.roles import Role
from agency.selectors import granted_ids, sees_every_unit, visible_unit_ids
from casework.models import Case, CaseMember, Person


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases of the units the user's position covers (their unit, the units they
    supervise, their office's; every unit for quality staff and the Commissioner's
    office), cases they are assigned to, and cases shared with them one by one
    (django-guardian `casework.view_case`).

    The unit and grant ids are read first (two or three small queries) and filtered on
    as lists, so Postgres answers from the indexes whatever the number of cases."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if sees_every_unit(user):
        # Quality staff and the Commissioner's office read every case; the other
        # statewide roles (OPM, ORE, system administrators) work outside casework and
        # read none.
        if user.is_superuser or user.has_perm("casework.view_case"):
            return Case.objects.all()
        return Case.objects.none()
    grants = granted_ids(user, ("agency.view_unit", Unit), ("casework.view_case", Case))
    unit_ids = visible_unit_ids(user, shared=grants["agency.view_unit"])
    shared = grants["casework.view_case"]
    return Case.objects.filter(
        Q(unit_id__in=unit_ids)
        | Q(primary_worker=user)
        | Q(secondary_worker=user)
        | Q(pk__in=shared)
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


# A page that asks several selectors for the rules reads them once (rules_read_once).
_rules_in_use: ContextVar[Any] = ContextVar("casework_rules_in_use", default=None)


def rules():
    """The agency's casework rules (one row, created with the defaults on first use)."""
    from casework.models import CaseworkRules

    in_use = _rules_in_use.get()
    if in_use is not None:
        return in_use
    return CaseworkRules.objects.get_or_create(pk=1)[0]


@contextmanager
def rules_read_once() -> Iterator[None]:
    """Within the block, every call of `rules()` answers the row read on entry: the
    caseload's "what is due" asks five selectors, each of which needs the rules."""
    token = _rules_in_use.set(rules())
    try:
        yield
    finally:
        _rules_in_use.reset(token)
