"""Writes for out-of-home placements: start one, change it (end the current placement
the day the next starts: a move, no exit reason), end it (the child leaves care, with
the exit reason), record the kin home-study referral, mark one entered
in error (placements are never deleted), and record the permanency decision for a child
in care 15 of the last 22 months (the termination petition filed, or the compelling
reason not to file).

Each function validates first and raises `ValidationError({field: message})` before
anything is saved, so the page and the API show the message beside the right field.
Callers pass objects the gatekeeper has already let the user change.
"""

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from agency import clock
from casework.audit import with_actor
from casework.models import Case, CaseMember, PermanencyDecision, Person, Placement

# Marks the reason appended to a placement's reason when it is entered in error.
ENTERED_IN_ERROR_MARKER = "[Entered in error]"

_CAREGIVER_MAX = int(Placement._meta.get_field("caregiver").max_length or 0)
_ADDRESS_MAX = int(Placement._meta.get_field("address").max_length or 0)
_END_REASON_MAX = int(Placement._meta.get_field("end_reason").max_length or 0)


def _is_active_child(case: Case, child: Person | None) -> bool:
    return (
        child is not None
        and CaseMember.objects.filter(
            case=case, person=child, active=True, role=CaseMember.Role.CHILD
        ).exists()
    )


def _placement_errors(
    *,
    case: Case,
    child: Person | None,
    setting: str,
    caregiver: str,
    address: str,
    start_date: date | None,
    reason: str,
    ignore: Placement | None = None,
) -> dict[str, str]:
    """What is wrong with a new placement (empty when nothing). `ignore` is a placement
    about to end the day this one starts (a change of placement)."""
    errors: dict[str, str] = {}
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = (
            f"Case {case.number} is closed; placements are recorded on open cases."
        )
    if child is None:
        errors["child"] = "Choose the child who is placed."
    elif not _is_active_child(case, child):
        errors["child"] = f"{child.full_name} is not an active child on this case."
    if setting not in Placement.Setting.values:
        errors["setting"] = (
            "Choose the setting: kin, foster home, congregate care or trial home visit."
        )
    if not caregiver:
        errors["caregiver"] = "Say who the child lives with."
    elif len(caregiver) > _CAREGIVER_MAX:
        errors["caregiver"] = f"Keep the caregiver to {_CAREGIVER_MAX} characters."
    if len(address) > _ADDRESS_MAX:
        errors["address"] = f"Keep the address to {_ADDRESS_MAX} characters."
    if not reason:
        errors["reason"] = "Say why this placement, and why this setting."
    if start_date is None:
        errors["start_date"] = "Say when the placement starts."
    elif start_date > clock.today():
        errors["start_date"] = "This is in the future: record a placement once it has started."
    elif child is not None and "child" not in errors:
        overlapping = (
            Placement.objects.select_for_update()
            .filter(child=child, entered_in_error=False)
            .exclude(end_date__isnull=False, end_date__lte=start_date)
            .exclude(pk=ignore.pk if ignore else None)
            .order_by("start_date")
            .first()
        )
        if overlapping is not None:
            if overlapping.end_date is None:
                errors["start_date"] = (
                    f"{child.first_name} is already placed with {overlapping.caregiver} since "
                    f"{_d(overlapping.start_date)}: end that placement first, or record "
                    "this as a change of placement."
                )
            else:
                errors["start_date"] = (
                    f"This overlaps {child.first_name}'s placement with "
                    f"{overlapping.caregiver} ({_d(overlapping.start_date)} to "
                    f"{_d(overlapping.end_date)}): a child is in one placement at a time."
                )
    return errors


@transaction.atomic
def placement_start(
    *,
    case: Case,
    actor: Any,
    child: Person,
    setting: str,
    caregiver: str,
    address: str = "",
    start_date: date,
    reason: str,
) -> Placement:
    """Record that a child of an open case was placed: the setting, who they live with,
    from when (today or earlier) and why. A child is in one placement at a time: an
    open placement is ended first, or use `placement_change`."""
    caregiver = (caregiver or "").strip()
    address = (address or "").strip()
    reason = (reason or "").strip()
    errors = _placement_errors(
        case=case,
        child=child,
        setting=setting,
        caregiver=caregiver,
        address=address,
        start_date=start_date,
        reason=reason,
    )
    if errors:
        raise ValidationError(errors)
    placement = Placement(
        case=case,
        child=child,
        setting=setting,
        caregiver=caregiver,
        address=address,
        start_date=start_date,
        reason=reason,
    )
    with_actor(placement, actor).save()
    return placement


@transaction.atomic
def placement_change(
    *,
    current: Placement,
    actor: Any,
    setting: str,
    caregiver: str,
    address: str = "",
    start_date: date,
    reason: str,
    end_reason: str = "",
) -> Placement:
    """Move a child from their open placement `current` to a new one: `current` ends the
    day the new one starts (with `end_reason`, by default "Change of placement"), and
    the new one is recorded on the same case. Both or neither are saved."""
    end_reason = (end_reason or "").strip() or "Change of placement"
    caregiver = (caregiver or "").strip()
    address = (address or "").strip()
    reason = (reason or "").strip()
    locked = _locked(current)
    errors: dict[str, str] = {}
    if locked.entered_in_error:
        errors[NON_FIELD_ERRORS] = (
            "The current placement was entered in error; record a new placement."
        )
    elif locked.end_date is not None:
        errors[NON_FIELD_ERRORS] = (
            "The current placement has already ended; record a new placement."
        )
    elif start_date is not None and start_date < locked.start_date:
        errors["start_date"] = (
            f"The new placement starts before the current one ({_d(locked.start_date)})."
        )
    if errors:
        raise ValidationError(errors)
    errors = _placement_errors(
        case=current.case,
        child=current.child,
        setting=setting,
        caregiver=caregiver,
        address=address,
        start_date=start_date,
        reason=reason,
        ignore=locked,
    )
    if len(end_reason) > _END_REASON_MAX:
        errors["end_reason"] = f"Keep the reason to {_END_REASON_MAX} characters."
    if errors:
        raise ValidationError(errors)
    locked.end_date = start_date
    locked.end_reason = end_reason
    with_actor(locked, actor).save(update_fields=["end_date", "end_reason"])
    current.end_date, current.end_reason = locked.end_date, locked.end_reason
    placement = Placement(
        case=current.case,
        child=current.child,
        setting=setting,
        caregiver=caregiver,
        address=address,
        start_date=start_date,
        reason=reason,
    )
    with_actor(placement, actor).save()
    return placement


@transaction.atomic
def placement_end(
    *, placement: Placement, actor: Any, end_date: date, end_reason: str, exit_reason: str
) -> Placement:
    """End an open placement with no placement following: the child leaves care. On or
    after the day it started, not in the future, with why in words (`end_reason`) and
    why the child left care (`exit_reason`, a Placement.ExitReason: reunification,
    adoption... the permanency indicators count it). A move to another placement is
    `placement_change`, which leaves the exit reason blank."""
    end_reason = (end_reason or "").strip()
    exit_reason = (exit_reason or "").strip()
    locked = _locked(placement)
    if locked.entered_in_error:
        raise ValidationError({NON_FIELD_ERRORS: "This placement was entered in error."})
    if locked.end_date is not None:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"This placement already ended on {_d(locked.end_date)}."}
        )
    errors: dict[str, str] = {}
    if end_date is None:
        errors["end_date"] = "Say when the placement ended."
    elif end_date < locked.start_date:
        errors["end_date"] = (
            f"A placement ends on or after the day it starts ({_d(locked.start_date)})."
        )
    elif end_date > clock.today():
        errors["end_date"] = "This is in the future: end a placement once it has ended."
    if not end_reason:
        errors["end_reason"] = "Say why the placement ended."
    elif len(end_reason) > _END_REASON_MAX:
        errors["end_reason"] = f"Keep the reason to {_END_REASON_MAX} characters."
    if not exit_reason:
        errors["exit_reason"] = (
            "Say why the child left care (reunification, adoption, guardianship...). A move "
            "to another placement is recorded as a change of placement instead."
        )
    elif exit_reason not in Placement.ExitReason.values:
        errors["exit_reason"] = "Choose one of the reasons a child leaves care."
    if errors:
        raise ValidationError(errors)
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.exit_reason = exit_reason
    with_actor(placement, actor).save(update_fields=["end_date", "end_reason", "exit_reason"])
    return placement


@transaction.atomic
def placement_record_home_study_referral(
    *, placement: Placement, actor: Any, referred_on: date
) -> Placement:
    """Record the day an unlicensed kin caregiver was referred for a home study (due
    within the casework rules' `kin_home_study_days` of the placement). A date already
    recorded may be corrected; the history keeps the earlier one."""
    locked = _locked(placement)
    if locked.entered_in_error:
        raise ValidationError({NON_FIELD_ERRORS: "This placement was entered in error."})
    errors: dict[str, str] = {}
    if locked.setting != Placement.Setting.KIN_UNLICENSED:
        errors[NON_FIELD_ERRORS] = (
            "Home-study referrals are recorded for unlicensed kin placements only; this one "
            f"is {Placement.Setting(locked.setting).label.lower()}."
        )
    if referred_on is None:
        errors["referred_on"] = "Say when the home study was requested."
    elif referred_on < locked.start_date:
        errors["referred_on"] = (
            f"The referral is on or after the day the placement started ({_d(locked.start_date)})."
        )
    elif referred_on > clock.today():
        errors["referred_on"] = "This is in the future: record the referral once it is made."
    if errors:
        raise ValidationError(errors)
    placement.home_study_referred_on = referred_on
    with_actor(placement, actor).save(update_fields=["home_study_referred_on"])
    return placement


@transaction.atomic
def placement_mark_entered_in_error(*, placement: Placement, actor: Any, reason: str) -> Placement:
    """Take a placement out of every count (days in care, the 15-of-22 rule, the
    home-study flag) without deleting it: the flag is set and the reason, with who and
    when, is appended to the placement's reason. The history keeps it as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this placement was entered in error."})
    locked = _locked(placement)
    if locked.entered_in_error:
        raise ValidationError(
            {NON_FIELD_ERRORS: "This placement is already marked entered in error."}
        )
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "Hearth"
    when = timezone.localtime(clock.now())
    note = f"{ENTERED_IN_ERROR_MARKER} {when:%Y-%m-%d %H:%M} by {who}: {reason}"
    placement.reason = f"{locked.reason}\n\n{note}" if locked.reason else note
    placement.entered_in_error = True
    with_actor(placement, actor).save(update_fields=["entered_in_error", "reason"])
    return placement


@transaction.atomic
def permanency_decision_record(
    *,
    case: Case,
    actor: Any,
    child: Person,
    kind: str,
    decided_on: date,
    note: str,
) -> PermanencyDecision:
    """Record, for a child of the case, that the termination petition was filed or the
    compelling reason not to file (documented in `note`). It clears the child's
    15-of-22-months flag when decided on or after the day the child met the rule."""
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if child is None:
        errors["child"] = "Choose the child."
    elif not CaseMember.objects.filter(
        case=case, person=child, role=CaseMember.Role.CHILD
    ).exists():
        errors["child"] = f"{child.full_name} is not a child on this case."
    if kind not in PermanencyDecision.Kind.values:
        errors["kind"] = "Choose petition filed or compelling reason not to file."
    if decided_on is None:
        errors["decided_on"] = "Say when the petition was filed or the reason documented."
    elif decided_on > clock.today():
        errors["decided_on"] = "This is in the future: record the decision once it is made."
    if not note:
        errors["note"] = (
            "Describe the petition (court, docket) or the compelling reason not to file."
        )
    if errors:
        raise ValidationError(errors)
    decision = PermanencyDecision(
        case=case, child=child, kind=kind, decided_on=decided_on, note=note, recorded_by=actor
    )
    with_actor(decision, actor).save()
    return decision


def _locked(placement: Placement) -> Placement:
    """The placement's row as it is now, locked until the transaction ends: two people
    ending or correcting the same placement at once must not both succeed."""
    locked = Placement.objects.select_for_update().filter(pk=placement.pk).first()
    if locked is None:
        raise ValidationError({NON_FIELD_ERRORS: "This placement no longer exists."})
    return locked


def _d(day: date) -> str:
    """A date as people write it: "3 Mar 2026"."""
    return f"{day.day} {day:%b %Y}"
