"""Writes for supervision: the monthly supervisory case review with its agreed next steps,
the worker's acknowledgement, next steps marked done, reflective and group supervision
notes per unit, and the reminder sweep for next steps.

Who may do what (the rules live here, so the pages, the API and the admin agree):
- a review is recorded and changed by someone who supervises the case
  (casework.selectors.supervises: its unit's supervisor, its office's area administrator)
  or holds `casework.approve_casework` on that case alone (an acting supervisor);
- only the review's worker acknowledges it, once; changing an acknowledged review asks
  the worker to acknowledge it again;
- only a next step's owner marks it done;
- only a unit's supervisor records and changes its supervision notes.

Every function validates everything first and raises `ValidationError({field: [...]})`
before saving anything, so a review with one bad next step saves nothing. Errors about a
next step are keyed `next_steps.<index>.<field>` (the index in the list given). Changes
carry the `version` the user read and are refused when the record changed since.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.models import Notification, Unit
from agency.services import notification_send, reminder_key
from casework.audit import with_actor
from casework.models import Case, NextStep, SupervisionNote, SupervisoryReview
from casework.selectors import rules as casework_rules
from casework.selectors.assessments import short_date
from casework.selectors.supervision import may_supervise, may_write_notes, unit_members

Focus = SupervisoryReview.Focus

REVIEW_FIELDS = ("held_on", "worker", "focus_areas", "discussion", "clinical_guidance")
STEP_FIELDS = ("description", "owner", "due_on")
NOTE_FIELDS = ("kind", "held_on", "attendees", "topics", "notes")

STALE_MESSAGE = (
    "Someone else changed this record after you opened it. Reload the page to see their "
    "changes, then make yours again."
)
VERSION_MISSING = "Send the version of the record you read."
STEP_MAX = NextStep._meta.get_field("description").max_length
NOTE_MAX = NextStep._meta.get_field("done_note").max_length
TOPICS_MAX = SupervisionNote._meta.get_field("topics").max_length


# --- links and names -----------------------------------------------------------------------------


def review_link(review: SupervisoryReview) -> str:
    return reverse("casework:supervision_review", args=[review.pk])


def note_link(note: SupervisionNote) -> str:
    return reverse("casework:supervision_note", args=[note.pk])


def display_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


# --- validation helpers --------------------------------------------------------------------------


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _as_date(value: Any) -> date | str | None:
    """A date, None for blank, or "bad" for something that is not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return "bad"
    return value if isinstance(value, date) else "bad"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_version(locked: Any, version: Any, errors: dict) -> None:
    if version in (None, ""):
        errors["version"] = [VERSION_MISSING]
        return
    try:
        matches = int(version) == locked.version
    except (TypeError, ValueError):
        matches = False
    if not matches:
        errors["version"] = [STALE_MESSAGE]


def _held_on(errors: dict, value: Any, *, not_before: date | None, what: str) -> date | None:
    day = _as_date(value)
    today = clock.today()
    if day is None:
        errors["held_on"] = [f"Enter the date of the {what}."]
    elif day == "bad":
        errors["held_on"] = [f"Enter the date of the {what} as a date (YYYY-MM-DD)."]
    elif day > today:
        errors["held_on"] = [f"The date of the {what} cannot be in the future."]
    elif not_before is not None and day < not_before:
        errors["held_on"] = [
            f"The case opened on {not_before:%-d %b %Y}; the {what} comes on or after that."
        ]
    else:
        return day
    return None


def _focus_areas(errors: dict, value: Any) -> list[str]:
    chosen = [value] if isinstance(value, str) else list(value or [])
    unknown = [str(v) for v in chosen if v not in Focus.values]
    if unknown:
        errors["focus_areas"] = [
            f"Unknown focus area: {', '.join(unknown)}. Choose among: "
            f"{', '.join(Focus.labels).lower()}."
        ]
    elif not chosen:
        errors["focus_areas"] = ["Choose at least one focus area you discussed."]
    # Kept in the order of the list, whatever order they came in.
    return [v for v in Focus.values if v in chosen]


def case_workers(case: Case) -> list[Any]:
    """The case's assigned workers: primary, then secondary (if any)."""
    return [w for w in (case.primary_worker, case.secondary_worker) if w is not None]


def step_owners(case: Case, supervisor: Any) -> list[Any]:
    """Who may own a next step agreed on `case`: its workers and the supervisor."""
    owners = case_workers(case)
    if supervisor is not None and supervisor.pk not in {o.pk for o in owners}:
        owners.append(supervisor)
    return owners


def _step(
    errors: dict,
    index: int,
    fields: dict,
    *,
    owners: dict[int, Any],
    held_on: date | None,
    creating: bool,
) -> dict:
    """Validate one next step's fields (all of them when creating)."""
    prefix = f"next_steps.{index}."
    cleaned: dict[str, Any] = {}
    if creating:
        fields = {"description": "", "owner": None, "due_on": None} | fields
    if "description" in fields:
        text = _text(fields["description"])
        if not text:
            errors[prefix + "description"] = ["Say what is to be done."]
        elif len(text) > STEP_MAX:
            errors[prefix + "description"] = [f"Use at most {STEP_MAX} characters."]
        else:
            cleaned["description"] = text
    if "owner" in fields:
        owner = owners.get(_pk(fields["owner"])) if fields["owner"] not in (None, "") else None
        if fields["owner"] in (None, ""):
            errors[prefix + "owner"] = ["Choose who will do it."]
        elif owner is None:
            errors[prefix + "owner"] = [
                "Choose the owner among the case's workers and the supervisor."
            ]
        else:
            cleaned["owner"] = owner
    if "due_on" in fields:
        due = _as_date(fields["due_on"])
        if due is None:
            errors[prefix + "due_on"] = ["Enter the date it is due."]
        elif due == "bad":
            errors[prefix + "due_on"] = ["Enter the due date as a date (YYYY-MM-DD)."]
        elif held_on is not None and due < held_on:
            errors[prefix + "due_on"] = ["A next step is due on or after the review."]
        else:
            cleaned["due_on"] = due
    return cleaned


def _unknown(fields: Iterable[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unknown fields: {unknown}")


def _locked_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "primary_worker", "secondary_worker")
        .get(pk=case.pk)
    )


# --- notices -------------------------------------------------------------------------------------


def _notify_worker(review: SupervisoryReview, *, again: bool) -> None:
    case = review.case
    if review.worker_id == review.supervisor_id:
        return
    subject = (
        f"Supervisory review changed, acknowledge it again: {case.number} {case.name}"
        if again
        else f"Supervisory review to acknowledge: {case.number} {case.name}"
    )
    steps = "\n".join(
        f"- {step.description} (due {short_date(step.due_on)}, {display_name(step.owner)})"
        for step in review.next_steps.select_related("owner").filter(done_on__isnull=True)
    )
    body = f"{display_name(review.supervisor)} reviewed the case with you on " + (
        f"{review.held_on:%-d %b %Y}. Read it and acknowledge it."
        + (f"\nAgreed next steps:\n{steps}" if steps else "")
    )
    notification_send(
        recipient=review.worker,
        kind="supervisory_review",
        subject=subject,
        body=body,
        link=review_link(review),
    )


def _notify_owners(review: SupervisoryReview, steps: Iterable[NextStep], actor: Any) -> None:
    """Owners of new steps other than the supervisor and the review's worker (who hears
    about the whole review) are told of theirs."""
    for step in steps:
        if step.owner_id in (actor.pk, review.worker_id):
            continue
        notification_send(
            recipient=step.owner,
            kind="next_step_assigned",
            subject=f"Next step for you on {review.case.number}: {step.description}"[:200],
            body=f"Agreed in the supervisory review of {review.held_on:%-d %b %Y}; "
            f"due {step.due_on:%-d %b %Y}.",
            link=review_link(review),
        )


# --- reviews -------------------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    case: Case,
    actor: Any,
    held_on: Any,
    focus_areas: Any,
    discussion: str,
    clinical_guidance: str = "",
    worker: Any = None,
    next_steps: Sequence[dict] = (),
) -> SupervisoryReview:
    """Record a supervisory review of an open case with its agreed next steps, all or
    nothing. `worker` defaults to the case's primary worker and is one of the case's
    workers; each next step (description, owner, due_on) is owned by one of the case's
    workers or the supervisor recording it. The worker is asked to acknowledge it."""
    case = _locked_case(case)
    if not may_supervise(actor, case):
        raise PermissionDenied("Only the case's supervisor records supervisory reviews.")
    errors: dict[str, list[str]] = {}
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} is closed."]
    day = _held_on(errors, held_on, not_before=case.opened_on, what="review")
    areas = _focus_areas(errors, focus_areas)
    discussion = _text(discussion)
    if not discussion:
        errors["discussion"] = ["Say what you discussed."]
    workers = {w.pk: w for w in case_workers(case)}
    chosen = case.primary_worker if worker in (None, "") else workers.get(_pk(worker))
    if chosen is None:
        errors["worker"] = ["Choose one of the case's workers."]
    owners = {o.pk: o for o in step_owners(case, actor)}
    steps = []
    for index, fields in enumerate(next_steps):
        _unknown(fields, STEP_FIELDS)
        steps.append(_step(errors, index, fields, owners=owners, held_on=day, creating=True))
    if errors:
        raise ValidationError(errors)
    review = SupervisoryReview(
        case=case,
        held_on=day,
        supervisor=actor,
        worker=chosen,
        focus_areas=areas,
        discussion=discussion,
        clinical_guidance=_text(clinical_guidance),
        recorded_at=clock.now(),
    )
    with_actor(review, actor).save()
    created = []
    for cleaned in steps:
        step = NextStep(review=review, case=case, **cleaned)
        with_actor(step, actor).save()
        created.append(step)
    transaction.on_commit(lambda: _after_record(review.pk, [s.pk for s in created], actor))
    return review


def _after_record(review_id: int, step_ids: list[int], actor: Any, *, again=False) -> None:
    review = (
        SupervisoryReview.objects.select_related("case", "supervisor", "worker")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        return
    _notify_worker(review, again=again)
    _notify_owners(review, NextStep.objects.filter(pk__in=step_ids).select_related("owner"), actor)


@transaction.atomic
def review_update(
    *, review: SupervisoryReview, actor: Any, version: Any, **fields: Any
) -> SupervisoryReview:
    """Change a review: any of held_on, worker, focus_areas, discussion,
    clinical_guidance, and `next_steps`, a list of changes: {"description", "owner",
    "due_on"} adds a step; with "id" changes that step of this review; {"id", "remove":
    True} removes it. Steps already done cannot change. Refused when `version` is not the
    one stored (someone changed the review since). An acknowledged review that changes
    goes back to the worker to acknowledge again."""
    _unknown(fields, (*REVIEW_FIELDS, "next_steps"))
    case = _locked_case(review.case)
    locked = (
        SupervisoryReview.objects.select_for_update()
        .select_related("supervisor", "worker")
        .get(pk=review.pk)
    )
    if not may_supervise(actor, case):
        raise PermissionDenied("Only the case's supervisor changes supervisory reviews.")
    errors: dict[str, list[str]] = {}
    _check_version(locked, version, errors)
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} is closed."]
    cleaned: dict[str, Any] = {}
    if "held_on" in fields:
        cleaned["held_on"] = _held_on(
            errors, fields["held_on"], not_before=case.opened_on, what="review"
        )
    if "focus_areas" in fields:
        cleaned["focus_areas"] = _focus_areas(errors, fields["focus_areas"])
    if "discussion" in fields:
        cleaned["discussion"] = _text(fields["discussion"])
        if not cleaned["discussion"]:
            errors["discussion"] = ["Say what you discussed."]
    if "clinical_guidance" in fields:
        cleaned["clinical_guidance"] = _text(fields["clinical_guidance"])
    if "worker" in fields:
        workers = {w.pk: w for w in case_workers(case)}
        workers.setdefault(locked.worker_id, locked.worker)
        chosen = workers.get(_pk(fields["worker"]))
        if chosen is None:
            errors["worker"] = ["Choose one of the case's workers."]
        cleaned["worker"] = chosen
    held_on = cleaned.get("held_on", locked.held_on)
    existing = {
        step.pk: step
        for step in NextStep.objects.select_for_update()
        .filter(review=locked)
        .select_related("owner")
    }
    owners = {o.pk: o for o in step_owners(case, locked.supervisor)}
    owners.setdefault(actor.pk, actor)
    additions, changes, removals = [], [], []
    for index, change in enumerate(fields.get("next_steps") or ()):
        change = dict(change)
        _unknown(change, (*STEP_FIELDS, "id", "remove"))
        step_id = change.pop("id", None)
        remove = bool(change.pop("remove", False))
        if step_id in (None, ""):
            if remove:
                continue  # an empty row marked for removal
            additions.append(
                _step(errors, index, change, owners=owners, held_on=held_on, creating=True)
            )
            continue
        try:
            step = existing.get(int(_pk(step_id)))
        except (TypeError, ValueError):
            step = None
        if step is None:
            errors[f"next_steps.{index}.id"] = ["This next step is not part of this review."]
            continue
        if step.done_on is not None:
            errors[f"next_steps.{index}.description"] = [
                f"This step was marked done on {step.done_on:%-d %b %Y}; it can no longer change."
            ]
            continue
        if remove:
            removals.append(step)
            continue
        step_owners_here = owners | {step.owner_id: step.owner}
        step_fields = _step(
            errors, index, change, owners=step_owners_here, held_on=held_on, creating=False
        )
        changes.append((step, step_fields))
    if held_on is not None and "held_on" not in errors:
        # A step kept as it was may now fall before a review date moved later.
        touched = {step.pk for step in removals} | {
            step.pk for step, step_fields in changes if "due_on" in step_fields
        }
        early = [
            step.description[:60]
            for step in existing.values()
            if step.pk not in touched and step.done_on is None and step.due_on < held_on
        ]
        if early:
            errors["held_on"] = [
                "Next steps are due on or after the review; change the due date of: "
                + "; ".join(early)
                + "."
            ]
    if errors:
        raise ValidationError(errors)

    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, cleaned[name])
    steps_changed = bool(additions or removals)
    for step in removals:
        with_actor(step, actor).delete()
    for step, step_fields in changes:
        names = [n for n, v in step_fields.items() if getattr(step, n) != v]
        if names:
            for name in names:
                setattr(step, name, step_fields[name])
            step.version += 1
            with_actor(step, actor).save(update_fields=[*names, "version"])
            steps_changed = True
    created = []
    for step_fields in additions:
        step = NextStep(review=locked, case=case, **step_fields)
        with_actor(step, actor).save()
        created.append(step)
    if not changed and not steps_changed:
        return locked
    again = locked.acknowledged_at is not None
    if again:
        locked.acknowledged_at = None
        locked.worker_comment = ""
        changed += ["acknowledged_at", "worker_comment"]
    locked.version += 1
    with_actor(locked, actor).save(update_fields=[*changed, "version"])
    if again or "worker" in changed:
        review_id, step_ids = locked.pk, [s.pk for s in created]
        transaction.on_commit(lambda: _after_record(review_id, step_ids, actor, again=again))
    elif created:
        steps_to_tell = [s.pk for s in created]
        transaction.on_commit(
            lambda: _notify_owners(
                locked, NextStep.objects.filter(pk__in=steps_to_tell).select_related("owner"), actor
            )
        )
    return locked


@transaction.atomic
def review_acknowledge(
    *, review: SupervisoryReview, actor: Any, comment: str = "", version: Any = None
) -> SupervisoryReview:
    """The review's worker acknowledges it, with an optional comment. Once; refused when
    `version` is given and the review changed since the worker read it."""
    locked = (
        SupervisoryReview.objects.select_for_update()
        .select_related("case", "supervisor", "worker")
        .get(pk=review.pk)
    )
    if actor.pk != locked.worker_id:
        raise PermissionDenied("Only the review's worker acknowledges it.")
    errors: dict[str, list[str]] = {}
    if version not in (None, ""):
        _check_version(locked, version, errors)
    if locked.acknowledged_at is not None:
        when = timezone.localtime(locked.acknowledged_at)
        errors[NON_FIELD_ERRORS] = [f"You acknowledged this review on {when:%-d %b %Y}."]
    if errors:
        raise ValidationError(errors)
    locked.acknowledged_at = clock.now()
    locked.worker_comment = _text(comment)
    locked.version += 1
    with_actor(locked, actor).save(update_fields=["acknowledged_at", "worker_comment", "version"])
    return locked


# --- next steps ----------------------------------------------------------------------------------


@transaction.atomic
def next_step_complete(
    *, step: NextStep, actor: Any, done_on: Any, note: str = "", version: Any = None
) -> NextStep:
    """The step's owner marks it done on `done_on` (not in the future, not before the
    review), with an optional note. It then leaves the caseload."""
    locked = NextStep.objects.select_for_update().select_related("review").get(pk=step.pk)
    if actor.pk != locked.owner_id:
        raise PermissionDenied("Only the step's owner marks it done.")
    errors: dict[str, list[str]] = {}
    if version not in (None, ""):
        _check_version(locked, version, errors)
    if locked.done_on is not None:
        errors[NON_FIELD_ERRORS] = [f"This step was marked done on {locked.done_on:%-d %b %Y}."]
    day = _as_date(done_on)
    if day is None:
        errors["done_on"] = ["Enter the date it was done."]
    elif day == "bad":
        errors["done_on"] = ["Enter the date it was done as a date (YYYY-MM-DD)."]
    elif day > clock.today():
        errors["done_on"] = ["The date it was done cannot be in the future."]
    elif day < locked.review.held_on:
        errors["done_on"] = [
            f"The step was agreed on {locked.review.held_on:%-d %b %Y}; it was done on or "
            "after that."
        ]
    note = _text(note)
    if len(note) > NOTE_MAX:
        errors["note"] = [f"Use at most {NOTE_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    locked.done_on = day
    locked.done_note = note
    locked.version += 1
    with_actor(locked, actor).save(update_fields=["done_on", "done_note", "version"])
    return locked


# --- supervision notes ---------------------------------------------------------------------------


def _note_fields(errors: dict, unit: Unit, fields: dict, *, creating: bool) -> dict:
    cleaned: dict[str, Any] = {}
    if creating:
        fields = {"kind": "", "held_on": None, "attendees": (), "topics": "", "notes": ""} | fields
    if "kind" in fields:
        if fields["kind"] in SupervisionNote.Kind.values:
            cleaned["kind"] = fields["kind"]
        else:
            errors["kind"] = ["Choose reflective or group supervision."]
    if "held_on" in fields:
        cleaned["held_on"] = _held_on(errors, fields["held_on"], not_before=None, what="session")
    if "topics" in fields:
        topics = _text(fields["topics"])
        if not topics:
            errors["topics"] = ["Say what the session was about."]
        elif len(topics) > TOPICS_MAX:
            errors["topics"] = [f"Use at most {TOPICS_MAX} characters."]
        cleaned["topics"] = topics
    if "notes" in fields:
        cleaned["notes"] = _text(fields["notes"])
        if not cleaned["notes"]:
            errors["notes"] = ["Write the notes of the session."]
    if "attendees" in fields:
        wanted = {_pk(a) for a in fields["attendees"] or ()}
        members = {u.pk: u for u in unit_members(unit).filter(pk__in=wanted)} if wanted else {}
        if set(members) != wanted:
            errors["attendees"] = [f"Choose attendees among the members of {unit.name}."]
        cleaned["attendees"] = list(members.values())
    return cleaned


@transaction.atomic
def note_record(*, unit: Unit, actor: Any, **fields: Any) -> SupervisionNote:
    """The unit's supervisor records a reflective or group supervision session: kind,
    held_on (not in the future), attendees among the unit's members, topics, notes."""
    _unknown(fields, NOTE_FIELDS)
    if not may_write_notes(actor, unit):
        raise PermissionDenied("Only the unit's supervisor records its supervision notes.")
    errors: dict[str, list[str]] = {}
    cleaned = _note_fields(errors, unit, fields, creating=True)
    if errors:
        raise ValidationError(errors)
    attendees = cleaned.pop("attendees")
    note = SupervisionNote(unit=unit, supervisor=actor, recorded_at=clock.now(), **cleaned)
    with_actor(note, actor).save()
    note.attendees.set(attendees)
    return note


@transaction.atomic
def note_update(
    *, note: SupervisionNote, actor: Any, version: Any, **fields: Any
) -> SupervisionNote:
    """Change a supervision note (the unit's supervisor), refused when `version` is not
    the one stored."""
    _unknown(fields, NOTE_FIELDS)
    locked = SupervisionNote.objects.select_for_update().select_related("unit").get(pk=note.pk)
    if not may_write_notes(actor, locked.unit):
        raise PermissionDenied("Only the unit's supervisor changes its supervision notes.")
    errors: dict[str, list[str]] = {}
    _check_version(locked, version, errors)
    cleaned = _note_fields(errors, locked.unit, fields, creating=False)
    if errors:
        raise ValidationError(errors)
    attendees = cleaned.pop("attendees", None)
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    attendees_changed = attendees is not None and {a.pk for a in attendees} != set(
        locked.attendees.values_list("pk", flat=True)
    )
    if not changed and not attendees_changed:
        return locked
    for name in changed:
        setattr(locked, name, cleaned[name])
    locked.version += 1
    if attendees_changed:
        locked._change_reason = "Attendees: " + (
            ", ".join(sorted(display_name(a) for a in attendees)) or "none"
        )
    with_actor(locked, actor).save(update_fields=[*changed, "version"])
    if attendees_changed:
        locked.attendees.set(attendees)
    return locked


# --- reminders -----------------------------------------------------------------------------------


def _send_new(notices: list[dict]) -> int:
    """Send the notices whose (recipient, key) is not used yet: the keys already used are
    read in one query; the unique index on notifications settles a race."""
    notices = [n for n in notices if n["recipient"] is not None]
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


def next_step_reminders_send(*, today: date) -> int:
    """Next steps not done on open cases: the owner hears when one is due within
    CaseworkRules.next_step_reminder_days (3 by default), once per step and threshold;
    when one is overdue, the owner and the case's unit supervisor hear once. Safe to run
    twice. Returns the number of notices sent."""
    days = casework_rules().next_step_reminder_days
    steps = (
        NextStep.objects.filter(
            done_on__isnull=True,
            due_on__lte=today + timedelta(days=days),
            case__status=Case.Status.OPEN,
        )
        .select_related("owner", "case__unit__supervisor", "review")
        .order_by("due_on", "pk")
    )
    notices = []
    for step in steps.iterator(chunk_size=2000):
        case = step.case
        link = review_link(step.review)
        if step.due_on >= today:
            notices.append(
                {
                    "recipient": step.owner,
                    "kind": "next_step_due_soon",
                    "subject": f"Next step due {step.due_on:%-d %b}: {step.description}"[:200],
                    "body": f"Case {case.number} {case.name}: agreed in the supervisory review "
                    f"of {step.review.held_on:%-d %b %Y}. Mark it done when it is.",
                    "link": link,
                    "dedupe_key": reminder_key(
                        step, "next_step_due_soon", f"{days}d:{step.due_on}"
                    ),
                }
            )
            continue
        key = reminder_key(step, "next_step_overdue", str(step.due_on))
        for recipient in (step.owner, case.unit.supervisor):
            notices.append(
                {
                    "recipient": recipient,
                    "kind": "next_step_overdue",
                    "subject": f"Next step overdue (due {step.due_on:%-d %b}): {step.description}"[
                        :200
                    ],
                    "body": f"Case {case.number} {case.name}: {display_name(step.owner)} has not "
                    f"marked it done. Agreed in the supervisory review of "
                    f"{step.review.held_on:%-d %b %Y}.",
                    "link": link,
                    "dedupe_key": key,
                }
            )
    # The owner may be the supervisor: one notice each.
    unique = {(n["recipient"].pk if n["recipient"] else None, n["dedupe_key"]): n for n in notices}
    return _send_new(list(unique.values()))
