"""Writes for assessments: the safety and risk assessments (Structured Decision Making
style) and the family-centered assessment (FCA), from draft to the supervisor's decision.

The flow: a worker starts a draft (its due date computed from the case's events and the
casework rules), fills in the kind's fields, submits it; the case's supervisor approves it
or returns it with comments, and a returned assessment is edited and submitted again.
Each function validates first (a ValidationError keyed by field, nothing saved) and names
its actor in the history. Callers pass objects they have already authorised through the
gatekeeper (casework.permissions); the services still refuse what the rules forbid.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.urls import reverse

from agency import clock
from agency.calendar import TIMEZONE
from agency.concurrency import lock_for_edit
from agency.services import notification_send
from casework.audit import with_actor
from casework.models import Assessment, Case, Intake
from casework.selectors import rules as casework_rules
from casework.selectors import supervises

APPROVE_PERM = "casework.approve_casework"

Kind = Assessment.Kind
Status = Assessment.Status

# The fields each kind of assessment is made of (the rest of the row stays blank).
FCA_FIELDS: tuple[str, ...] = (
    *Assessment.DOMAINS,
    "strengths",
    "protective_factors",
    "natural_supports",
    "family_input",
    "provider_input",
    "summary",
)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SAFETY: ("safety_decision", "threats", "safety_plan"),
    Kind.RISK: ("risk_level",),
    Kind.FAMILY_CENTERED: FCA_FIELDS,
}
ALL_FIELDS: frozenset[str] = frozenset(f for fields in KIND_FIELDS.values() for f in fields)
_CHOICE_FIELDS = {
    "safety_decision": Assessment.SafetyDecision,
    "risk_level": Intake.Risk,
}
# Draft, submitted or returned: not yet approved. One at a time per kind and case.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# Which kinds policy expects on which cases: safety and risk follow an intake's
# investigation or family assessment; every open case has a family-centered assessment.
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {
    Case.Type.INVESTIGATION: (Kind.SAFETY, Kind.RISK, Kind.FAMILY_CENTERED),
    Case.Type.FAMILY_ASSESSMENT: (Kind.SAFETY, Kind.RISK, Kind.FAMILY_CENTERED),
}
DEFAULT_EXPECTED_KINDS: tuple[str, ...] = (Kind.FAMILY_CENTERED,)


def expected_kinds(case: Case) -> tuple[str, ...]:
    """The kinds of assessment policy expects on `case` (in the order they fall due)."""
    return EXPECTED_KINDS.get(case.case_type, DEFAULT_EXPECTED_KINDS)


# --- due dates (pure) ----------------------------------------------------------------------------


def local_date(instant: datetime) -> date:
    return instant.astimezone(TIMEZONE).date()


def due_from(*, kind: str, accepted_on: date | None, opened_on: date, rules) -> date:
    """The due date of an assessment of `kind`: safety and risk count days from the local
    date the case's first intake was accepted (the day the case opened when it has no
    intake), the family-centered assessment from the day the case opened."""
    if kind == Kind.SAFETY:
        return (accepted_on or opened_on) + timedelta(days=rules.safety_assessment_days)
    if kind == Kind.RISK:
        return (accepted_on or opened_on) + timedelta(days=rules.risk_assessment_days)
    if kind == Kind.FAMILY_CENTERED:
        return opened_on + timedelta(days=rules.family_assessment_days)
    raise ValueError(f"Unknown kind of assessment {kind!r}.")


def first_accepted_on(case: Case) -> date | None:
    """The local date the case's earliest intake was accepted, or None. One query."""
    first = Intake.objects.filter(case=case).aggregate(first=Min("accepted_at"))["first"]
    return local_date(first) if first else None


def assessment_due_on(*, case: Case, kind: str, rules) -> date:
    """When an assessment of `kind` on `case` is due under `rules` (CaseworkRules)."""
    return due_from(
        kind=kind, accepted_on=first_accepted_on(case), opened_on=case.opened_on, rules=rules
    )


# --- helpers -------------------------------------------------------------------------------------


def assessment_link(assessment: Assessment) -> str:
    return reverse("casework:assessment_detail", args=[assessment.pk])


def _locked(assessment: Assessment) -> Assessment:
    """The row again, locked for this transaction, with its case and author."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("case__unit", "author")
        .get(pk=assessment.pk)
    )


def _refuse_unless_editable(assessment: Assessment) -> None:
    if assessment.case.status != Case.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [f"Case {assessment.case.number} is closed."]})
    if assessment.status not in EDITABLE_STATUSES:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This assessment is {assessment.get_status_display().lower()}; only a "
                    "draft or a returned assessment can be changed."
                ]
            }
        )


def _kind_label(kind: str) -> str:
    return Kind(kind).label


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, case: Case, actor: Any, kind: str) -> Assessment:
    """Start a draft assessment of `kind` on an open case, due under the current rules.
    Refused while another assessment of that kind on the case is not yet approved."""
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = ["Choose a safety, risk or family-centered assessment."]
        raise ValidationError(errors)
    # Lock the case so two clicks at once cannot both start one.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} is closed; reopen it first."]
    elif Assessment.objects.filter(case=case, kind=kind, status__in=OPEN_STATUSES).exists():
        errors["kind"] = [
            f"This case already has a {_kind_label(kind).lower()} in progress; "
            "finish that one first."
        ]
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        case=case,
        kind=kind,
        status=Status.DRAFT,
        due_on=assessment_due_on(case=case, kind=kind, rules=casework_rules()),
        author=actor,
        created_at=clock.now(),
    )
    with_actor(assessment, actor).save()
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment: Assessment, actor: Any, edit_token: str | None = None, **fields: Any
) -> Assessment:
    """Change a draft or returned assessment's own fields (the kind's: the safety
    decision, threats and plan; the risk level; the family-centered sections). Refused
    when `edit_token` is stale (agency.concurrency)."""
    lock_for_edit(assessment, edit_token)
    assessment = _locked(assessment)
    _refuse_unless_editable(assessment)
    allowed = KIND_FIELDS[assessment.kind]
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, value in fields.items():
        if name not in allowed:
            what = "a field of an assessment" if name not in ALL_FIELDS else (
                f"part of a {assessment.get_kind_display().lower()}"
            )  # fmt: skip
            errors[name] = [f"This is not {what}."]
            continue
        value = "" if value is None else str(value).strip()
        choices = _CHOICE_FIELDS.get(name)
        if choices is not None and value and value not in choices.values:
            errors[name] = [f"Choose one of: {', '.join(choices.labels)}."]
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in cleaned.items() if getattr(assessment, name) != value]
    for name in changed:
        setattr(assessment, name, cleaned[name])
    if changed:
        with_actor(assessment, actor).save(update_fields=changed)
    return assessment


def completeness_errors(assessment: Assessment) -> dict[str, list[str]]:
    """What a submitted assessment must contain, field by field (empty when complete)."""
    errors: dict[str, list[str]] = {}
    if assessment.kind == Kind.SAFETY:
        if not assessment.safety_decision:
            errors["safety_decision"] = ["Choose the safety decision."]
        if not assessment.threats.strip():
            errors["threats"] = [
                'List the safety threats identified (write "None identified" if there are none).'
            ]
        if (
            assessment.safety_decision == Assessment.SafetyDecision.CONDITIONALLY_SAFE
            and not assessment.safety_plan.strip()
        ):
            errors["safety_plan"] = ["A conditionally safe decision needs the safety plan."]
    elif assessment.kind == Kind.RISK:
        if not assessment.risk_level:
            errors["risk_level"] = ["Choose the risk level."]
    else:
        for name in (*Assessment.DOMAINS, "strengths", "summary"):
            if not getattr(assessment, name).strip():
                label = Assessment._meta.get_field(name).verbose_name
                if name in Assessment.DOMAINS:
                    errors[name] = [
                        f'Fill in the {label} section (write "None identified" if nothing applies).'
                    ]
                elif name == "strengths":
                    errors[name] = ["Describe the family's strengths."]
                else:
                    errors[name] = [
                        "Summarise how the assessments fit together and inform the case plan."
                    ]
    return errors


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor: Any) -> Assessment:
    """Send a complete draft (or a returned assessment, corrected) to the supervisor."""
    assessment = _locked(assessment)
    _refuse_unless_editable(assessment)
    errors = completeness_errors(assessment)
    if errors:
        raise ValidationError(errors)
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = clock.now()
    with_actor(assessment, actor).save(update_fields=["status", "submitted_at"])
    supervisor = assessment.case.unit.supervisor
    if supervisor is not None and supervisor.pk != getattr(actor, "pk", None):
        notification_send(
            recipient=supervisor,
            kind="assessment_submitted",
            subject=(
                f"{assessment.get_kind_display()} for approval: {assessment.case.number} "
                f"{assessment.case.name}"
            ),
            link=assessment_link(assessment),
        )
    return assessment


@transaction.atomic
def assessment_decide(
    *, assessment: Assessment, actor: Any, approve: bool, comment: str = ""
) -> Assessment:
    """The case's supervisor approves a submitted assessment or returns it with comments
    (needed when returning); its author is told. Nobody approves their own."""
    assessment = _locked(assessment)
    case = assessment.case
    if not (actor.has_perm(APPROVE_PERM) and supervises(actor, case)):
        raise PermissionDenied("Only the case's supervisor decides assessments.")
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if assessment.status != Status.SUBMITTED:
        errors[NON_FIELD_ERRORS] = [
            f"This assessment is {assessment.get_status_display().lower()}; only a submitted "
            "assessment can be approved or returned."
        ]
    elif assessment.author_id == actor.pk:
        errors[NON_FIELD_ERRORS] = [
            "You wrote this assessment, so you cannot approve or return it: another "
            "supervisor must decide it."
        ]
    if not approve and not comment:
        errors["comment"] = ["Say what needs to change before the assessment can be approved."]
    if errors:
        raise ValidationError(errors)
    assessment.status = Status.APPROVED if approve else Status.RETURNED
    assessment.decided_by = actor
    assessment.decided_at = clock.now()
    assessment.decision_comment = comment
    with_actor(assessment, actor).save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment"]
    )
    verb = "approved" if approve else "returned with comments"
    notification_send(
        recipient=assessment.author,
        kind="assessment_decided",
        subject=f"{assessment.get_kind_display()} {verb}: {case.number} {case.name}",
        body=comment,
        link=assessment_link(assessment),
    )
    return assessment
