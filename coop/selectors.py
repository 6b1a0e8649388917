"""Reads for the COOP screens: OPM's registry grid, a plan with everything its page
shows, the plan of a user's location, and each quarter's returns by OPM.

Who may read what is coop.permissions (the gatekeeper); every function here takes rows
the caller already reached through it, or reads for OPM.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from agency.models import Region, WorkLocation
from agency.roles import Role
from coop import duties as duty_rules
from coop.models import (
    CoopPlan,
    CoopRules,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    PlanDocument,
    QuarterlyDuties,
)
from coop.quarters import Quarter

User = get_user_model()


def rules() -> CoopRules:
    """OPM's numbers (one row, created with the defaults on first use)."""
    return CoopRules.objects.get_or_create(pk=1)[0]


def created_on(plan: CoopPlan) -> date:
    """The local day the plan was created: its first quarter is the one holding it."""
    return timezone.localtime(plan.created_at).date()


def opm_users() -> QuerySet:
    """Everyone in OPM (the Performance Management role) who can log in."""
    return User.objects.filter(is_active=True, staff__role=Role.PERFORMANCE_MANAGEMENT).order_by(
        "last_name", "first_name", "pk"
    )


# --- the registry ----------------------------------------------------------------------------


@dataclass
class RegistryRow:
    """One active location: its plan (None: no plan) and each quarter's three duties,
    newest quarter first."""

    location: WorkLocation
    plan: CoopPlan | None
    quarters: list[duty_rules.QuarterStatus] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(status.overdue for q in self.quarters for status in q.duties)

    @property
    def behind(self) -> bool:
        """No plan, or a duty overdue in a quarter shown."""
        return self.plan is None or self.overdue > 0


@dataclass
class Registry:
    today: date
    quarters: list[Quarter]  # newest first
    due_dates: list[date]
    rows: list[RegistryRow]
    locations: int  # active locations in the region filter, before "behind only"
    without_plan: int
    behind: int


def registry(*, today: date, region: str = "", behind_only: bool = False) -> Registry:
    """OPM's grid: every active work location (of one region, by its code), with the
    status of each duty in the last `registry_quarters` quarters. Three queries (the
    rules, the locations with their plans, the duties), whatever the number of
    locations."""
    coop_rules = rules()
    quarters = Quarter.of(today).back(coop_rules.registry_quarters)
    locations = (
        WorkLocation.objects.filter(active=True)
        .select_related("region", "coop_plan__senior_administrator")
        .order_by("name")
    )
    if region:
        locations = locations.filter(region__code=region)
    locations = list(locations)
    plans = [loc.coop_plan for loc in locations if _plan_of(loc) is not None]
    rows_by_key = {
        (d.plan_id, d.quarter): d
        for d in QuarterlyDuties.objects.filter(
            plan__in=[plan.pk for plan in plans],
            quarter__gte=quarters[-1].starts_on,
            quarter__lte=quarters[0].starts_on,
        )
    }
    rows = []
    for location in locations:
        plan = _plan_of(location)
        row = RegistryRow(location, plan)
        if plan is not None:
            first_day = created_on(plan)
            row.quarters = [
                duty_rules.quarter_status(
                    rows_by_key.get((plan.pk, quarter.starts_on)),
                    quarter=quarter,
                    created_on=first_day,
                    today=today,
                    rules=coop_rules,
                )
                for quarter in quarters
            ]
        rows.append(row)
    behind = sum(row.behind for row in rows)
    return Registry(
        today=today,
        quarters=quarters,
        due_dates=[quarter.due_on(coop_rules.grace_days) for quarter in quarters],
        rows=[row for row in rows if row.behind] if behind_only else rows,
        locations=len(rows),
        without_plan=sum(row.plan is None for row in rows),
        behind=behind,
    )


def _plan_of(location: WorkLocation) -> CoopPlan | None:
    try:
        return location.coop_plan
    except CoopPlan.DoesNotExist:
        return None


def regions() -> list[Region]:
    return list(Region.objects.order_by("code"))


# --- one plan ---------------------------------------------------------------------------------


def load_content(plan: CoopPlan) -> CoopPlan:
    """The plan with its key staff, procedures, notification criteria and documents
    loaded (four queries), as the read-only and printable pages show them."""
    prefetch_related_objects(
        [plan],
        Prefetch("key_staff", queryset=KeyStaff.objects.select_related("user")),
        Prefetch("procedures", queryset=EmergencyProcedure.objects.order_by("position", "pk")),
        "notifications",
        Prefetch("documents", queryset=PlanDocument.objects.select_related("uploaded_by")),
    )
    return plan


@dataclass
class KeyRole:
    """One duty of the key staff: the people named for it, primaries first."""

    duty: str
    label: str
    primary: list[KeyStaff]
    alternates: list[KeyStaff]

    @property
    def alternate_label(self) -> str:
        return f"Alternate: {self.label[0].lower()}{self.label[1:]}"


def key_roles(plan: CoopPlan) -> list[KeyRole]:
    """The key staff by duty (managing the response, representing the location), each
    with primaries and alternates; from the loaded content."""
    people = list(plan.key_staff.all())
    return [
        KeyRole(
            duty,
            label,
            [p for p in people if p.duty == duty and not p.alternate],
            [p for p in people if p.duty == duty and p.alternate],
        )
        for duty, label in KeyStaff.Duty.choices
    ]


def missing_content(plan: CoopPlan) -> list[str]:
    """What the plan still lacks, in words (from the loaded content)."""
    missing = []
    kinds = {p.kind for p in plan.procedures.all() if p.procedure.strip()}
    absent = [
        EmergencyProcedure.Kind(kind).label.lower()
        for kind in EmergencyProcedure.STANDARD
        if kind not in kinds
    ]
    if absent:
        missing.append(f"What to do in: {', '.join(absent)}.")
    duties = {(p.duty, p.alternate) for p in plan.key_staff.all()}
    for duty, label in KeyStaff.Duty.choices:
        if (duty, False) not in duties:
            missing.append(f"Key staff: nobody named who {label[0].lower()}{label[1:]}.")
        elif (duty, True) not in duties:
            missing.append(f"Key staff: no alternate for who {label[0].lower()}{label[1:]}.")
    audiences = {n.audience for n in plan.notifications.all()}
    for audience, label in NotificationCriterion.Audience.choices:
        if audience not in audiences:
            missing.append(f"Whom to notify: no {label.lower()} named.")
    if not plan.hard_copy_location:
        missing.append("Where the hard copy is kept.")
    if not plan.documents.all():
        missing.append("The plan document (PDF).")
    return missing


def plan_for_location(location_id: int | None) -> CoopPlan | None:
    if not location_id:
        return None
    return (
        CoopPlan.objects.select_related("work_location__region", "senior_administrator__staff")
        .filter(work_location_id=location_id)
        .first()
    )


def whom_to_ask(location: WorkLocation) -> tuple[list, bool]:
    """Who answers for a location's plan when it has none: its area administrators, or
    else (True) OPM."""
    admins = list(
        User.objects.filter(
            is_active=True,
            staff__work_location=location,
            staff__role=Role.AREA_ADMINISTRATOR,
        ).order_by("last_name", "first_name")
    )
    return (admins, False) if admins else (list(opm_users()[:3]), True)


# --- a plan's quarters ------------------------------------------------------------------------


@dataclass
class ReturnEntry:
    """One time OPM returned a quarter's submission, from the duties' history."""

    quarter: Quarter
    at: datetime | None
    by: str
    comments: str


@dataclass
class QuarterRow:
    """One quarter on a plan's page: the recorded duties (or None), their status, and
    every return by OPM (newest first)."""

    quarter: Quarter
    duties: QuarterlyDuties | None
    status: duty_rules.QuarterStatus
    recordable: bool
    returns: list[ReturnEntry] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.duties.version if self.duties else 0

    @property
    def can_submit(self) -> bool:
        d = self.duties
        return bool(
            d
            and d.revised_on
            and d.submission
            in (QuarterlyDuties.Submission.NOT_SUBMITTED, QuarterlyDuties.Submission.RETURNED)
        )

    @property
    def awaiting_opm(self) -> bool:
        return bool(self.duties and self.duties.submission == QuarterlyDuties.Submission.SUBMITTED)


def plan_quarters(plan: CoopPlan, *, today: date, count: int | None = None) -> list[QuarterRow]:
    """The plan's last `count` quarters (the registry's number by default), newest first,
    with what was recorded and each return by OPM. Three queries."""
    coop_rules = rules()
    quarters = Quarter.of(today).back(count or coop_rules.registry_quarters)
    recordable = set(duty_rules.recordable_quarters(today))
    first_day = created_on(plan)
    rows = {
        d.quarter: d
        for d in plan.quarters.filter(
            quarter__gte=quarters[-1].starts_on, quarter__lte=quarters[0].starts_on
        ).select_related("revision_document", "opm_decided_by")
    }
    returns = returns_by_quarter(plan)
    return [
        QuarterRow(
            quarter=quarter,
            duties=rows.get(quarter.starts_on),
            status=duty_rules.quarter_status(
                rows.get(quarter.starts_on),
                quarter=quarter,
                created_on=first_day,
                today=today,
                rules=coop_rules,
            ),
            recordable=quarter in recordable and duty_rules.applies(quarter, first_day),
            returns=returns.get(quarter.starts_on, []),
        )
        for quarter in quarters
    ]


def returns_by_quarter(plan: CoopPlan) -> dict[date, list[ReturnEntry]]:
    """Every return of the plan's submissions, from the duties' history (one query):
    each history row that turned a submission into "returned"."""
    records = (
        QuarterlyDuties.history.filter(plan_id=plan.pk)
        .select_related("opm_decided_by")
        .order_by("id", "history_id")
    )
    found: dict[date, list[ReturnEntry]] = {}
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        turned = record.submission == QuarterlyDuties.Submission.RETURNED and (
            before is None
            or before.submission != QuarterlyDuties.Submission.RETURNED
            or before.opm_decided_at != record.opm_decided_at
        )
        if turned:
            decider = record.opm_decided_by
            found.setdefault(record.quarter, []).append(
                ReturnEntry(
                    quarter=Quarter.starting(record.quarter),
                    at=record.opm_decided_at,
                    by=(decider.get_full_name() or decider.get_username()) if decider else "OPM",
                    comments=record.opm_comments,
                )
            )
        previous[record.id] = record
    for entries in found.values():
        entries.reverse()
    return found


def duties_list(
    duties: QuerySet[QuarterlyDuties], *, region: str = "", quarter: Quarter | None = None
) -> QuerySet[QuarterlyDuties]:
    """Quarterly duties (already limited by the gatekeeper), of one region's locations
    and one quarter, newest quarter first."""
    if region:
        duties = duties.filter(plan__work_location__region__code=region)
    if quarter is not None:
        duties = duties.filter(quarter=quarter.starts_on)
    return duties.select_related("plan__work_location__region").order_by(
        "-quarter", "plan__work_location__name", "pk"
    )
