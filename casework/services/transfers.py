"""Writes for case transfers between units or offices (e.g. investigation to ongoing
services): the sending supervisor requests one with a transfer summary, the receiving
supervisor accepts it (naming the new primary worker) or declines it with a comment,
and the sender may withdraw a request still waiting.

Acceptance moves the case in the same transaction: its unit, its primary worker, no
secondary worker, and the new case type when the request named one. Access follows
the case's unit (casework.selectors.visible_cases), so the old unit's workers lose it
and the new unit's gain it at that moment. Every decision carries the `version` of the
transfer the user read and is refused when someone else acted on it since.

Notices: the receiving supervisor when a transfer is requested (and withdrawn), the
sender when it is decided, the new primary worker when it is accepted; each once
(agency.services.reminder_key).
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.models import Unit
from agency.roles import Role
from agency.services import notification_send, reminder_key
from casework.audit import with_actor
from casework.models import Case, CaseTransfer
from casework.selectors import transfers as selectors

Status = CaseTransfer.Status
NOTIFICATION_KIND = "case_transfer"
STALE_MESSAGE = (
    "Someone else acted on this transfer after you opened it. Reload the page to see "
    "where it stands."
)


def transfer_link(transfer: CaseTransfer) -> str:
    return reverse("casework:transfer_detail", args=[transfer.pk])


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _notify(transfer: CaseTransfer, recipient: Any, event: str, subject: str, body: str = ""):
    if recipient is None or not recipient.is_active:
        return
    notification_send(
        recipient=recipient,
        kind=NOTIFICATION_KIND,
        subject=subject,
        body=body,
        link=transfer_link(transfer),
        dedupe_key=reminder_key(transfer, NOTIFICATION_KIND, f"{event}:{recipient.pk}"),
    )


def _lock(transfer: CaseTransfer) -> tuple[Case, CaseTransfer]:
    """The case and the transfer, locked in that order (as transfer_request locks the
    case)."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=transfer.case_id)
    )
    locked = (
        CaseTransfer.objects.select_for_update(of=("self",))
        .select_related("from_unit", "to_unit__supervisor", "requested_by")
        .get(pk=transfer.pk)
    )
    locked.case = case
    return case, locked


def _check_pending(locked: CaseTransfer, version: Any) -> None:
    """Refuse a decision on a version the user did not read, or on a decided transfer."""
    if version in (None, ""):
        raise ValidationError({"version": ["Send the version of the transfer you read."]})
    try:
        seen = int(version)
    except (TypeError, ValueError):
        raise ValidationError({"version": ["Send the version as a whole number."]}) from None
    if seen != locked.version:
        raise ValidationError({"version": [STALE_MESSAGE]})
    if locked.status != Status.REQUESTED:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This transfer was already {locked.get_status_display().lower()}."
                ]
            }
        )


def _decide(locked: CaseTransfer, actor: Any, status: str, comment: str, fields=()) -> None:
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = clock.now()
    locked.decision_comment = comment
    locked.version += 1
    with_actor(locked, actor).save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "version", *fields]
    )


@transaction.atomic
def transfer_request(
    *, case: Case, actor: Any, to_unit: Unit | None, summary: str, new_case_type: str = ""
) -> CaseTransfer:
    """The case's supervisor asks another unit (any active unit with a supervisor) to
    take the case, with a transfer summary and optionally a new case type. One request
    waits at a time per case."""
    case = Case.objects.select_for_update(of=("self",)).select_related("unit").get(pk=case.pk)
    if not selectors.may_request(actor, case):
        raise PermissionDenied("Only the case's supervisor requests a transfer.")
    errors: dict[str, list[str]] = {}
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} is closed; it cannot be transferred."]
    if to_unit is None:
        errors["to_unit"] = ["Choose the unit that is to take the case."]
    elif to_unit.pk == case.unit_id:
        errors["to_unit"] = ["The case is already in this unit; choose another."]
    elif not to_unit.active:
        errors["to_unit"] = [f"{to_unit} is not an active unit."]
    elif to_unit.supervisor_id is None:
        errors["to_unit"] = [f"{to_unit} has no supervisor to accept the transfer."]
    new_case_type = new_case_type or ""
    if new_case_type and new_case_type not in Case.Type.values:
        errors["new_case_type"] = ["Choose a case type, or leave it empty to keep the type."]
    elif new_case_type == case.case_type:
        errors["new_case_type"] = [
            f"The case is already {case.get_case_type_display().lower()}; leave this empty "
            "to keep the type."
        ]
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [
            "Write the transfer summary: where the case stands, what is done and what is due."
        ]
    pending = (
        CaseTransfer.objects.filter(case=case, status=Status.REQUESTED)
        .select_related("to_unit__work_location")
        .first()
    )
    if pending is not None:
        errors[NON_FIELD_ERRORS] = [
            f"This case already has a transfer to {pending.to_unit} waiting for a decision "
            f"(requested {_day(pending.requested_at)}); withdraw it first."
        ]
    if errors:
        raise ValidationError(errors)
    transfer = CaseTransfer(
        case=case,
        from_unit=case.unit,
        to_unit=to_unit,
        new_case_type=new_case_type,
        summary=summary,
        requested_by=actor,
        requested_at=clock.now(),
    )
    with_actor(transfer, actor).save()
    _notify(
        transfer,
        to_unit.supervisor,
        "requested",
        f"Case transfer to {to_unit.name} for your decision: {case.number}",
        f"{_name(actor)} asks {to_unit} to take case {case.number} from {case.unit}. "
        "Open the transfer in Hearth to read the summary and accept or decline it.",
    )
    return transfer


@transaction.atomic
def transfer_accept(
    *,
    transfer: CaseTransfer,
    actor: Any,
    version: Any,
    new_primary_worker: Any,
    comment: str = "",
) -> CaseTransfer:
    """The receiving supervisor accepts: the case moves to their unit with the new
    primary worker (a caseworker of the unit), no secondary worker, and the new case
    type if one was asked for."""
    case, locked = _lock(transfer)
    if not selectors.receives(actor, locked):
        raise PermissionDenied("Only the receiving unit's supervisor accepts a transfer.")
    _check_pending(locked, version)
    errors: dict[str, list[str]] = {}
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} was closed since the request."]
    elif case.unit_id != locked.from_unit_id:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} moved to {case.unit} since the request."]
    profile = getattr(new_primary_worker, "staff", None) if new_primary_worker else None
    if new_primary_worker is None:
        errors["new_primary_worker"] = ["Choose the case's new primary worker."]
    elif not (
        new_primary_worker.is_active
        and profile is not None
        and profile.role == Role.CASEWORKER
        and profile.unit_id == locked.to_unit_id
    ):
        errors["new_primary_worker"] = [
            f"{_name(new_primary_worker)} is not a caseworker in {locked.to_unit.name}."
        ]
    if errors:
        raise ValidationError(errors)
    old_unit, old_type = case.unit, case.case_type
    case.unit = locked.to_unit
    case.primary_worker = new_primary_worker
    case.secondary_worker = None
    fields = ["unit", "primary_worker", "secondary_worker"]
    if locked.new_case_type and locked.new_case_type != old_type:
        case.case_type = locked.new_case_type
        fields.append("case_type")
    case._change_reason = f"Transferred from {old_unit.name} to {locked.to_unit.name}"[:100]
    with_actor(case, actor).save(update_fields=fields)
    locked.new_primary_worker = new_primary_worker
    _decide(locked, actor, Status.ACCEPTED, (comment or "").strip(), ["new_primary_worker"])
    _notify(
        locked,
        locked.requested_by,
        "decided",
        f"Case transfer accepted: {case.number} to {locked.to_unit.name}",
        f"{_name(actor)} accepted case {case.number}; its primary worker is now "
        f"{_name(new_primary_worker)}.",
    )
    if new_primary_worker.pk != actor.pk:
        _notify(
            locked,
            new_primary_worker,
            "assigned",
            f"Case transferred to you: {case.number}",
            f"{_name(actor)} accepted case {case.number} into {locked.to_unit.name} with you "
            "as its primary worker. The transfer summary is in Hearth.",
        )
    return locked


@transaction.atomic
def transfer_decline(
    *, transfer: CaseTransfer, actor: Any, version: Any, comment: str
) -> CaseTransfer:
    """The receiving supervisor declines, saying why; the case stays where it is."""
    case, locked = _lock(transfer)
    if not selectors.receives(actor, locked):
        raise PermissionDenied("Only the receiving unit's supervisor declines a transfer.")
    _check_pending(locked, version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": ["Say why the transfer is declined, so the sending unit can act on it."]}
        )
    _decide(locked, actor, Status.DECLINED, comment)
    _notify(
        locked,
        locked.requested_by,
        "decided",
        f"Case transfer declined: {case.number} to {locked.to_unit.name}",
        f"{_name(actor)} declined: {comment}",
    )
    return locked


@transaction.atomic
def transfer_withdraw(*, transfer: CaseTransfer, actor: Any, version: Any) -> CaseTransfer:
    """The sender withdraws a request still waiting for a decision."""
    case, locked = _lock(transfer)
    if locked.status == Status.REQUESTED and not selectors.may_withdraw(actor, locked):
        raise PermissionDenied("Only the sending supervisor withdraws a transfer request.")
    _check_pending(locked, version)
    _decide(locked, actor, Status.WITHDRAWN, "")
    _notify(
        locked,
        locked.to_unit.supervisor,
        "withdrawn",
        f"Case transfer withdrawn: {case.number}",
        f"{_name(actor)} withdrew the request to transfer case {case.number} to "
        f"{locked.to_unit.name}.",
    )
    return locked
