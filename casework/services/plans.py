"""Writes for case plans: versions, goals with steps, services and referrals, family
participation, permanency goals, and the supervisor's approval.

A case has at most one plan version open at a time (draft, submitted or returned) and
at most one approved. Starting a new version while one is approved copies its goals,
steps, services and family fields into the draft, so the family revises rather than
retypes; approving the new version supersedes the old one, whose rows are kept.

A service may come from the provider directory (casework.ProviderService: it fills in
the provider, type and evidence-based flag) or be typed in for an unlisted provider; a
referral then moves sent, accepted, started, completed (or declined) with the day of
each step (`service_referral_update`).

Goals, steps and services are added and changed while the plan is a draft or returned.
On an APPROVED plan only their `status` (and a service's started/ended dates) may be
updated: progress is recorded without a new version. Every function validates first (a
ValidationError keyed by field, nothing saved) and names its actor in the history.
"""

import calendar
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from agency import clock
from agency.calendar import TIMEZONE
from agency.concurrency import lock_for_edit
from agency.services import notification_send
from casework.audit import with_actor
from casework.models import (
    Case,
    CasePlan,
    Placement,
    PlanGoal,
    PlanService,
    PlanStep,
    ProviderService,
)
from casework.selectors import rules as casework_rules
from casework.selectors import supervises

APPROVE_PERM = "casework.approve_casework"
Status = CasePlan.Status
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
PLAN_FIELDS = (
    "family_participants",
    "family_led",
    "maternal_family_engaged",
    "paternal_family_engaged",
    "permanency_goal",
    "concurrent_goal",
)
_BOOL_FIELDS = ("family_led", "maternal_family_engaged", "paternal_family_engaged")
GOAL_FIELDS = ("description", "responsible", "target_date", "status", "order")
STEP_FIELDS = GOAL_FIELDS
SERVICE_FIELDS = (
    "goal",
    "provider_service",
    "provider",
    "service_type",
    "evidence_based",
    "status",
    "referred_on",
    "started_on",
    "ended_on",
)
# What may still change on an approved plan (progress, not content).
PROGRESS_FIELDS = {"status"}
SERVICE_PROGRESS_FIELDS = {"status", "started_on", "ended_on"}


# --- pure helpers --------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months, clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_link(plan: CasePlan) -> str:
    return reverse("casework:plan_detail", args=[plan.pk])


def has_child_in_care(case: Case) -> bool:
    """Whether a child on the case is in an open placement. One query."""
    return Placement.objects.filter(
        case=case, end_date__isnull=True, entered_in_error=False
    ).exists()


def _locked(plan: CasePlan) -> CasePlan:
    return (
        CasePlan.objects.select_for_update(of=("self",))
        .select_related("case__unit", "author")
        .get(pk=plan.pk)
    )


def _refuse_unless_editable(plan: CasePlan, *, progress_only_ok: bool = False) -> None:
    if plan.case.status != Case.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [f"Case {plan.case.number} is closed."]})
    allowed = EDITABLE_STATUSES + ((Status.APPROVED,) if progress_only_ok else ())
    if plan.status not in allowed:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This plan is {plan.get_status_display().lower()}; only a draft or a "
                    "returned plan can be changed."
                ]
            }
        )


def _text(errors, cleaned, fields, name, label, *, required=True, max_length=None):
    if name not in fields:
        return
    value = "" if fields[name] is None else str(fields[name]).strip()
    if required and not value:
        errors[name] = [f"Enter {label}."]
    elif max_length and len(value) > max_length:
        errors[name] = [f"Use at most {max_length} characters."]
    else:
        cleaned[name] = value


def _date(errors, cleaned, fields, name, label, *, required=True):
    if name not in fields:
        return
    value = fields[name]
    if value in (None, ""):
        if required:
            errors[name] = [f"Enter {label}."]
        else:
            cleaned[name] = None
        return
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors[name] = [f"Enter {label} as a date (YYYY-MM-DD)."]
            return
    if not isinstance(value, date):
        errors[name] = [f"Enter {label} as a date."]
        return
    cleaned[name] = value


def _choice(errors, cleaned, fields, name, choices, *, blank_ok=False):
    if name not in fields:
        return
    value = fields[name] or ""
    if (blank_ok and value == "") or value in choices.values:
        cleaned[name] = value
    else:
        errors[name] = [f"Choose one of: {', '.join(choices.labels)}."]


def _unknown(fields, allowed, errors):
    for name in fields:
        if name not in allowed:
            errors[name] = ["This field cannot be changed here."]


def _item_fields(fields: dict, *, creating: bool, choices) -> tuple[dict, dict]:
    """Validate a goal's or step's fields."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    _unknown(fields, GOAL_FIELDS, errors)
    if creating:
        fields = {"description": "", "responsible": "", "target_date": None} | fields
    _text(errors, cleaned, fields, "description", "what is to be done")
    _text(errors, cleaned, fields, "responsible", "who is responsible", max_length=200)
    _date(errors, cleaned, fields, "target_date", "the target date")
    _choice(errors, cleaned, fields, "status", choices)
    if "order" in fields:
        try:
            cleaned["order"] = max(0, int(fields["order"]))
        except (TypeError, ValueError):
            errors["order"] = ["Enter a whole number."]
    return cleaned, errors


def _apply(obj, cleaned: dict, actor) -> None:
    changed = [name for name, value in cleaned.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, cleaned[name])
    if changed:
        with_actor(obj, actor).save(update_fields=changed)


def _progress_only(plan: CasePlan, cleaned: dict, allowed: set) -> None:
    if plan.status == Status.APPROVED:
        other = sorted(set(cleaned) - allowed)
        if other:
            raise ValidationError(
                {
                    name: [
                        "The plan is approved: only progress (the status) can be recorded; "
                        "start a new version to change this."
                    ]
                    for name in other
                }
            )


# --- the plan ------------------------------------------------------------------------------------


@transaction.atomic
def plan_start(*, case: Case, actor: Any) -> CasePlan:
    """Start the next version of the case's plan, copying the approved version's goals,
    steps, services and family fields when there is one. Refused while another version
    is open (draft, submitted or returned) or the case is closed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"Case {case.number} is closed; reopen it first."]}
        )
    plans = list(CasePlan.objects.filter(case=case).order_by("-version"))
    open_plan = next((p for p in plans if p.status in OPEN_STATUSES), None)
    if open_plan is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"Version {open_plan.version} of this plan is "
                    f"{open_plan.get_status_display().lower()}; finish that one first."
                ]
            }
        )
    approved = next((p for p in plans if p.status == Status.APPROVED), None)
    plan = CasePlan(
        case=case,
        version=(plans[0].version + 1) if plans else 1,
        status=Status.DRAFT,
        author=actor,
        created_at=clock.now(),
    )
    if approved is not None:
        for name in PLAN_FIELDS:
            setattr(plan, name, getattr(approved, name))
    with_actor(plan, actor).save()
    if approved is not None:
        goal_map: dict[int, PlanGoal] = {}
        for goal in approved.goals.prefetch_related("steps"):
            copy = PlanGoal(
                plan=plan,
                order=goal.order,
                description=goal.description,
                responsible=goal.responsible,
                target_date=goal.target_date,
                status=goal.status,
            )
            with_actor(copy, actor).save()
            goal_map[goal.pk] = copy
            for step in goal.steps.all():
                with_actor(
                    PlanStep(
                        goal=copy,
                        order=step.order,
                        description=step.description,
                        responsible=step.responsible,
                        target_date=step.target_date,
                        status=step.status,
                    ),
                    actor,
                ).save()
        for service in approved.services.all():
            with_actor(
                PlanService(
                    plan=plan,
                    goal=goal_map.get(service.goal_id),
                    provider_service_id=service.provider_service_id,
                    provider=service.provider,
                    service_type=service.service_type,
                    evidence_based=service.evidence_based,
                    status=service.status,
                    referred_on=service.referred_on,
                    accepted_on=service.accepted_on,
                    started_on=service.started_on,
                    ended_on=service.ended_on,
                    decline_reason=service.decline_reason,
                ),
                actor,
            ).save()
    return plan


@transaction.atomic
def plan_update(
    *, plan: CasePlan, actor: Any, edit_token: str | None = None, **fields: Any
) -> CasePlan:
    """Change a draft or returned plan's family and permanency fields. Refused when
    `edit_token` is stale (agency.concurrency)."""
    lock_for_edit(plan, edit_token)
    plan = _locked(plan)  # the same row, with its case and author
    _refuse_unless_editable(plan)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    _unknown(fields, PLAN_FIELDS, errors)
    _text(errors, cleaned, fields, "family_participants", "who took part", required=False)
    for name in _BOOL_FIELDS:
        if name in fields:
            cleaned[name] = bool(fields[name])
    for name in ("permanency_goal", "concurrent_goal"):
        _choice(errors, cleaned, fields, name, CasePlan.PermanencyGoal, blank_ok=True)
    goal = cleaned.get("permanency_goal", plan.permanency_goal)
    concurrent = cleaned.get("concurrent_goal", plan.concurrent_goal)
    if not errors and concurrent and concurrent == goal:
        errors["concurrent_goal"] = ["The concurrent plan differs from the permanency goal."]
    if errors:
        raise ValidationError(errors)
    _apply(plan, cleaned, actor)
    return plan


@transaction.atomic
def goal_add(*, plan: CasePlan, actor: Any, **fields: Any) -> PlanGoal:
    plan = _locked(plan)
    _refuse_unless_editable(plan)
    cleaned, errors = _item_fields(fields, creating=True, choices=PlanGoal.Status)
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("order", plan.goals.count() + 1)
    goal = PlanGoal(plan=plan, **cleaned)
    with_actor(goal, actor).save()
    return goal


@transaction.atomic
def goal_update(
    *, goal: PlanGoal, actor: Any, edit_token: str | None = None, **fields: Any
) -> PlanGoal:
    """Change a goal (draft or returned plan); on an approved plan only its status.
    Refused when `edit_token` (the goal's) is stale (agency.concurrency)."""
    plan = _locked(goal.plan)  # the plan first, as every writer of its items does
    goal = lock_for_edit(goal, edit_token)
    _refuse_unless_editable(plan, progress_only_ok=True)
    cleaned, errors = _item_fields(fields, creating=False, choices=PlanGoal.Status)
    if errors:
        raise ValidationError(errors)
    _progress_only(plan, cleaned, PROGRESS_FIELDS)
    _apply(goal, cleaned, actor)
    return goal


@transaction.atomic
def step_add(*, goal: PlanGoal, actor: Any, **fields: Any) -> PlanStep:
    plan = _locked(goal.plan)
    _refuse_unless_editable(plan)
    cleaned, errors = _item_fields(fields, creating=True, choices=PlanGoal.Status)
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("order", goal.steps.count() + 1)
    step = PlanStep(goal=goal, **cleaned)
    with_actor(step, actor).save()
    return step


@transaction.atomic
def step_update(
    *, step: PlanStep, actor: Any, edit_token: str | None = None, **fields: Any
) -> PlanStep:
    """Change a step (draft or returned plan); on an approved plan only its status.
    Refused when `edit_token` (the step's) is stale (agency.concurrency)."""
    plan = _locked(step.goal.plan)  # the plan first, as every writer of its items does
    step = lock_for_edit(step, edit_token)
    _refuse_unless_editable(plan, progress_only_ok=True)
    cleaned, errors = _item_fields(fields, creating=False, choices=PlanGoal.Status)
    if errors:
        raise ValidationError(errors)
    _progress_only(plan, cleaned, PROGRESS_FIELDS)
    _apply(step, cleaned, actor)
    return step


def _from_directory(errors, cleaned, fields: dict, current) -> dict:
    """A service chosen from the provider directory fills in the provider, the type and
    the evidence-based flag (whatever was typed); without one they are typed in, for a
    provider the directory does not list."""
    if "provider_service" not in fields:
        return fields
    chosen = fields["provider_service"]
    chosen_id = getattr(chosen, "pk", chosen)
    if chosen_id in (None, ""):
        cleaned["provider_service"] = None
        return fields
    listed = (
        ProviderService.objects.select_related("provider")
        .filter(pk=chosen_id)
        .filter(
            Q(active=True, provider__active=True)
            | Q(pk=getattr(current, "provider_service_id", None))
        )
        .first()
        if str(chosen_id).isdigit()
        else None
    )
    if listed is None:
        errors["provider_service"] = ["Choose a service the provider directory offers now."]
        return fields
    cleaned["provider_service"] = listed
    return fields | {
        "provider": listed.provider.name,
        "service_type": listed.service_type,
        "evidence_based": listed.evidence_based,
    }


def _service_fields(plan: CasePlan, fields: dict, *, creating: bool, current=None):
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    _unknown(fields, SERVICE_FIELDS, errors)
    if creating:
        fields = {"provider": "", "service_type": "", "referred_on": None} | fields
    fields = _from_directory(errors, cleaned, fields, current)
    _text(errors, cleaned, fields, "provider", "the provider", max_length=200)
    _text(errors, cleaned, fields, "service_type", "the type of service", max_length=200)
    if "provider_service" in errors:  # that one message says it all
        errors.pop("provider", None)
        errors.pop("service_type", None)
    _choice(errors, cleaned, fields, "status", PlanService.Status)
    _date(errors, cleaned, fields, "referred_on", "the referral date")
    _date(errors, cleaned, fields, "started_on", "the start date", required=False)
    _date(errors, cleaned, fields, "ended_on", "the end date", required=False)
    if "evidence_based" in fields:
        cleaned["evidence_based"] = bool(fields["evidence_based"])
    if "goal" in fields:
        goal = fields["goal"]
        goal_id = getattr(goal, "pk", goal)
        if goal_id in (None, ""):
            cleaned["goal"] = None
        elif not PlanGoal.objects.filter(plan=plan, pk=goal_id).exists():
            errors["goal"] = ["Choose a goal of this plan."]
        else:
            cleaned["goal"] = PlanGoal.objects.get(pk=goal_id)
    referred = cleaned.get("referred_on", getattr(current, "referred_on", None))
    started = cleaned.get("started_on", getattr(current, "started_on", None))
    ended = cleaned.get("ended_on", getattr(current, "ended_on", None))
    if referred and started and started < referred and "started_on" not in errors:
        errors["started_on"] = ["A service starts on or after the referral."]
    if started and ended and ended < started and "ended_on" not in errors:
        errors["ended_on"] = ["A service ends on or after it starts."]
    return cleaned, errors


@transaction.atomic
def service_add(*, plan: CasePlan, actor: Any, **fields: Any) -> PlanService:
    """Add a service or referral (provider, type, evidence-based or not, status, dates)."""
    plan = _locked(plan)
    _refuse_unless_editable(plan)
    cleaned, errors = _service_fields(plan, fields, creating=True)
    if errors:
        raise ValidationError(errors)
    service = PlanService(plan=plan, **cleaned)
    with_actor(service, actor).save()
    return service


@transaction.atomic
def service_update(
    *, service: PlanService, actor: Any, edit_token: str | None = None, **fields: Any
) -> PlanService:
    """Change a service (draft or returned plan); on an approved plan only its status and
    start and end dates. Refused when `edit_token` (the service's) is stale
    (agency.concurrency)."""
    plan = _locked(service.plan)  # the plan first, as every writer of its items does
    service = lock_for_edit(service, edit_token)
    _refuse_unless_editable(plan, progress_only_ok=True)
    cleaned, errors = _service_fields(plan, fields, creating=False, current=service)
    if errors:
        raise ValidationError(errors)
    _progress_only(plan, cleaned, SERVICE_PROGRESS_FIELDS)
    _apply(service, cleaned, actor)
    return service


# --- referrals: a service's status from referral to its end ---------------------------------------

ServiceStatus = PlanService.Status
# Each status a referral may move to, from where it stands, and the date it records.
REFERRAL_NEXT = {
    ServiceStatus.REFERRED: (ServiceStatus.ACCEPTED, ServiceStatus.DECLINED),
    ServiceStatus.ACCEPTED: (ServiceStatus.STARTED, ServiceStatus.DECLINED),
    ServiceStatus.STARTED: (ServiceStatus.COMPLETED, ServiceStatus.DECLINED),
    ServiceStatus.COMPLETED: (),
    ServiceStatus.DECLINED: (),
}
REFERRAL_DATE_FIELD = {
    ServiceStatus.ACCEPTED: "accepted_on",
    ServiceStatus.STARTED: "started_on",
    ServiceStatus.COMPLETED: "ended_on",
    ServiceStatus.DECLINED: "ended_on",
}
_REFERRAL_DATE_WORDS = {
    "referred_on": "the referral was sent",
    "accepted_on": "the provider accepted",
    "started_on": "the service started",
}


def referral_next_statuses(service: PlanService) -> tuple[str, ...]:
    return REFERRAL_NEXT.get(service.status, ())


@transaction.atomic
def service_referral_update(
    *,
    service: PlanService,
    actor: Any,
    status: str,
    on: Any,
    decline_reason: str = "",
    edit_token: str | None = None,
) -> PlanService:
    """Move a referral one step, with the day it happened: sent (referred_on) to
    accepted (accepted_on) to started (started_on) to completed (ended_on); or declined
    (ended_on and the reason) at any point before it is completed. The day is not in
    the future nor before the referral's previous step. Recorded on a draft, returned
    or approved plan (progress, no new version). Refused when `edit_token` is stale."""
    plan = _locked(service.plan)  # the plan first, as every writer of its items does
    service = lock_for_edit(service, edit_token)
    _refuse_unless_editable(plan, progress_only_ok=True)
    errors: dict[str, list[str]] = {}
    allowed = referral_next_statuses(service)
    if status not in allowed:
        if allowed:
            labels = " or ".join(ServiceStatus(value).label.lower() for value in allowed)
            errors["status"] = [
                f"The referral is {service.get_status_display().lower()}: it can next be {labels}."
            ]
        else:
            errors["status"] = [
                f"The referral is {service.get_status_display().lower()}; it has ended."
            ]
    day: dict[str, Any] = {}
    _date(errors, day, {"on": on}, "on", "the date")
    if "on" in day and day["on"] > clock.today():
        errors["on"] = ["The date cannot be in the future."]
    elif "on" in day:
        previous = [
            (getattr(service, name), words)
            for name, words in _REFERRAL_DATE_WORDS.items()
            if getattr(service, name) is not None
        ]
        latest = max(previous, key=lambda item: item[0], default=None)
        if latest is not None and day["on"] < latest[0]:
            errors["on"] = [
                f"The date cannot be before the day {latest[1]} "
                f"({latest[0].day} {latest[0]:%b %Y})."
            ]
    reason = (decline_reason or "").strip()
    if status == ServiceStatus.DECLINED and not reason:
        errors["decline_reason"] = ["Say why the referral was declined."]
    elif len(reason) > 300:
        errors["decline_reason"] = ["Keep the reason to 300 characters."]
    if errors:
        raise ValidationError(errors)
    date_field = REFERRAL_DATE_FIELD[status]
    service.status = status
    setattr(service, date_field, day["on"])
    fields = ["status", date_field]
    if status == ServiceStatus.DECLINED:
        service.decline_reason = reason
        fields.append("decline_reason")
    with_actor(service, actor).save(update_fields=fields)
    return service


def completeness_errors(plan: CasePlan) -> dict[str, list[str]]:
    """What a submitted plan must contain, field by field (empty when complete)."""
    errors: dict[str, list[str]] = {}
    goals = list(plan.goals.prefetch_related("steps"))
    if not goals:
        errors["goals"] = ["Add at least one goal."]
    else:
        bare = [g.description[:40] for g in goals if not g.steps.all()]
        if bare:
            errors["goals"] = [f"Add at least one step to each goal (missing: {'; '.join(bare)})."]
    if not plan.family_participants.strip():
        errors["family_participants"] = ["Say who from the family took part in the planning."]
    if has_child_in_care(plan.case) and not plan.permanency_goal:
        errors["permanency_goal"] = ["A child on this case is in care: choose the permanency goal."]
    return errors


@transaction.atomic
def plan_submit(*, plan: CasePlan, actor: Any) -> CasePlan:
    """Send a complete draft (or a corrected returned plan) to the supervisor."""
    plan = _locked(plan)
    _refuse_unless_editable(plan)
    errors = completeness_errors(plan)
    if errors:
        raise ValidationError(errors)
    plan.status = Status.SUBMITTED
    plan.submitted_at = clock.now()
    with_actor(plan, actor).save(update_fields=["status", "submitted_at"])
    supervisor = plan.case.unit.supervisor
    if supervisor is not None and supervisor.pk != getattr(actor, "pk", None):
        notification_send(
            recipient=supervisor,
            kind="plan_submitted",
            subject=f"Case plan v{plan.version} for approval: {plan.case.number} {plan.case.name}",
            link=plan_link(plan),
        )
    return plan


@transaction.atomic
def plan_decide(*, plan: CasePlan, actor: Any, approve: bool, comment: str = "") -> CasePlan:
    """The case's supervisor approves a submitted plan (superseding the approved version,
    setting the review date) or returns it with comments. Nobody decides their own."""
    plan = _locked(plan)
    case = plan.case
    if not (actor.has_perm(APPROVE_PERM) and supervises(actor, case)):
        raise PermissionDenied("Only the case's supervisor decides case plans.")
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if plan.status != Status.SUBMITTED:
        errors[NON_FIELD_ERRORS] = [
            f"This plan is {plan.get_status_display().lower()}; only a submitted plan can be "
            "approved or returned."
        ]
    elif plan.author_id == actor.pk:
        errors[NON_FIELD_ERRORS] = [
            "You wrote this plan, so you cannot approve or return it: another supervisor "
            "must decide it."
        ]
    if not approve and not comment:
        errors["comment"] = ["Say what needs to change before the plan can be approved."]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    if approve:
        # Supersede the approved version first: at most one approved plan per case.
        for old in CasePlan.objects.select_for_update().filter(case=case, status=Status.APPROVED):
            old.status = Status.SUPERSEDED
            with_actor(old, actor).save(update_fields=["status"])
        plan.status = Status.APPROVED
        plan.review_due_on = add_months(
            now.astimezone(TIMEZONE).date(), casework_rules().plan_review_months
        )
    else:
        plan.status = Status.RETURNED
    plan.decided_by = actor
    plan.decided_at = now
    plan.decision_comment = comment
    with_actor(plan, actor).save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "review_due_on"]
    )
    verb = "approved" if approve else "returned with comments"
    notification_send(
        recipient=plan.author,
        kind="plan_decided",
        subject=f"Case plan v{plan.version} {verb}: {case.number} {case.name}",
        body=comment,
        link=plan_link(plan),
    )
    return plan
