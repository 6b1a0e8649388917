"""Each key indicator on the hand-built cohort of tests/quality/factories_dashboard.py,
with the numbers written out; the level sums; and the fact refresh itself."""

from datetime import date

import pytest

from quality import case_facts, facts
from quality.indicators import BY_CODE, add_months, fiscal_year_start, percentage
from quality.models import FactRefresh, MemberMonth, Tally
from quality.selectors import dashboard as selectors
from tests.quality.factories_dashboard import (
    NOW,
    make_cohort,
    make_due_cohort,
    make_permanency_cohort,
)

NOVEMBER = selectors.Period("month", date(2026, 11, 1))
FY2027 = selectors.Period("fiscal_year", date(2026, 10, 1))
STATE = selectors.Scope("state", None, "State", None)


@pytest.fixture
def cohort(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_cohort(personas)
    facts.facts_refresh(first_month=date(2026, 8, 1), last_month=date(2026, 11, 1))
    return cohort


def value(code, scope=STATE, period=NOVEMBER):
    v = selectors.indicator_value(scope, period, BY_CODE[code])
    return v.numerator, v.denominator, v.counts


def unit(personas):
    return selectors.Scope("unit", personas.unit.pk, "unit", None)


def test_visits_with_children_count_whole_months_and_the_first_and_last_day(cohort, personas):
    # Leo (seen 1 Nov 00:30) and Mia (30 Nov 23:00, privately); Sam's case opened
    # mid-month and Zoe's closed mid-month; Kai (other unit) was not seen.
    numerator, denominator, counts = value("visits_children", unit(personas))
    assert (numerator, denominator, counts["private"]) == (2, 2, 1)
    assert value("visits_children")[:2] == (2, 3)


def test_visits_with_mothers_and_fathers_apart_and_whereabouts_unknown_apart(cohort, personas):
    # Ana was seen on 31 October and at a visit entered in error: not seen in November.
    assert value("visits_mothers", unit(personas))[:2] == (0, 1)
    numerator, denominator, counts = value("visits_fathers", unit(personas))
    assert (numerator, denominator, counts["whereabouts_unknown"]) == (0, 0, 1)


def test_federal_measure_counts_full_months_in_care_within_the_fiscal_year(cohort):
    # Leo (Oct, Nov: seen both) and Mia (Nov: seen) met; Kai's Oct had no visit, and
    # his visit of 30 September belongs to FY 2026.
    assert value("federal_visits", period=FY2027)[:2] == (2, 3)
    # Visits in those months: Leo's Oct (foster home) and Nov (office), Mia's Nov
    # (foster home).
    assert value("federal_residence", period=FY2027)[:2] == (2, 3)


def test_a_month_still_under_way_is_not_a_full_month_in_care(cohort, time_machine):
    facts.facts_refresh(first_month=date(2026, 12, 1), last_month=date(2026, 12, 1))
    # December has begun; Leo and Mia are still in care but December is not over.
    assert value("federal_visits", period=FY2027)[:2] == (2, 3)


def test_iff_timeliness_on_time_extension_late_not_seen(cohort, personas):
    numerator, denominator, counts = value("iff_timeliness", unit(personas))
    assert (numerator, denominator) == (2, 4)
    assert {key: counts[key] for key in ("on_time", "extension", "late", "not_seen")} == {
        "on_time": 1,
        "extension": 1,
        "late": 1,
        "not_seen": 1,
    }
    october = selectors.Period("month", date(2026, 10, 1))
    assert value("iff_timeliness", period=october)[:2] == (0, 1)  # Eve, never seen


def test_a_fiscal_year_adds_up_its_months(cohort):
    october = value("visits_children", period=selectors.Period("month", date(2026, 10, 1)))
    november = value("visits_children")
    year = value("visits_children", period=FY2027)
    assert year[:2] == (october[0] + november[0], october[1] + november[1])


@pytest.mark.parametrize("code", list(BY_CODE))
def test_the_level_below_adds_up_to_the_level_above(cohort, personas, code):
    period = FY2027 if BY_CODE[code].period == "fiscal_year" else NOVEMBER
    scope = STATE
    while scope.child_level:
        total = selectors.indicator_value(scope, period, BY_CODE[code])
        parts = selectors.parts(scope, period, BY_CODE[code])
        assert sum(p.value.numerator for p in parts) == total.numerator
        assert sum(p.value.denominator for p in parts) == total.denominator
        with_rows = [p for p in parts if p.value.denominator]
        if not with_rows:
            break
        part = with_rows[0]
        scope = selectors.Scope(part.level, part.pk, part.label, None)


def test_the_rows_behind_a_number_are_the_people_missed(cohort, personas):
    missed = selectors.missed_member_months(STATE, NOVEMBER, BY_CODE["visits_children"])
    assert [row.person.first_name for row in missed] == ["Kai"]
    mothers = selectors.missed_member_months(unit(personas), NOVEMBER, BY_CODE["visits_mothers"])
    assert [row.person.first_name for row in mothers] == ["Ana"]
    contacts = selectors.missed_contacts(unit(personas), NOVEMBER)
    assert [(c.child.first_name, c.extended) for c in contacts] == [
        ("Mia", True),
        ("Sam", False),
        ("Zoe", False),
    ]
    federal = selectors.missed_member_months(STATE, FY2027, BY_CODE["federal_visits"])
    assert [(row.person.first_name, row.month) for row in federal] == [("Kai", date(2026, 10, 1))]


def test_refreshing_again_replaces_the_month(cohort, personas):
    before = MemberMonth.objects.filter(month=date(2026, 11, 1)).count()
    tallies = Tally.objects.filter(starts_on=date(2026, 11, 1)).count()
    run = facts.facts_refresh(first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))
    assert MemberMonth.objects.filter(month=date(2026, 11, 1)).count() == before
    assert Tally.objects.filter(starts_on=date(2026, 11, 1)).count() == tallies
    assert run.finished_at is not None
    assert facts.last_refreshed() == FactRefresh.objects.latest().finished_at


def test_a_month_is_computed_in_a_fixed_number_of_queries(
    cohort, personas, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        facts.member_months(date(2026, 11, 1))


def test_covers_joins_back_to_back_placements():
    nov1, nov30 = date(2026, 11, 1), date(2026, 11, 30)
    assert facts.covers(
        [(date(2026, 10, 1), date(2026, 11, 10)), (date(2026, 11, 11), nov30)], nov1, nov30
    )
    assert not facts.covers(
        [(date(2026, 10, 1), date(2026, 11, 10)), (date(2026, 11, 12), nov30)], nov1, nov30
    )
    assert not facts.covers([(date(2026, 11, 2), nov30)], nov1, nov30)


def test_calendar_helpers():
    assert fiscal_year_start(date(2026, 9, 30)) == date(2025, 10, 1)
    assert fiscal_year_start(date(2026, 10, 1)) == date(2026, 10, 1)
    assert add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)
    assert percentage(2, 3) == percentage(200, 300) and str(percentage(2, 3)) == "66.7"
    assert percentage(0, 0) is None


@pytest.fixture
def due(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_due_cohort(personas)
    facts.facts_refresh(first_month=date(2026, 8, 1), last_month=date(2026, 11, 1))
    return cohort


OCTOBER = selectors.Period("month", date(2026, 10, 1))


def test_assessments_on_time_count_the_ones_never_started(due):
    numerator, denominator, counts = value("assessments_on_time", period=OCTOBER)
    assert (numerator, denominator, counts["on_time"], counts["late"]) == (1, 2, 1, 1)
    numerator, denominator, counts = value("assessments_on_time")
    assert (numerator, denominator, counts["not_done"]) == (0, 1, 1)


def test_first_plans_and_plan_reviews_on_time(due):
    # Case E's first plan (due 30 Nov, approved 29 Nov); case F's review (due 15 Nov,
    # the next version approved 20 Nov). Case F's first plan fell due in July.
    assert value("plans_on_time")[:2] == (1, 1)
    numerator, denominator, counts = value("plan_reviews_on_time")
    assert (numerator, denominator, counts["late"]) == (0, 1, 1)


def test_kin_home_study_referrals_within_30_days(due):
    numerator, denominator, counts = value("home_study_on_time")
    assert (numerator, denominator, counts["on_time"], counts["not_done"]) == (1, 2, 1, 1)


def test_fifteen_of_22_months_with_a_petition(due):
    numerator, denominator, counts = value("fifteen_of_22", period=FY2027)
    assert (numerator, denominator, counts["decided"]) == (1, 1, 1)


def test_the_rows_behind_things_due_are_the_ones_missed(due):
    rows = selectors.missed_case_facts(STATE, FY2027, BY_CODE["home_study_on_time"])
    assert [(row.what, row.person.first_name, row.outcome) for row in rows] == [
        ("Home study: Foster family", "Jay", "not_done")
    ]
    late = selectors.missed_case_facts(STATE, OCTOBER, BY_CODE["assessments_on_time"])
    assert [(row.what, row.done_on) for row in late] == [("Risk assessment", date(2026, 11, 2))]


# --- Permanency within 12 months ---------------------------------------------------------------

FY2026 = selectors.Period("fiscal_year", date(2025, 10, 1))
FY2025 = selectors.Period("fiscal_year", date(2024, 10, 1))


@pytest.fixture
def permanency(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_permanency_cohort(personas)
    facts.facts_refresh(first_month=date(2025, 9, 1), last_month=date(2026, 11, 1))
    return cohort


def test_permanency_within_12_months_of_a_fiscal_year_entry_cohort(permanency):
    # Ada and Dee of Ada, Dee, Ben (adopted after 12 months), Gus (still in care) and Eli
    # (ran away); Fay and Eli's re-entry are not 12 months in yet: counted apart.
    numerator, denominator, counts = value("permanency_12_months", period=FY2026)
    assert (numerator, denominator) == (2, 5)
    assert {k: counts[k] for k in ("permanency", "other_exit", "not_within_12", "not_yet_12")} == {
        "permanency": 2,
        "other_exit": 1,
        "not_within_12": 2,
        "not_yet_12": 2,
    }
    # Cal entered on 30 September 2025, the last day of FY 2025.
    assert value("permanency_12_months", period=FY2025)[:2] == (1, 1)


def test_permanency_counts_children_in_the_month_they_entered(permanency, personas):
    october = selectors.Period("month", date(2025, 10, 1))
    assert value("permanency_12_months", period=october)[:2] == (2, 2)  # Ada (15th), Dee (1st)
    november = selectors.Period("month", date(2025, 11, 1))
    assert value("permanency_12_months", period=november)[:2] == (0, 2)  # Ben, Gus
    july = selectors.Period("month", date(2026, 7, 1))
    numerator, denominator, counts = value("permanency_12_months", period=july)
    assert (numerator, denominator, counts["not_yet_12"]) == (0, 0, 1)  # Eli again
    # A move (Dee, 1 Feb) and a placement entered in error or a trial home visit (Hal)
    # are not entries.
    february = selectors.Period("month", date(2026, 2, 1))
    march = selectors.Period("month", date(2026, 3, 1))
    for period in (february, march):
        assert value("permanency_12_months", period=period)[:2] == (0, 0)
        assert value("permanency_12_months", period=period)[2]["not_yet_12"] == 0
    assert value("permanency_12_months", unit(personas), FY2026)[:2] == (2, 4)


def test_the_children_who_did_not_reach_permanency_within_12_months(permanency):
    rows = selectors.missed_case_facts(STATE, FY2026, BY_CODE["permanency_12_months"])
    assert [(r.person.first_name, r.outcome, r.due_on, r.done_on) for r in rows] == [
        ("Gus", "not_within_12", date(2026, 11, 1), None),
        ("Ben", "not_within_12", date(2026, 11, 20), date(2026, 11, 25)),
        ("Eli", "other_exit", date(2026, 12, 10), date(2026, 4, 1)),
    ]


def test_care_episodes_join_moves_and_split_re_entries():
    d = date
    rows = [
        (1, 10, d(2026, 1, 1), d(2026, 1, 31), ""),
        (1, 10, d(2026, 2, 1), d(2026, 3, 1), "adoption"),  # the next day: a move
        (1, 10, d(2026, 3, 3), None, ""),  # a day's gap: a re-entry
        (2, 20, d(2026, 5, 1), d(2026, 6, 1), "reunification"),
        (2, 20, d(2026, 6, 1), d(2026, 6, 1), ""),  # ends the same day: no change
    ]
    episodes = case_facts.care_episodes(rows)
    assert [(e.child_id, e.entered_on, e.exited_on, e.exit_reason) for e in episodes] == [
        (1, d(2026, 1, 1), d(2026, 3, 1), "adoption"),
        (1, d(2026, 3, 3), None, ""),
        (2, d(2026, 5, 1), d(2026, 6, 1), "reunification"),
    ]
    today = d(2026, 12, 5)
    entered = case_facts.Episode(1, 1, d(2025, 12, 5), d(2026, 12, 5), "guardianship")
    assert case_facts.permanency_outcome(entered, today) == ("permanency", d(2026, 12, 5))
    open_ = case_facts.Episode(1, 1, d(2025, 12, 5), None, "")
    assert case_facts.permanency_outcome(open_, today)[0] == "not_yet_12"
    assert case_facts.permanency_outcome(open_, d(2026, 12, 6))[0] == "not_within_12"
