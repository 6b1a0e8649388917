"""Disproportionality: the race and ethnicity groups, rates and relative rate index
(quality/equity.py), and the counts at each decision point on the hand-built cohort of
tests/quality/factories_dashboard.py (make_equity_cohort), with the numbers written out."""

from datetime import date
from decimal import Decimal

import pytest

from quality import equity, facts
from quality.models import ChildPopulation, Tally
from quality.selectors import dashboard as selectors
from tests.quality.factories_dashboard import NOW, make_equity_cohort

NOVEMBER = selectors.Period("month", date(2026, 11, 1))
FY2027 = selectors.Period("fiscal_year", date(2026, 10, 1))
STATE = selectors.Scope("state", None, "State", None)


@pytest.mark.parametrize(
    ("ethnicity", "races", "group"),
    [
        ("hispanic", ["white"], "hispanic"),
        ("hispanic", ["black", "asian"], "hispanic"),
        ("hispanic", [], "hispanic"),
        ("not_hispanic", ["black"], "black"),
        ("not_hispanic", ["black", "white"], "two_or_more"),
        ("unknown", ["white"], "white"),
        ("declined", ["american_indian_alaska_native"], "american_indian"),
        ("not_hispanic", ["native_hawaiian_pacific_islander"], "pacific_islander"),
        ("not_hispanic", ["white", "declined"], "white"),
        ("not_hispanic", ["unknown", "declined"], "unknown"),
        ("declined", [], "unknown"),
    ],
)
def test_each_person_counts_in_one_group(ethnicity, races, group):
    assert equity.group_of(ethnicity, races) == group


def test_group_codes_fit_the_fact_outcome_column():
    assert all(len(code) <= 20 for code, _ in equity.GROUPS)


def test_rates_and_the_relative_rate_index():
    counts = {
        equity.REFERRAL: {"black": 30, "white": 40, "hispanic": 10},
        equity.SUBSTANTIATION: {"black": 15, "white": 10},
        equity.ENTRY: {"black": 6, "white": 2},
    }
    population = {"black": 1000, "white": 4000, "hispanic": 2000}
    referral, substantiation, entry = equity.tables(counts, population)
    rows = {row.group: row for row in referral.rows}
    # 30 per 1,000 against 10 per 1,000: three times the rate.
    assert (rows["black"].rate, rows["white"].rate, rows["hispanic"].rate) == (
        Decimal("30.0"),
        Decimal("10.0"),
        Decimal("5.0"),
    )
    assert (rows["black"].rri, rows["white"].rri, rows["hispanic"].rri) == (
        Decimal("3.00"),
        Decimal("1.00"),
        Decimal("0.50"),
    )
    assert rows["asian"].rate is None and rows["asian"].rri is None  # no population
    assert referral.total == 80 and referral.total_rate == Decimal("11.4")  # 80 of 7,000
    rows = {row.group: row for row in substantiation.rows}
    # 15 of 30 (50 per 100) against 10 of 40 (25 per 100).
    assert (rows["black"].rate, rows["white"].rate, rows["black"].rri) == (
        Decimal("50.0"),
        Decimal("25.0"),
        Decimal("2.00"),
    )
    rows = {row.group: row for row in entry.rows}
    # 6 of 15 (40) against 2 of 10 (20); the share of entries: 6 of 8.
    assert (rows["black"].rri, rows["black"].share) == (Decimal("2.00"), Decimal("75.0"))
    # Against another reference group, and without any population.
    hispanic = equity.tables(counts, population, "hispanic")[0]
    assert {row.group: row.rri for row in hispanic.rows}["black"] == Decimal("6.00")
    unrated = equity.tables(counts, None)[0]
    assert not unrated.has_rates and "no child population" in equity.summary([unrated])[0]


def test_the_index_uses_unrounded_rates():
    # 2 of 9,000 (0.222 per 1,000, shown 0.2) against 1 of 4,000 (0.25, shown 0.3): 0.89,
    # not the 0.67 the rounded rates would give.
    counts = {equity.REFERRAL: {"black": 1, "asian": 2}}
    table = equity.tables(counts, {"black": 4000, "asian": 9000}, "black")[0]
    rows = {row.group: row for row in table.rows}
    assert (rows["asian"].rate, rows["black"].rate) == (Decimal("0.2"), Decimal("0.3"))
    assert rows["asian"].rri == Decimal("0.89")


@pytest.fixture
def cohort(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_equity_cohort(personas)
    facts.facts_refresh(first_month=date(2026, 10, 1), last_month=date(2026, 11, 1))
    return cohort


def counts(scope=STATE, period=NOVEMBER):
    return selectors.equity_counts(scope, period)


def unit(personas, which="unit"):
    return selectors.Scope("unit", getattr(personas, which).pk, "unit", None)


def test_counts_by_group_at_each_decision_point(cohort):
    result = counts()
    # Bo, with two intakes in November, counts once; Tia's October intake is October's.
    assert result[equity.REFERRAL] == {
        "hispanic": 2,
        "black": 2,
        "two_or_more": 1,
        "white": 2,
        "unknown": 1,
    }
    assert result[equity.SUBSTANTIATION] == {"hispanic": 1, "black": 2}
    assert result[equity.ENTRY] == {"black": 2}


def test_a_fiscal_year_counts_each_child_once(cohort):
    result = counts(period=FY2027)
    # Tia: referred in October (substantiated) and November: one child.
    assert result[equity.REFERRAL]["two_or_more"] == 1
    assert result[equity.SUBSTANTIATION] == {"hispanic": 1, "black": 2, "two_or_more": 1}


def test_the_units_add_up_to_the_state(cohort, personas):
    mine, theirs = counts(unit(personas)), counts(unit(personas, "other_unit"))
    assert mine[equity.REFERRAL] == {"hispanic": 1, "black": 1, "two_or_more": 1, "white": 1,
                                     "unknown": 1}  # fmt: skip
    assert theirs[equity.REFERRAL] == {"hispanic": 1, "black": 1, "white": 1}
    state = counts()
    for code in equity.CODES:
        for group, _ in equity.GROUPS:
            total = mine[code].get(group, 0) + theirs[code].get(group, 0)
            assert total == state[code].get(group, 0), (code, group)


def test_the_refresh_keeps_tallies_per_group(cohort):
    tallies = Tally.objects.filter(indicator=equity.REFERRAL, starts_on=date(2026, 11, 1))
    added: dict[str, int] = {}
    for tally in tallies:
        for group, n in tally.counts.items():
            added[group] = added.get(group, 0) + n
    # Per case: Bo is on one case with two intakes, so once.
    assert added == {"hispanic": 2, "black": 2, "two_or_more": 1, "white": 2, "unknown": 1}


def test_referral_rates_use_the_levels_population(cohort, personas):
    ChildPopulation.objects.bulk_create(
        [
            ChildPopulation(year=2026, region=None, group=group, children=n)
            for group, n in (
                ("hispanic", 400),
                ("black", 200),
                ("white", 1000),
                ("two_or_more", 100),
                ("asian", 50),
            )
        ]
    )
    data = selectors.equity_data(STATE, NOVEMBER, "white")
    referral = {row.group: row for row in data["tables"][0].rows}
    assert (referral["black"].rate, referral["black"].rri) == (Decimal("10.0"), Decimal("5.00"))
    assert (referral["hispanic"].rate, referral["hispanic"].rri) == (
        Decimal("5.0"),
        Decimal("2.50"),
    )
    assert referral["asian"].rri == Decimal("0.00")
    assert referral["unknown"].rate is None  # no population entered for it
    substantiation = {row.group: row for row in data["tables"][1].rows}
    assert substantiation["hispanic"].rate == Decimal("50.0")  # Pia of Pia and Hugo
    assert substantiation["black"].rri is None  # White: 0 of 2 substantiated
    entry = {row.group: row for row in data["tables"][2].rows}
    assert entry["black"].rate == Decimal("100.0")  # Bo and Kim of Bo and Kim
    # A region without its own figures has no referral rate; with them, its own.
    region = selectors.Scope("region", personas.region.pk, "Region", None)
    assert selectors.equity_data(region, NOVEMBER, "white")["population"] is None
    ChildPopulation.objects.create(year=2025, region=personas.region, group="black", children=50)
    population = selectors.equity_data(region, NOVEMBER, "white")["population"]
    assert (population.year, population.children) == (2025, {"black": 50})
    # Below the region there is no population: said so.
    below = selectors.equity_data(unit(personas), NOVEMBER, "white")
    assert below["population"] is None and "not for units" in below["no_population"]


def test_the_state_adds_up_its_regions_without_state_figures(cohort, personas):
    ChildPopulation.objects.create(year=2026, region=personas.region, group="black", children=50)
    ChildPopulation.objects.create(
        year=2026, region=personas.other_office.region, group="black", children=150
    )
    population = selectors.equity_data(STATE, NOVEMBER, "white")["population"]
    assert population.children == {"black": 200} and "regions added up" in population.area
