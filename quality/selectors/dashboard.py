"""Reads for the key-indicator dashboards: who may see which level, the indicators at a
level and period, the level below, the 12-month trend, and the rows behind a number.

Every number is a sum of `Tally` rows (quality/facts.py), filtered on the level's own
indexed column: one GROUP BY query per table on the page, whatever the number of visits
behind it. The drill-down rows come from `MemberMonth` (who was not seen) and the
initial contacts themselves, for one unit or worker and month.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from agency import clock
from agency.models import Region, Unit, WorkLocation
from agency.permissions import user_role
from agency.roles import Role
from agency.selectors import sees_every_unit, units_in_scope
from casework.models import CaseMember, IffContact, IffExtension
from quality import equity
from quality.indicators import (
    COUNTED_APART,
    INDICATORS,
    VISIT_ROLES,
    Indicator,
    add_months,
    fiscal_year_start,
    meets_target,
    month_start,
    percentage,
)
from quality.models import CaseFact, ChildPopulation, MemberMonth, Tally

# Levels from the top; each one's column on Tally and MemberMonth.
LEVELS = ("state", "region", "office", "unit", "worker")
COLUMN = {
    "region": "region_id",
    "office": "work_location_id",
    "unit": "unit_id",
    "worker": "worker_id",
}
LEVEL_LABELS = {
    "state": "State",
    "region": "Region",
    "office": "Office",
    "unit": "Unit",
    "worker": "Worker",
}
BREAKDOWN_KEYS = sorted({key for i in INDICATORS for key, _ in i.breakdown})


@dataclass(frozen=True)
class Scope:
    """A level of the organisation the dashboard shows: the state, a region, an office,
    a unit or a worker, within what the user may see."""

    level: str
    pk: int | None
    label: str
    allowed_units: tuple[int, ...] | None  # None: every unit

    @property
    def key(self) -> str:
        return self.level if self.pk is None else f"{self.level}:{self.pk}"

    @property
    def child_level(self) -> str | None:
        index = LEVELS.index(self.level)
        return LEVELS[index + 1] if index + 1 < len(LEVELS) else None

    def filter(self) -> Q:
        """Rows of Tally or MemberMonth at this level (and inside the user's units)."""
        q = Q() if self.pk is None else Q(**{COLUMN[self.level]: self.pk})
        if self.allowed_units is not None:
            q &= Q(unit_id__in=self.allowed_units)
        return q


@dataclass(frozen=True)
class Period:
    """A month, or a federal fiscal year (named by the year it ends in: FY 2027 runs
    from 1 October 2026 to 30 September 2027)."""

    kind: str  # "month" or "fiscal_year"
    starts_on: date

    @property
    def months(self) -> list[date]:
        count = 1 if self.kind == "month" else 12
        return [add_months(self.starts_on, n) for n in range(count)]

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.starts_on:%B %Y}"
        return f"Federal fiscal year {self.starts_on.year + 1}"

    @property
    def query(self) -> str:
        if self.kind == "month":
            return f"period=month&month={self.starts_on:%Y-%m}"
        return f"period=fiscal_year&year={self.starts_on.year + 1}"

    def tallies(self) -> Q:
        """Monthly tallies of its months, and the yearly measures of its fiscal year."""
        months = Q(period=Tally.Period.MONTH, starts_on__in=self.months)
        if self.kind == "month":
            return months
        return months | Q(period=Tally.Period.FISCAL_YEAR, starts_on=self.starts_on)


def period_from(params: Any) -> Period:
    """The period a request asks for (?period=month&month=2026-11 or
    ?period=fiscal_year&year=2027); the current month by default. Bad values fall back
    to the default rather than failing."""
    today = clock.today()
    if params.get("period") == "fiscal_year":
        try:
            year = int(params.get("year", ""))
            if 2000 <= year <= 2100:
                return Period("fiscal_year", date(year - 1, 10, 1))
        except ValueError:
            pass
        return Period("fiscal_year", fiscal_year_start(today))
    try:
        year, month = (int(part) for part in params.get("month", "").split("-"))
        return Period("month", date(year, month, 1))
    except ValueError:
        return Period("month", month_start(today))


# --- Who sees what ---------------------------------------------------------------------------


def home_scope(user: Any) -> Scope:
    """Where a user's dashboard opens: the state for statewide roles, an area
    administrator's office, a supervisor's unit."""
    if sees_every_unit(user):
        return Scope("state", None, "State", None)
    role = user_role(user)
    if role == Role.AREA_ADMINISTRATOR:
        return scope_for(user, f"office:{user.staff.work_location_id}")
    units = list(_allowed_units(user) or ())
    if role == Role.SUPERVISOR and units:
        supervised = Unit.objects.filter(supervisor=user, pk__in=units).order_by("pk").first()
        return scope_for(user, f"unit:{supervised.pk if supervised else units[0]}")
    # A supervisor not yet given a unit: an empty dashboard that says so.
    return Scope("unit", 0, "No unit assigned to you yet", ())


def _allowed_units(user: Any) -> tuple[int, ...] | None:
    if sees_every_unit(user):
        return None
    return tuple(sorted(units_in_scope(user).values_list("pk", flat=True)))


def scope_for(user: Any, raw: str) -> Scope:
    """The level named by `raw` ("state", "region:3", "office:12", "unit:40",
    "worker:575") if the user may see it; 404 otherwise (missing and forbidden alike).
    Supervisors see their units and below, area administrators their office, statewide
    roles everything."""
    level, _, pk_text = (raw or "").partition(":")
    if level not in LEVELS or (level == "state") != (pk_text == ""):
        raise Http404("Unknown level.")
    allowed = _allowed_units(user)
    if level == "state":
        if allowed is not None:
            raise Http404("The state view is for statewide roles.")
        return Scope("state", None, "State", None)
    try:
        pk = int(pk_text)
    except ValueError:
        raise Http404("Unknown level.") from None
    label = _label(level, pk, allowed, user)
    if label is None:
        raise Http404("Not in your scope.")
    return Scope(level, pk, label, allowed)


def _label(level: str, pk: int, allowed: tuple[int, ...] | None, user: Any) -> str | None:
    """The level's name when it exists and the user may see it (one query)."""
    if level == "region":
        if allowed is not None:
            return None
        region = Region.objects.filter(pk=pk).first()
        return region.name if region else None
    if level == "office":
        # Below the state, only an area administrator's own office (they cover all of it).
        own_office = (
            user_role(user) == Role.AREA_ADMINISTRATOR and user.staff.work_location_id == pk
        )
        if allowed is not None and not own_office:
            return None
        office = WorkLocation.objects.filter(pk=pk).first()
        return office.name if office else None
    if level == "unit":
        if allowed is not None and pk not in allowed:
            return None
        unit = Unit.objects.filter(pk=pk).select_related("work_location").first()
        return f"{unit.work_location.name}, {unit.name}" if unit else None
    worker = get_user_model().objects.filter(pk=pk).first()
    if worker is None:
        return None
    if (
        allowed is not None
        and not Tally.objects.filter(worker=worker, unit_id__in=allowed).exists()
    ):
        return None
    return worker.get_full_name() or worker.username


def breadcrumbs(scope: Scope) -> list[tuple[str, str]]:
    """(label, scope key) from the top the user may see down to `scope`'s parent."""
    crumbs: list[tuple[str, str]] = []
    if scope.allowed_units is None and scope.level != "state":
        crumbs.append(("State", "state"))
    if scope.level in ("office", "unit", "worker") and scope.allowed_units is None:
        office = _office_of(scope)
        if office and office.region_id:
            crumbs.append((office.region.name, f"region:{office.region_id}"))
    if scope.level in ("unit", "worker"):
        office = _office_of(scope)
        if office and (scope.allowed_units is None or scope.level == "worker"):
            crumbs.append((office.name, f"office:{office.pk}"))
    return crumbs


def _office_of(scope: Scope) -> WorkLocation | None:
    if scope.level == "office":
        return WorkLocation.objects.select_related("region").filter(pk=scope.pk).first()
    if scope.level == "unit":
        unit = Unit.objects.select_related("work_location__region").filter(pk=scope.pk).first()
        return unit.work_location if unit else None
    tally = (
        Tally.objects.filter(scope.filter())
        .select_related("work_location__region")
        .order_by("-starts_on")
        .first()
    )
    return tally.work_location if tally else None


# --- Numbers ----------------------------------------------------------------------------------


@dataclass
class Value:
    indicator: Indicator
    numerator: int
    denominator: int
    counts: dict[str, int]

    @property
    def share(self) -> Decimal | None:
        return percentage(self.numerator, self.denominator)

    @property
    def meets_target(self) -> bool | None:
        return meets_target(self.indicator, self.share)

    @property
    def missed(self) -> int:
        return self.denominator - self.numerator

    @property
    def breakdown(self) -> list[tuple[str, int]]:
        return [(label, self.counts.get(key, 0)) for key, label in self.indicator.breakdown]


def _sums(indicator: Indicator | None = None) -> dict[str, Any]:
    """The sums of the tallies: numerator, denominator and the breakdown counts, those of
    `indicator` alone when given (each count is read out of the JSON of every row)."""
    sums: dict[str, Any] = {
        "numerator_sum": Coalesce(Sum("numerator"), 0),
        "denominator_sum": Coalesce(Sum("denominator"), 0),
    }
    keys = BREAKDOWN_KEYS if indicator is None else [key for key, _ in indicator.breakdown]
    for key in keys:
        sums[f"count_{key}"] = Coalesce(Sum(Cast(KT(f"counts__{key}"), IntegerField())), 0)
    return sums


def _value(indicator: Indicator, row: dict | None) -> Value:
    row = row or {}
    return Value(
        indicator=indicator,
        numerator=row.get("numerator_sum", 0),
        denominator=row.get("denominator_sum", 0),
        counts={key: row.get(f"count_{key}", 0) for key, _ in indicator.breakdown},
    )


def _tallies(scope: Scope, period: Period) -> QuerySet[Tally]:
    return Tally.objects.filter(scope.filter(), period.tallies())


def indicator_values(scope: Scope, period: Period) -> list[Value]:
    """Every indicator at `scope` for `period`: one query."""
    rows = {
        row["indicator"]: row
        for row in _tallies(scope, period).values("indicator").annotate(**_sums()).order_by()
    }
    return [_value(indicator, rows.get(indicator.code)) for indicator in INDICATORS]


def indicator_value(scope: Scope, period: Period, indicator: Indicator) -> Value:
    """One indicator at `scope` for `period`: one query."""
    totals = _tallies(scope, period).filter(indicator=indicator.code).aggregate(**_sums(indicator))
    return _value(indicator, totals)


@dataclass
class Part:
    """One row of the level below: a region, office, unit or worker, and its value."""

    level: str
    pk: int | None
    label: str
    value: Value

    @property
    def key(self) -> str:
        return f"{self.level}:{self.pk}"


def parts(scope: Scope, period: Period, indicator: Indicator) -> list[Part]:
    """The level below `scope` for one indicator, each part with its value: two
    queries (the sums, the names). The parts add up to the level above."""
    level = scope.child_level
    if level is None:
        return []
    column = COLUMN[level]
    rows = (
        _tallies(scope, period)
        .filter(indicator=indicator.code)
        .values(column)
        .annotate(**_sums(indicator))
        .order_by()
    )
    rows = list(rows)
    names = _names(level, [row[column] for row in rows if row[column] is not None])
    result = [
        Part(level, row[column], names.get(row[column], "No region"), _value(indicator, row))
        for row in rows
    ]
    return sorted(result, key=lambda part: part.label)


def _names(level: str, ids: list[int]) -> dict[int, str]:
    if level == "region":
        return dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    if level == "office":
        return dict(WorkLocation.objects.filter(pk__in=ids).values_list("pk", "name"))
    if level == "unit":
        return {
            pk: f"{office}, {name}"
            for pk, name, office in Unit.objects.filter(pk__in=ids).values_list(
                "pk", "name", "work_location__name"
            )
        }
    return {
        user.pk: user.get_full_name() or user.username
        for user in get_user_model()
        .objects.filter(pk__in=ids)
        .only("first_name", "last_name", "username")
    }


def trend(scope: Scope, indicator: Indicator, period: Period) -> list[tuple[date, Value]]:
    """The 12 months up to the period's last month (monthly indicators), or the five
    fiscal years up to it (yearly ones): one query."""
    if indicator.period == "fiscal_year":
        year = fiscal_year_start(period.starts_on).year
        starts = [date(year - n, 10, 1) for n in range(4, -1, -1)]
        kind = Tally.Period.FISCAL_YEAR
    else:
        last = period.months[-1]
        starts = [add_months(last, -n) for n in range(11, -1, -1)]
        kind = Tally.Period.MONTH
    rows = {
        row["starts_on"]: row
        for row in Tally.objects.filter(
            scope.filter(), indicator=indicator.code, period=kind, starts_on__in=starts
        )
        .values("starts_on")
        .annotate(**_sums(indicator))
        .order_by()
    }
    return [(start, _value(indicator, rows.get(start))) for start in starts]


# --- The rows behind a number ---------------------------------------------------------------


def missed_member_months(scope: Scope, period: Period, indicator: Indicator) -> QuerySet:
    """The children, mothers or fathers not seen in a month of the period (or, for the
    federal measure, the children in care missing a visit in a full month in care)."""
    if indicator.code in VISIT_ROLES:
        rows = MemberMonth.objects.filter(
            scope.filter(),
            month__in=period.months,
            role=VISIT_ROLES[indicator.code],
            open_whole_month=True,
            visits=0,
        )
        if indicator.code != "visits_children":
            rows = rows.filter(whereabouts_unknown=False)
    else:  # federal measures: full months in care without a visit
        months = [add_months(fiscal_year_start(period.starts_on), n) for n in range(12)]
        rows = MemberMonth.objects.filter(
            scope.filter(),
            month__in=months,
            role=CaseMember.Role.CHILD,
            in_care_whole_month=True,
            visits=0,
        )
    return rows.select_related("person", "case", "unit", "worker").order_by(
        "month", "unit__name", "person__last_name", "person__first_name", "pk"
    )


def missed_case_facts(scope: Scope, period: Period, indicator: Indicator) -> QuerySet[CaseFact]:
    """The things due on cases that were late or not done (or, for 15 of 22 months,
    children without a petition or compelling reason; for permanency within 12 months,
    children who did not leave care to permanency within 12 months: those whose 12
    months are not over are left out, as in the share)."""
    return (
        CaseFact.objects.filter(
            scope.filter(), indicator=indicator.code, month__in=period.months, met=False
        )
        .exclude(outcome__in=COUNTED_APART)
        .select_related("case", "person", "unit", "worker")
        .order_by("due_on", "unit__name", "pk")
    )


def missed_contacts(scope: Scope, period: Period) -> QuerySet[IffContact]:
    """Initial contacts that fell due in the period and were late or are not yet made
    (approved extensions shown), for the units and workers of `scope`."""
    first = period.months[0]
    start, end = (_midnight(first), _midnight(add_months(period.months[-1], 1)))
    case_filter = {
        f"intake__case__{column}": value for column, value in _case_columns(scope).items()
    }
    late_or_open = Q(seen_at__isnull=True, due_at__lte=clock.now()) | Q(seen_at__gt=F("due_at"))
    approved = IffExtension.objects.filter(iff=OuterRef("pk"), status=IffExtension.Status.APPROVED)
    return (
        IffContact.objects.filter(late_or_open, due_at__gte=start, due_at__lt=end, **case_filter)
        .annotate(extended=Exists(approved))
        .select_related("child", "intake__case__unit", "intake__case__primary_worker")
        .order_by("due_at", "pk")
    )


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _case_columns(scope: Scope) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if scope.level == "region":
        columns["unit__work_location__region_id"] = scope.pk
    elif scope.level == "office":
        columns["unit__work_location_id"] = scope.pk
    elif scope.level == "unit":
        columns["unit_id"] = scope.pk
    elif scope.level == "worker":
        columns["primary_worker_id"] = scope.pk
    if scope.allowed_units is not None:
        columns["unit_id__in"] = scope.allowed_units
    return columns


# --- Disproportionality ------------------------------------------------------------------------


def equity_counts(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """{decision point: {group: distinct children}} at `scope` for `period`, from the
    disproportionality case facts (quality/case_facts.py): one GROUP BY query. A child
    counts once per decision point and group however many intakes or entries they had
    in the period."""
    counts: dict[str, dict[str, int]] = {code: {} for code in equity.CODES}
    for row in (
        CaseFact.objects.filter(scope.filter(), indicator__in=equity.CODES, month__in=period.months)
        .values("indicator", "outcome")
        .annotate(children=Count("person_id", distinct=True))
        .order_by()
    ):
        counts[row["indicator"]][row["outcome"]] = row["children"]
    return counts


@dataclass(frozen=True)
class Population:
    year: int
    area: str  # "the state", or the region's name
    source: str
    children: dict[str, int]


def child_population(scope: Scope, period: Period) -> tuple[Population | None, str]:
    """The child population by group for the referral rate, and why there is none when
    there is none. The state uses the state's figures (or, without them, its regions'
    added up); a region its own; offices, units and workers have no population of
    their own. The latest year entered up to the period's last year: two queries."""
    if scope.level not in ("state", "region"):
        return None, (
            "Child population figures are kept for the state and its regions, not for "
            f"{LEVEL_LABELS[scope.level].lower()}s: no referral rate at this level."
        )
    last_year = period.months[-1].year
    rows = ChildPopulation.objects.filter(year__lte=last_year)
    rows = rows.filter(region_id=scope.pk) if scope.level == "region" else rows
    latest = rows.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return None, (
            f"No child population figures are entered for {scope.label} up to {last_year}: "
            "no referral rate (a system administrator enters them in Django admin, "
            "Quality > Child populations)."
        )
    figures = list(rows.filter(year=latest).values_list("region_id", "group", "children", "source"))
    if scope.level == "state" and any(region is None for region, *_ in figures):
        figures = [row for row in figures if row[0] is None]
    children: dict[str, int] = {}
    sources = []
    for _region, group, count, source in figures:
        children[group] = children.get(group, 0) + count
        if source and source not in sources:
            sources.append(source)
    area = "the state" if scope.level == "state" else scope.label
    if scope.level == "state" and all(row[0] is not None for row in figures):
        area = "the state (its regions added up)"
    return Population(latest, area, "; ".join(sources), children), ""


def equity_data(scope: Scope, period: Period, reference: str) -> dict:
    """Everything the page and the API show: a few queries whatever the data size."""
    if reference not in equity.GROUP_LABELS:
        reference = equity.DEFAULT_REFERENCE
    population, no_population = child_population(scope, period)
    counts = equity_counts(scope, period)
    tables = equity.tables(counts, population.children if population else None, reference)
    return {
        "reference": reference,
        "reference_label": equity.GROUP_LABELS[reference],
        "population": population,
        "no_population": no_population,
        "tables": tables,
        "summary": equity.summary(tables),
    }
