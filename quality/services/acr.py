"""Writes for Administrative Case Reviews: record a review held, and the reminder sweep
(run daily by Celery beat, quality.tasks.acr_reminders).

When a review is due is the pure rule in quality/acr.py; the due list in
quality/selectors/acr.py applies it to every child in care.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from agency import clock
from agency.models import Notification
from agency.services import notification_send, reminder_key
from casework.models import Case, CaseMember, Person, Placement
from quality import acr as acr_rules
from quality.models import AdministrativeCaseReview
from quality.selectors import rules
from quality.selectors.acr import acr_due


@transaction.atomic
def acr_record(
    *,
    actor: Any,
    case: Case,
    child: Person,
    held_on: date,
    participants: str,
    parents_participated: bool,
    findings: str,
) -> AdministrativeCaseReview:
    """Record the Administrative Case Review held for a child in care on the case: the
    day, who took part (one per line, with their role; parents included when they
    came) and the findings. The child's next review is then due 6 months later."""
    participants = "\n".join(
        line.strip() for line in (participants or "").splitlines() if line.strip()
    )
    findings = (findings or "").strip()
    errors: dict[str, str] = {}
    if not CaseMember.objects.filter(case=case, person=child, role=CaseMember.Role.CHILD).exists():
        errors["child"] = "Choose a child on this case."
    elif not Placement.objects.filter(case=case, child=child, entered_in_error=False).exists():
        errors["child"] = "This child has no placement on this case: an ACR is for a child in care."
    if held_on is None:
        errors["held_on"] = "Give the day the review was held."
    elif held_on > clock.today():
        errors["held_on"] = "Record a review once it has been held (not a future day)."
    if not participants:
        errors["participants"] = "List who took part, one per line, with their role."
    if not findings:
        errors["findings"] = "Record the review's findings."
    if (
        not errors
        and AdministrativeCaseReview.objects.filter(child=child, held_on=held_on).exists()
    ):
        errors["held_on"] = f"A review of this child on {held_on:%d %b %Y} is already recorded."
    if errors:
        raise ValidationError(errors)
    return AdministrativeCaseReview.objects.create(
        case=case,
        child=child,
        held_on=held_on,
        participants=participants,
        parents_participated=parents_participated,
        findings=findings,
        recorded_by=actor,
        recorded_at=clock.now(),
    )


def acr_reminders_send(*, today: date) -> int:
    """For each child in care whose review is due within the reminder days (30 by
    default), the case's primary worker and the unit's supervisor hear once per due day;
    once it is overdue, once more. Returns how many notices were sent."""
    reminder_days = rules().acr_reminder_days
    notices = []
    for row in acr_due(None, today=today, show="due"):
        name = row.child.full_name
        link = f"{reverse('quality:acr_new')}?case={row.case.pk}&child={row.child.pk}"
        due = f"{row.due_on:%a} {row.due_on.day} {row.due_on:%b %Y}"
        if row.state == acr_rules.OVERDUE:
            kind = "acr_overdue"
            subject = f"Administrative Case Review overdue: {name} ({row.case.number})"
            body = (
                f"{name}'s Administrative Case Review was due on {due}. Hold it and record "
                "it, with who took part and the findings."
            )
        else:
            kind = "acr_due_soon"
            subject = f"Administrative Case Review due for {name} ({row.case.number})"
            body = (
                f"{name}'s Administrative Case Review is due by {due} (within "
                f"{reminder_days} days). Schedule it with the family and the providers."
            )
        key = reminder_key(row.child, kind, row.due_on.isoformat())
        for recipient in (row.case.primary_worker, row.case.unit.supervisor):
            if recipient is not None and recipient.is_active:
                notices.append(
                    {
                        "recipient": recipient,
                        "kind": kind,
                        "subject": subject,
                        "body": body,
                        "link": link,
                        "dedupe_key": key,
                    }
                )
    return _send_new(notices)


def _send_new(notices: list[dict]) -> int:
    """Send the notices whose (recipient, key) was not used yet: the keys already used
    are read in one query, the unique index settles any race."""
    used = set(
        Notification.objects.filter(dedupe_key__in={n["dedupe_key"] for n in notices}).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    sent = 0
    seen: set[tuple[int, str]] = set()
    for notice in notices:
        claim = (notice["recipient"].pk, notice["dedupe_key"])
        if claim in used or claim in seen:
            continue
        seen.add(claim)
        sent += notification_send(**notice) is not None
    return sent
