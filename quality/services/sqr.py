"""Writes for Special Qualitative Reviews: open one from a significant event, record the
briefing, records examined, interviews and expert consultations, findings and their
recommendations, finalize the report, grant and revoke access, record sharing outside
the agency, log every reach, and remind the owners of recommendations.

Every function checks that the actor reaches the review (quality.selectors.sqr) and
may do the thing (PermissionDenied otherwise: the pages have already answered 404 to
anyone without access), validates (ValidationError with a field map), then writes in
one transaction. The review and its recommendations carry a `version`: a change made
on an older one is refused.

Notices never name the review, the event or anyone in it: emails leave the agency's
systems, and the notifications list is read in Django admin.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from agency import clock
from agency.models import Notification
from agency.permissions import user_role
from agency.roles import Role
from agency.services import notification_send, reference_next, reminder_key
from quality.models import (
    SignificantEvent,
    SpecialQualitativeReview,
    SqrAccessLog,
    SqrExternalShare,
    SqrFinding,
    SqrGrant,
    SqrInterview,
    SqrRecommendation,
)
from quality.selectors import sqr as selectors

REFERENCE_PREFIX = "SQR"
REMINDER_DAYS = 14

STALE_MESSAGE = (
    "Someone else changed this review after you opened it. Reload the page to see their "
    "changes, then make yours again."
)
STALE_RECOMMENDATION = (
    "Someone else changed this recommendation after you opened it. Reload the page to see "
    "their changes, then make yours again."
)

Status = SpecialQualitativeReview.Status
# The steps a review moves through by hand. The report becomes final only through
# review_finalize (which checks it is complete), and a closed review stays closed.
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.BRIEFED},
    Status.BRIEFED: {Status.OPEN, Status.IN_REVIEW},
    Status.IN_REVIEW: {Status.BRIEFED, Status.REPORT_DRAFT},
    Status.REPORT_DRAFT: {Status.IN_REVIEW},
    Status.FINAL: {Status.CLOSED},
    Status.CLOSED: set(),
}
LOCKED = {Status.FINAL, Status.CLOSED}
REVIEW_FIELDS = (
    "briefing_held_on",
    "briefing_participants",
    "records_examined",
    "report",
    "status",
)
RECOMMENDATION_FIELDS = ("recommendation", "owner", "due_on", "status", "completed_on")

# Themes offered on the finding form, so the learning page counts like with like.
THEMES = (
    "Safety assessment",
    "Safety planning",
    "Risk assessment",
    "Supervision and consultation",
    "Caseload and workload",
    "Family engagement",
    "Visits and contacts",
    "Substance use",
    "Domestic violence",
    "Mental health",
    "Collaboration with providers",
    "Information sharing",
    "Case documentation",
    "Training",
    "Policy gaps",
    "Technology and systems",
)


# --- helpers ---------------------------------------------------------------------------------


def _reach(actor: Any, review: SpecialQualitativeReview) -> None:
    if review.pk not in selectors.reachable_ids(actor):
        raise PermissionDenied("You do not have access to this review.")


def _work(actor: Any, review: SpecialQualitativeReview) -> None:
    _reach(actor, review)
    if not selectors.can_work(actor):
        raise PermissionDenied("Quality reviewers and the Commissioner's office work on reviews.")


def _unlocked(review: SpecialQualitativeReview, what: str) -> None:
    if review.status in LOCKED:
        raise ValidationError({"__all__": [f"The report is final: {what} can no longer change."]})


def _text(value: Any) -> str:
    return (value or "").strip()


def _lock(review: SpecialQualitativeReview, version: int | None) -> SpecialQualitativeReview:
    if version is None:
        raise ValidationError({"version": ["Send the version of the review you read."]})
    locked = SpecialQualitativeReview.objects.select_for_update().get(pk=review.pk)
    if int(version) != locked.version:
        raise ValidationError({"version": [STALE_MESSAGE]})
    return locked


def _bump(review: SpecialQualitativeReview, fields: list[str]) -> None:
    review.version += 1
    review.save(update_fields=[*fields, "version"])


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


def review_link(review: SpecialQualitativeReview) -> str:
    return reverse("quality:sqr_detail", args=[review.pk])


def access_log_record(
    *, review: SpecialQualitativeReview, user: Any, action: str, what: str = ""
) -> SqrAccessLog:
    """One line of the review's access log: who reached it, when, how and what. Written
    by the gatekeeper (quality.selectors.sqr.access_review) on every reach."""
    return SqrAccessLog.objects.create(
        review=review, user=user, at=clock.now(), action=action[:40], what=(what or "")[:200]
    )


def _grant(review: SpecialQualitativeReview, user: Any, actor: Any) -> SqrGrant:
    assign_perm(selectors.VIEW_PERM, user, review)
    selectors.forget_grants(user)
    return SqrGrant.objects.create(
        review=review, user=user, granted_by=actor, granted_at=clock.now()
    )


# --- opening and the review ------------------------------------------------------------------


@transaction.atomic
def review_open(*, event: SignificantEvent, actor: Any) -> SpecialQualitativeReview:
    """Open a review of a significant event the actor may see. The opener is granted
    access at once (recorded as a grant by themselves); everyone else waits for the
    Commissioner's office to grant them."""
    from quality.selectors.events import visible_events

    if not selectors.can_open_reviews(actor):
        raise PermissionDenied("Quality reviewers and the Commissioner's office open reviews.")
    if not visible_events(actor).filter(pk=event.pk).exists():
        raise ValidationError({"event": ["No event you may see has this id."]})
    mine = selectors.my_reviews_of_event(actor, event).exclude(status=Status.CLOSED).first()
    if mine is not None:
        raise ValidationError({"event": [f"You already have {mine.reference} open on this event."]})
    review = SpecialQualitativeReview.objects.create(
        reference=reference_next(prefix=REFERENCE_PREFIX),
        event=event,
        opened_by=actor,
        opened_at=clock.now(),
    )
    _grant(review, actor, actor)
    access_log_record(review=review, user=actor, action="open", what=f"opened from {event}")
    return review


def _check_update(review: SpecialQualitativeReview, fields: dict[str, Any]) -> list[str]:
    """The fields that change, once every rule holds (ValidationError otherwise).
    Cleans the text fields in `fields`."""
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise TypeError(f"Unknown review fields: {sorted(unknown)}")
    for name in ("briefing_participants", "records_examined", "report"):
        if name in fields:
            fields[name] = _text(fields[name])
    changed = [name for name in fields if fields[name] != getattr(review, name)]
    if not changed:
        return changed
    if review.status in LOCKED and changed != ["status"]:
        raise ValidationError({"__all__": ["The report is final: only closing is left."]})
    errors: dict[str, list[str]] = {}
    held_on = fields.get("briefing_held_on", review.briefing_held_on)
    if held_on is not None and held_on > clock.today():
        errors["briefing_held_on"] = ["The briefing cannot be in the future."]
    elif held_on is not None and held_on < _local_day(review.event.occurred_at):
        errors["briefing_held_on"] = ["The briefing cannot be before the event."]
    new_status = fields.get("status", review.status)
    if new_status != review.status:
        if new_status not in Status.values:
            errors["status"] = ["Choose a step of the review."]
        elif new_status == Status.FINAL:
            errors["status"] = ["Make the report final with its own button (it checks it)."]
        elif new_status not in TRANSITIONS[review.status]:
            steps = " or ".join(f"“{Status(s).label}”" for s in sorted(TRANSITIONS[review.status]))
            errors["status"] = [
                f"From “{Status(review.status).label}” a review moves to {steps or 'nothing'}."
            ]
        elif new_status == Status.BRIEFED:
            participants = fields.get("briefing_participants", review.briefing_participants)
            if held_on is None:
                errors["briefing_held_on"] = ["Give the date of the briefing meeting."]
            if not participants:
                errors["briefing_participants"] = ["Say who took part in the briefing."]
    if errors:
        raise ValidationError(errors)
    return changed


def review_update_check(*, review: SpecialQualitativeReview, **fields: Any) -> None:
    """The checks review_update makes, for a form that shows their errors before saving
    (the Django admin)."""
    _check_update(review, dict(fields))


@transaction.atomic
def review_update(
    *, review: SpecialQualitativeReview, actor: Any, version: int | None, **fields: Any
) -> SpecialQualitativeReview:
    """Record the briefing meeting (date, participants), the records examined, the
    report's narrative, and move the review to its next step. Refused on an older
    `version`, and once the report is final (only closing is left then)."""
    _work(actor, review)
    locked = _lock(review, version)
    changed = _check_update(locked, fields)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    if locked.status == Status.CLOSED and "status" in changed:
        locked.closed_at = clock.now()
        changed.append("closed_at")
    _bump(locked, changed)
    return locked


@transaction.atomic
def review_finalize(
    *, review: SpecialQualitativeReview, actor: Any, version: int | None
) -> SpecialQualitativeReview:
    """Make the report final: it needs the briefing, the records examined, the report's
    narrative and at least one finding. Stamps `report_finalized_at`; from then on only
    the recommendations' progress and closing the review change."""
    _work(actor, review)
    locked = _lock(review, version)
    if locked.status != Status.REPORT_DRAFT:
        raise ValidationError({"__all__": ["Only a report in draft can be made final."]})
    errors: dict[str, list[str]] = {}
    if locked.briefing_held_on is None:
        errors["briefing_held_on"] = ["Give the date of the briefing meeting."]
    if not locked.records_examined:
        errors["records_examined"] = ["List the records examined."]
    if not locked.report:
        errors["report"] = ["Write the report's narrative."]
    if not locked.findings.exists():
        errors["__all__"] = ["Record at least one finding."]
    if errors:
        raise ValidationError(errors)
    locked.status = Status.FINAL
    locked.report_finalized_at = clock.now()
    _bump(locked, ["status", "report_finalized_at"])
    return locked


# --- interviews, findings, recommendations ---------------------------------------------------


@transaction.atomic
def interview_add(
    *,
    review: SpecialQualitativeReview,
    actor: Any,
    kind: str,
    who: str,
    held_on: date | None,
    notes: str,
) -> SqrInterview:
    """A staff or collateral interview, or an expert consultation."""
    _work(actor, review)
    _unlocked(review, "interviews")
    who, notes = _text(who), _text(notes)
    errors: dict[str, list[str]] = {}
    if kind not in SqrInterview.Kind.values:
        errors["kind"] = ["Choose staff interview, collateral interview or expert consultation."]
    if not who:
        errors["who"] = ["Say who was interviewed or consulted (name and role, or field)."]
    elif len(who) > 200:
        errors["who"] = ["Keep this to 200 characters."]
    if held_on is None:
        errors["held_on"] = ["Give the date."]
    elif held_on > clock.today():
        errors["held_on"] = ["The date cannot be in the future."]
    if not notes:
        errors["notes"] = ["Write the notes."]
    if errors:
        raise ValidationError(errors)
    return SqrInterview.objects.create(
        review=review, kind=kind, who=who, held_on=held_on, notes=notes, recorded_by=actor
    )


@transaction.atomic
def finding_add(
    *,
    review: SpecialQualitativeReview,
    actor: Any,
    area: str,
    scope: str,
    theme: str,
    finding: str,
) -> SqrFinding:
    """A finding in one of the three core areas (practice, policies and procedures,
    systems), internal or external to the agency, with a short theme the learning page
    counts (no names in it: the theme is shown to all quality staff)."""
    _work(actor, review)
    _unlocked(review, "findings")
    theme, finding = " ".join(_text(theme).split()), _text(finding)
    errors: dict[str, list[str]] = {}
    if area not in SqrFinding.Area.values:
        errors["area"] = ["Choose the core area."]
    if scope not in SqrFinding.Scope.values:
        errors["scope"] = ["Say whether the finding is internal or external to the agency."]
    if not theme:
        errors["theme"] = ["Give a short theme, e.g. “Safety planning”."]
    elif len(theme) > 100:
        errors["theme"] = ["Keep the theme to 100 characters."]
    if not finding:
        errors["finding"] = ["Write the finding."]
    if errors:
        raise ValidationError(errors)
    return SqrFinding.objects.create(
        review=review, area=area, scope=scope, theme=theme, finding=finding
    )


def _check_owner(owner: Any, errors: dict) -> None:
    if owner is None:
        errors["owner"] = ["Choose who owns the recommendation."]
    elif not owner.is_active or getattr(owner, "staff", None) is None:
        errors["owner"] = ["The owner must be active agency staff."]


@transaction.atomic
def recommendation_add(
    *,
    finding: SqrFinding,
    actor: Any,
    recommendation: str,
    owner: Any,
    due_on: date | None,
) -> SqrRecommendation:
    """A recommendation on a finding, with its owner and due date. It may be added after
    the report is final (recommendations are followed up long after)."""
    _work(actor, finding.review)
    recommendation = _text(recommendation)
    errors: dict[str, list[str]] = {}
    if not recommendation:
        errors["recommendation"] = ["Write the recommendation."]
    _check_owner(owner, errors)
    if due_on is None:
        errors["due_on"] = ["Give the due date."]
    if errors:
        raise ValidationError(errors)
    return SqrRecommendation.objects.create(
        finding=finding, recommendation=recommendation, owner=owner, due_on=due_on
    )


@transaction.atomic
def recommendation_update(
    *, recommendation: SqrRecommendation, actor: Any, version: int | None, **fields: Any
) -> SqrRecommendation:
    """Change a recommendation's status (open, in progress, done, not adopted), owner,
    due date or wording. Done records the day it was completed (today unless given).
    The review team changes anything; the owner, if they reach the review, its status.
    Refused on an older `version`."""
    unknown = set(fields) - set(RECOMMENDATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown recommendation fields: {sorted(unknown)}")
    review = recommendation.finding.review
    _reach(actor, review)
    owner_only = recommendation.owner_id == actor.pk and not (
        set(fields) - {"status", "completed_on"}
    )
    if not selectors.can_work(actor) and not owner_only:
        raise PermissionDenied("The review team changes recommendations; owners, the status.")
    if version is None:
        raise ValidationError({"version": ["Send the version of the recommendation you read."]})
    locked = SqrRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    if int(version) != locked.version:
        raise ValidationError({"version": [STALE_RECOMMENDATION]})
    if "recommendation" in fields:
        fields["recommendation"] = _text(fields["recommendation"])
    errors: dict[str, list[str]] = {}
    status = fields.get("status", locked.status)
    if status not in SqrRecommendation.Status.values:
        errors["status"] = ["Choose a status."]
    if "recommendation" in fields and not fields["recommendation"]:
        errors["recommendation"] = ["Write the recommendation."]
    if "owner" in fields:
        _check_owner(fields["owner"], errors)
    if "due_on" in fields and fields["due_on"] is None:
        errors["due_on"] = ["Give the due date."]
    completed_on = fields.get("completed_on", locked.completed_on)
    if status == SqrRecommendation.Status.DONE:
        completed_on = completed_on or clock.today()
        if completed_on > clock.today():
            errors["completed_on"] = ["The day it was done cannot be in the future."]
    else:
        completed_on = None
    if errors:
        raise ValidationError(errors)
    fields["completed_on"] = completed_on
    fields["status"] = status
    changed = [name for name in fields if fields[name] != getattr(locked, name)]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    locked.version += 1
    locked.save(update_fields=[*changed, "version"])
    return locked


# --- access ----------------------------------------------------------------------------------


def _require_grantor(actor: Any, review: SpecialQualitativeReview) -> None:
    if not selectors.can_grant(actor, review):
        raise PermissionDenied(
            "Only the Commissioner's office, holding access to the review, grants access."
        )


@transaction.atomic
def access_grant(*, review: SpecialQualitativeReview, user: Any, actor: Any) -> SqrGrant:
    """Give one person access to one review (a django-guardian object permission), and
    record who decided. The person is told, without being told what the review is."""
    _require_grantor(actor, review)
    if user is None or not user.is_active:
        raise ValidationError({"user": ["Grant access only to active agency staff."]})
    if getattr(user, "staff", None) is None and not user.is_superuser:
        raise ValidationError({"user": ["Grant access only to agency staff with a role."]})
    if review.pk in selectors.reachable_ids(user):
        raise ValidationError({"user": [f"{user.get_full_name() or user} already has access."]})
    grant = _grant(review, user, actor)
    notification_send(
        recipient=user,
        kind="sqr_access",
        subject="You were given access to a confidential review",
        body=(
            "The Commissioner's office gave you access to a Special Qualitative Review in "
            "Hearth. It is confidential and privileged: do not share it, and note that every "
            "view, print and download is logged."
        ),
        link=review_link(review),
    )
    return grant


@transaction.atomic
def access_revoke(*, review: SpecialQualitativeReview, user: Any, actor: Any) -> int:
    """Take a person's access away at once (their next request is refused). Grantors do
    not revoke their own access: another grantor does, so a review is never left with
    nobody to grant it. Returns how many grants were closed."""
    _require_grantor(actor, review)
    if user.pk == actor.pk:
        raise ValidationError({"user": ["Ask another grantor to remove your own access."]})
    remove_perm(selectors.VIEW_PERM, user, review)
    selectors.forget_grants(user)
    closed = SqrGrant.objects.filter(review=review, user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_by=actor
    )
    if not closed:
        raise ValidationError({"user": ["This person has no access to revoke."]})
    return closed


@transaction.atomic
def external_share_record(
    *,
    review: SpecialQualitativeReview,
    shared_with: str,
    purpose: str,
    authorized_by: Any,
    shared_on: date | None,
    actor: Any,
) -> SqrExternalShare:
    """Record that the review was shared outside the agency, and who in the
    Commissioner's office authorized it. Recorded by someone who reaches the review."""
    _reach(actor, review)
    shared_with, purpose = _text(shared_with), _text(purpose)
    errors: dict[str, list[str]] = {}
    if not shared_with:
        errors["shared_with"] = ["Say with whom (person and organisation)."]
    elif len(shared_with) > 200:
        errors["shared_with"] = ["Keep this to 200 characters."]
    if not purpose:
        errors["purpose"] = ["Say why it was shared."]
    if (
        authorized_by is None
        or not authorized_by.is_active
        or user_role(authorized_by) != Role.COMMISSIONERS_OFFICE
    ):
        errors["authorized_by"] = [
            "Sharing outside the agency is authorized by the Commissioner or a designee in "
            "the Commissioner's office."
        ]
    if shared_on is None:
        errors["shared_on"] = ["Give the date it was shared."]
    elif shared_on > clock.today():
        errors["shared_on"] = ["The date cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    share = SqrExternalShare.objects.create(
        review=review,
        shared_with=shared_with,
        purpose=purpose,
        authorized_by=authorized_by,
        shared_on=shared_on,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    access_log_record(review=review, user=actor, action="share", what=f"shared with {shared_with}")
    return share


# --- reminders -------------------------------------------------------------------------------


def sqr_recommendation_reminders_send(*, today: date) -> int:
    """Remind each owner of a recommendation still open or in progress once when it is
    due within REMINDER_DAYS, and once more when it is overdue. The notice says only
    when it is due; the link opens the review for owners who reach it. Returns how many
    notices were sent."""
    notices = []
    reach: dict[int, list[int]] = {}
    for rec in selectors.due_recommendations(today=today, within_days=REMINDER_DAYS):
        if rec.owner_id not in reach:
            reach[rec.owner_id] = selectors.reachable_ids(rec.owner)
        due = f"{rec.due_on:%a} {rec.due_on.day} {rec.due_on:%b %Y}"
        if rec.due_on < today:
            kind = "sqr_recommendation_overdue"
            subject = f"A review recommendation you own was due on {due}"
        else:
            kind = "sqr_recommendation_due"
            subject = f"A review recommendation you own is due by {due}"
        reachable = rec.finding.review_id in reach[rec.owner_id]
        notices.append(
            {
                "recipient": rec.owner,
                "kind": kind,
                "subject": subject,
                "body": (
                    "A recommendation of a confidential Special Qualitative Review is "
                    "assigned to you. "
                    + (
                        "Open it in Hearth to record its progress."
                        if reachable
                        else "Ask the Commissioner's office for access to record its progress."
                    )
                ),
                "link": reverse("quality:sqr_detail", args=[rec.finding.review_id])
                if reachable
                else "",
                "dedupe_key": reminder_key(rec, kind, rec.due_on.isoformat()),
            }
        )
    used = set(
        Notification.objects.filter(dedupe_key__in={n["dedupe_key"] for n in notices}).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    sent = 0
    for notice in notices:
        if (notice["recipient"].pk, notice["dedupe_key"]) in used:
            continue
        sent += notification_send(**notice) is not None
    return sent
