"""Disproportionality: race and ethnicity groups, and the rates and relative rate index
at each decision point. Pure functions and data: no queries (the counts come from the
case facts the refresh keeps, quality/selectors/dashboard.py `equity_counts`).

Groups are mutually exclusive, as the federal (OMB) standard reports them: anyone
Hispanic or Latino is counted there, whatever their race; everyone else by race: one
OMB race, two or more races, or unknown (no race recorded, or only "declined" or
"unknown"). A person whose ethnicity is unknown or declined is counted by race.

Decision points, for the intakes accepted (and children entering care) in the period:

- Referral: distinct alleged victims of the intakes accepted. Rate per 1,000 children
  of the group living in the area (ChildPopulation), when the figures are entered.
- Substantiation: of those children, the ones with at least one substantiated
  allegation on those intakes. Rate: per 100 children referred.
- Entry to care: children entering care in the period (the first day of an episode in
  out-of-home care). Rate: per 100 children substantiated in the same period.

Each stage's rate is taken on the stage before it (the relative rate index method of
the federal Office of Juvenile Justice and Delinquency Prevention, widely used in child
welfare), so a disparity shows at the decision where it arises rather than carried
along from earlier ones. The relative rate index (RRI) is a group's rate divided by the
reference group's: 1.00 is parity, 2.00 twice the reference group's rate.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# (code, label), in the order the tables show them. Codes fit CaseFact.outcome.
GROUPS: tuple[tuple[str, str], ...] = (
    ("hispanic", "Hispanic or Latino (any race)"),
    ("american_indian", "American Indian or Alaska Native, not Hispanic"),
    ("asian", "Asian, not Hispanic"),
    ("black", "Black or African American, not Hispanic"),
    ("pacific_islander", "Native Hawaiian or Other Pacific Islander, not Hispanic"),
    ("white", "White, not Hispanic"),
    ("two_or_more", "Two or more races, not Hispanic"),
    ("unknown", "Race unknown or declined, not Hispanic"),
)
GROUP_LABELS = dict(GROUPS)
DEFAULT_REFERENCE = "white"

# casework.models.Race codes (casework/migrations/0002_reference_data.py) to groups.
RACE_GROUPS = {
    "american_indian_alaska_native": "american_indian",
    "asian": "asian",
    "black": "black",
    "native_hawaiian_pacific_islander": "pacific_islander",
    "white": "white",
}
HISPANIC = "hispanic"  # casework.models.Person.Ethnicity.HISPANIC

# The decision points, with their case-fact indicator and how their rate is taken.
REFERRAL, SUBSTANTIATION, ENTRY = "equity_referral", "equity_substantiation", "equity_entry"


@dataclass(frozen=True)
class DecisionPoint:
    code: str
    name: str
    counted: str  # who is counted, in words
    rate_label: str  # e.g. "per 1,000 children"
    base: str | None  # the decision point whose count is the rate's base; None: population
    per: int


DECISION_POINTS: tuple[DecisionPoint, ...] = (
    DecisionPoint(
        REFERRAL,
        "Referral",
        "alleged victims of intakes accepted",
        "per 1,000 children in the population",
        None,
        1000,
    ),
    DecisionPoint(
        SUBSTANTIATION,
        "Substantiation",
        "children with at least one substantiated allegation on those intakes",
        "per 100 children referred",
        REFERRAL,
        100,
    ),
    DecisionPoint(
        ENTRY,
        "Entry to care",
        "children entering out-of-home care",
        "per 100 children substantiated",
        SUBSTANTIATION,
        100,
    ),
)
CODES = tuple(point.code for point in DECISION_POINTS)


def group_of(ethnicity: str, race_codes: Iterable[str]) -> str:
    """The one group a person counts in: Hispanic or Latino (any race); otherwise their
    single OMB race, two or more races, or unknown."""
    if ethnicity == HISPANIC:
        return "hispanic"
    races = {RACE_GROUPS[code] for code in race_codes if code in RACE_GROUPS}
    if len(races) == 1:
        return races.pop()
    return "two_or_more" if races else "unknown"


def exact_rate(count: int, base: int | None, per: int) -> Decimal | None:
    """`count` per `per` of `base`; None without a base."""
    if not base:
        return None
    return Decimal(count) * per / Decimal(base)


def rate(count: int, base: int | None, per: int) -> Decimal | None:
    """`count` per `per` of `base`, to one decimal; None without a base."""
    value = exact_rate(count, base, per)
    return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def relative_rate(value: Decimal | None, reference: Decimal | None) -> Decimal | None:
    """A group's rate over the reference group's (both unrounded), to two decimals; None
    when either is missing or the reference rate is zero."""
    if value is None or not reference:
        return None
    return (value / reference).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    group: str
    label: str
    count: int
    base: int | None
    rate: Decimal | None
    rri: Decimal | None
    share: Decimal | None  # the group's share of everyone counted at this point, percent


@dataclass
class Table:
    point: DecisionPoint
    rows: list[Row]
    total: int
    total_rate: Decimal | None
    reference: str

    @property
    def has_rates(self) -> bool:
        return any(row.rate is not None for row in self.rows)


def tables(
    counts: Mapping[str, Mapping[str, int]],
    population: Mapping[str, int] | None,
    reference: str = DEFAULT_REFERENCE,
) -> list[Table]:
    """The three decision points' tables from `counts` ({decision point: {group: n}})
    and the child population by group (None or empty: no referral rate)."""
    if reference not in GROUP_LABELS:
        reference = DEFAULT_REFERENCE
    result = []
    for point in DECISION_POINTS:
        own = counts.get(point.code, {})
        bases = (population or {}) if point.base is None else counts.get(point.base, {})
        total = sum(own.get(code, 0) for code, _ in GROUPS)
        base_total = sum(bases.get(code, 0) for code, _ in GROUPS) if bases else None
        rates = {
            code: exact_rate(own.get(code, 0), bases.get(code) if bases else None, point.per)
            for code, _ in GROUPS
        }
        rows = [
            Row(
                group=code,
                label=label,
                count=own.get(code, 0),
                base=bases.get(code) if bases else None,
                rate=rate(own.get(code, 0), bases.get(code) if bases else None, point.per),
                rri=relative_rate(rates[code], rates[reference]),
                share=rate(own.get(code, 0), total, 100),
            )
            for code, label in GROUPS
        ]
        result.append(
            Table(
                point=point,
                rows=rows,
                total=total,
                total_rate=rate(total, base_total, point.per),
                reference=reference,
            )
        )
    return result


def summary(tables_: list[Table]) -> list[str]:
    """One sentence per decision point: the groups most over- and under-represented
    against the reference group (relative rate index), in words."""
    sentences = []
    for table in tables_:
        reference = GROUP_LABELS[table.reference]
        compared = [
            row for row in table.rows if row.rri is not None and row.group != table.reference
        ]
        if not table.total:
            sentences.append(f"{table.point.name}: no children counted in this period.")
            continue
        if not compared:
            why = (
                "no child population figures are entered for this level"
                if table.point.base is None
                else f"the reference group ({reference}) or the others have no rate"
            )
            sentences.append(
                f"{table.point.name}: {table.total} children; no relative rate index ({why})."
            )
            continue
        high = max(compared, key=lambda row: row.rri or 0)
        low = min(compared, key=lambda row: row.rri or 0)
        sentence = (
            f"{table.point.name}: {table.total} children. Highest relative rate: "
            f"{high.label}, {high.rri} times the rate of {reference}"
        )
        if low.group != high.group:
            sentence += f"; lowest: {low.label}, {low.rri}"
        sentences.append(sentence + ".")
    return sentences
