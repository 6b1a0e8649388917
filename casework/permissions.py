"""The casework gatekeeper (see agency/permissions.py for the pattern).

Not visible: 404, whether the record exists or not. Visible but the role may not do
this (a quality reviewer editing, a caseworker approving): 403.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

from agency.permissions import access_object
from casework import selectors
from casework.models import Case, Person

_CHANGE = {
    "view": None,
    "change": "casework.change_case",
    "approve": "casework.approve_casework",
}


def access_case(user: Any, case_id: Any, perm: str = "view") -> Case:
    """A case the user may see; with perm="change" one they may also write to (workers
    with a casework role), with perm="approve" one they supervise (supervisors of the
    case's unit or its office's area administrator)."""
    if perm not in _CHANGE:
        raise ValueError(f"Unknown permission {perm!r} for a case.")
    cases = selectors.visible_cases(user).select_related(
        "unit__work_location", "unit__supervisor", "primary_worker", "secondary_worker"
    )
    case = access_object(cases, case_id)
    required = _CHANGE[perm]
    if required and not user.has_perm(required):
        raise PermissionDenied("Your role cannot do this on a case.")
    if perm == "approve" and not selectors.supervises(user, case):
        raise PermissionDenied("Only the case's supervisor approves.")
    return case


def access_person(user: Any, person_id: Any, perm: str = "view") -> Person:
    """A person on at least one case the user may see."""
    person = access_object(selectors.visible_people(user), person_id)
    if perm == "change" and not user.has_perm("casework.change_person"):
        raise PermissionDenied("Your role cannot change people's records.")
    return person
