"""Writes on a case as a whole: assignment, closing and reopening."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agency import clock
from agency.concurrency import lock_for_edit
from agency.models import Unit
from agency.roles import Role
from casework.audit import with_actor
from casework.models import Case


def _check_worker(worker: Any, unit: Unit, field: str) -> None:
    profile = getattr(worker, "staff", None)
    works_there = profile is not None and (
        profile.unit_id == unit.pk or unit.supervisor_id == worker.pk
    )
    if not works_there or profile.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        raise ValidationError({field: f"{worker.get_full_name()} is not a worker in {unit.name}."})


@transaction.atomic
def case_assign(
    *,
    case: Case,
    actor: Any,
    primary_worker: Any,
    secondary_worker: Any = None,
    edit_token: str | None = None,
) -> Case:
    """Give the case a primary (and optionally a secondary) worker from its unit.
    Refused when `edit_token` is stale (agency.concurrency); returns the row re-read
    under lock."""
    case = lock_for_edit(case, edit_token)
    _check_worker(primary_worker, case.unit, "primary_worker")
    if secondary_worker is not None:
        _check_worker(secondary_worker, case.unit, "secondary_worker")
        if secondary_worker == primary_worker:
            raise ValidationError({"secondary_worker": "Choose someone other than the primary."})
    case.primary_worker = primary_worker
    case.secondary_worker = secondary_worker
    with_actor(case, actor).save(update_fields=["primary_worker", "secondary_worker"])
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any, reason: str) -> Case:
    """Close an open case. Nothing is deleted; the history stays on the timeline."""
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"__all__": "The case is already closed."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is closing."})
    case.status = Case.Status.CLOSED
    case.closed_on = clock.today()
    case.closing_reason = reason.strip()
    with_actor(case, actor).save(update_fields=["status", "closed_on", "closing_reason"])
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: Any) -> Case:
    if case.status == Case.Status.OPEN:
        raise ValidationError({"__all__": "The case is already open."})
    case.status = Case.Status.OPEN
    case.closed_on = None
    with_actor(case, actor).save(update_fields=["status", "closed_on"])
    return case
