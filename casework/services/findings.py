"""Writes for investigation findings: whether each allegation of an intake on the
investigation track was substantiated. The disproportionality tables (quality/equity.py)
count children with a substantiated allegation at the substantiation decision point.

Family Assessment Response intakes make no finding: their allegations stay pending.
A finding already recorded may be corrected; the history keeps the earlier one.
"""

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from agency import clock
from casework.audit import with_actor
from casework.models import Allegation, Case, Intake
from casework.selectors import visible_cases
from casework.services.assessments import local_date

CHANGE_PERM = "casework.change_case"
# The findings an investigation reaches; "pending" is where every allegation starts.
DECIDED = (Allegation.Finding.SUBSTANTIATED, Allegation.Finding.UNSUBSTANTIATED)


def may_record_finding(actor: Any, case: Case) -> bool:
    """Whether `actor` may write on `case`: a casework role that changes cases, on a case
    they can see (the same test the pages make with access_case(..., "change"))."""
    return bool(
        actor is not None
        and actor.has_perm(CHANGE_PERM)
        and visible_cases(actor).filter(pk=case.pk).exists()
    )


@transaction.atomic
def allegation_finding_record(
    *, allegation: Allegation, actor: Any, finding: str, finding_on: date | None
) -> Allegation:
    """Record the investigation's finding on one allegation (substantiated or
    unsubstantiated) and the day it was reached: only on an investigation-track intake
    of an open case, not in the future and not before the report was accepted, by a
    worker who may change the case (PermissionDenied otherwise)."""
    locked = (
        Allegation.objects.select_for_update(of=("self",))
        .select_related("intake__case", "child")
        .filter(pk=allegation.pk)
        .first()
    )
    if locked is None:
        raise ValidationError({NON_FIELD_ERRORS: "This allegation no longer exists."})
    intake, case = locked.intake, locked.intake.case
    if not may_record_finding(actor, case):
        raise PermissionDenied("Only workers who may change the case record findings.")
    errors: dict[str, str] = {}
    if intake.track != Intake.Track.INVESTIGATION:
        errors[NON_FIELD_ERRORS] = (
            f"Intake {intake.reference} is on {intake.get_track_display()}: findings are made "
            "on investigations only."
        )
    elif case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = (
            f"Case {case.number} is closed; findings are recorded while open."
        )
    if finding not in DECIDED:
        errors["finding"] = "Choose substantiated or unsubstantiated."
    accepted_on = local_date(intake.accepted_at)
    if finding_on is None:
        errors["finding_on"] = "Say when the finding was reached."
    elif finding_on > clock.today():
        errors["finding_on"] = "This is in the future: record the finding once it is reached."
    elif finding_on < accepted_on:
        errors["finding_on"] = (
            f"The finding cannot be before the report was accepted ({_d(accepted_on)})."
        )
    if errors:
        raise ValidationError(errors)
    locked.finding = finding
    locked.finding_on = finding_on
    locked.finding_by = actor
    with_actor(locked, actor).save(update_fields=["finding", "finding_on", "finding_by"])
    allegation.finding, allegation.finding_on, allegation.finding_by = (
        locked.finding,
        locked.finding_on,
        locked.finding_by,
    )
    return locked


def _d(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
