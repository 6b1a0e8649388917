"""The practice indicators of casework part two on a hand-built cohort, with the numbers
written out: supervisory reviews this month, shared planning meetings on time, FTDMs
before or within 72 hours of placement, court reports filed on time (quality/
practice_facts.py). Their levels, the rows behind them, the pages and the API, the query
counts, and the refresh after a change.

The clock stands on Saturday 5 December 2026, noon. personas.unit has two workers:
personas.caseworker (case A) and `second` (case B); personas.other_unit (another office
and region) has personas.other_caseworker (case D).

Cases: A opened 1 May 2026, B 1 Jan 2026, D 1 Dec 2025 (open); C opened 10 November
(mid-month); E opened 1 Aug 2026 and closed 15 November.

Supervisory reviews, November: A (12 Nov, with clinical guidance) and B (30 Nov, none)
of A, B, D (D's review is on 1 Dec); C opened mid-month (its review of 20 Nov does not
count) and E closed mid-month: 2 of 3. October: B (31 Oct) of A, B, D, E: 1 of 4.

Shared planning meetings (first due 180 days in care, then 6 months after the last):
- Ada (A), in care since 1 Jun: due 28 Nov (exactly 180 days), held 28 Nov: on time.
- Ben (A), since 2 Jun: due 29 Nov, held 30 Nov: late.
- Cy (B), since 15 May: due 11 Nov; one cancelled, one still scheduled: not held.
- Dot (D), since 1 Jan: held 20 May, so the first (due 30 Jun) on time in June and the
  next due 20 Nov: not held.
- Eve (B): in care 1 Jan to 1 Jun (left before her first due date, 30 Jun; a meeting of
  1 Mar in that episode), a trial home visit in June, back in care 1 Jul: next due
  28 Dec. Nothing counted.
November: 1 of 4.

FTDMs (the deadline is the end of the placement day, plus 72 hours for an emergency):
- Fay (A), emergency 10 Nov: held 13 Nov 23:00, 71 hours after the end of 10 Nov: on
  time. Gil (A), emergency 10 Nov: held 14 Nov 01:00, 73 hours: late.
- Hana (B), planned 5 Nov: held 4 Nov: on time. Ian (B), planned 20 Nov: held 21 Nov:
  late (and Hana's FTDM does not count for him).
- Jo (D), planned 25 Nov: an FTDM held but not linked to the placement: not held.
- Mo (A), emergency 28 Nov, ended 29 Nov, none held (deadline end of 1 Dec): not held.
- Not counted: Fay's trial home visit (15 Nov), Gil's placement entered in error (16 Nov).
November: 2 of 6. December: Lu (A, planned 2 Dec, held 1 Dec) on time; Kit (A, emergency
4 Dec, held 5 Dec) left out until her 72 hours are over (the end of 7 Dec): 1 of 1.

Court reports: due 10 Nov filed 10 Nov (its due day, A); due 20 Nov filed 22 Nov (A);
due 25 Nov not filed (B); due 26 Nov but the hearing was cancelled (B, not counted); due
30 Nov filed 28 Nov (D); due 20 Nov on case E, closed 15 Nov (not counted); a hearing
without a due date (not counted). November: 2 of 4. December: due 4 Dec filed 3 Dec; due
5 Dec (today, not yet passed): 1 of 1.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from agency.calendar import TIMEZONE
from agency.roles import Role
from casework import meetings as meeting_rules
from casework.models import (
    Case,
    CourtHearing,
    FamilyMeeting,
    Placement,
    SupervisoryReview,
)
from quality import facts, practice_facts
from quality.indicators import BY_CODE
from quality.models import CaseFact
from quality.selectors import dashboard as selectors
from tests.casework.factories import add_member, make_case, make_person
from tests.factories import make_user

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=TIMEZONE)
NOVEMBER = selectors.Period("month", date(2026, 11, 1))
OCTOBER = selectors.Period("month", date(2026, 10, 1))
DECEMBER = selectors.Period("month", date(2026, 12, 1))
STATE = selectors.Scope("state", None, "State", None)
CODES = (
    "supervisory_reviews",
    "shared_planning_on_time",
    "ftdm_on_time",
    "court_reports_on_time",
)
NOV = "period=month&month=2026-11"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


@dataclass
class Practice:
    second: object
    cases: dict
    kids: dict
    placements: dict
    hearings: dict


def _placed(case, child, starts, ends=None, **fields) -> Placement:
    return Placement.objects.create(
        **{
            "case": case,
            "child": child,
            "setting": Placement.Setting.FOSTER,
            "caregiver": "The Kelly family",
            "start_date": starts,
            "end_date": ends,
            "reason": "Unsafe at home.",
        }
        | fields
    )


def _meeting(case, kind, held_at=None, *, status=FamilyMeeting.Status.HELD, **fields):
    return FamilyMeeting.objects.create(
        case=case,
        kind=kind,
        status=status,
        scheduled_for=held_at or local(2026, 11, 12, 10),
        held_at=held_at if status == FamilyMeeting.Status.HELD else None,
        recorded_by=case.primary_worker,
        **fields,
    )


def _review(case, supervisor, held_on, guidance=""):
    return SupervisoryReview.objects.create(
        case=case,
        held_on=held_on,
        supervisor=supervisor,
        worker=case.primary_worker,
        focus_areas=["safety"],
        discussion="Safety plan and visits.",
        clinical_guidance=guidance,
    )


def _hearing(case, due_on, filed_on=None, *, child=None, **fields):
    return CourtHearing.objects.create(
        **{
            "case": case,
            "child": child,
            "kind": CourtHearing.Kind.REVIEW,
            "scheduled_for": local(due_on.year, due_on.month, due_on.day, 9, 30)
            + timedelta(days=10)
            if due_on
            else local(2026, 11, 18, 9, 30),
            "court": "Hartford Juvenile Court",
            "report_due_on": due_on,
            "report_filed_on": filed_on,
            "recorded_by": case.primary_worker,
        }
        | fields
    )


def make_practice_cohort(personas) -> Practice:
    worker, other = personas.caseworker, personas.other_caseworker
    second = make_user(
        Role.CASEWORKER,
        unit=personas.unit,
        username="second_worker",
        first_name="Sade",
        last_name="Okafor",
    )
    out = Case.Type.OUT_OF_HOME
    a = make_case(personas.unit, worker, opened_on=date(2026, 5, 1), case_type=out)
    b = make_case(personas.unit, second, opened_on=date(2026, 1, 1), case_type=out)
    c = make_case(personas.unit, worker, opened_on=date(2026, 11, 10))
    d = make_case(personas.other_unit, other, opened_on=date(2025, 12, 1), case_type=out)
    e = make_case(
        personas.unit,
        worker,
        opened_on=date(2026, 8, 1),
        status=Case.Status.CLOSED,
        closed_on=date(2026, 11, 15),
        closing_reason="Services completed",
    )
    home = {
        **{name: a for name in ("Ada", "Ben", "Fay", "Gil", "Mo", "Kit", "Lu")},
        **{name: b for name in ("Cy", "Eve", "Hana", "Ian")},
        **{name: d for name in ("Dot", "Jo")},
    }
    kids = {
        name: add_member(case, person=make_person(first_name=name)).person
        for name, case in home.items()
    }
    boss = personas.supervisor

    # Supervisory reviews.
    _review(a, boss, date(2026, 11, 12), "Hold the FTDM before any move.")
    _review(b, boss, date(2026, 11, 30))
    _review(b, boss, date(2026, 10, 31))
    _review(c, boss, date(2026, 11, 20), "Engage the father.")
    _review(d, personas.supervisor, date(2026, 12, 1))

    # Shared planning meetings.
    sp = FamilyMeeting.Kind.SHARED_PLANNING
    p = {}
    p["Ada"] = _placed(a, kids["Ada"], date(2026, 6, 1))
    _meeting(a, sp, local(2026, 11, 28, 16), child=kids["Ada"])
    p["Ben"] = _placed(a, kids["Ben"], date(2026, 6, 2))
    _meeting(a, sp, local(2026, 11, 30, 10), child=kids["Ben"])
    p["Cy"] = _placed(b, kids["Cy"], date(2026, 5, 15))
    _meeting(b, sp, status=FamilyMeeting.Status.CANCELLED, child=kids["Cy"], cancel_reason="Ill.")
    _meeting(b, sp, status=FamilyMeeting.Status.SCHEDULED, child=kids["Cy"])
    p["Dot"] = _placed(d, kids["Dot"], date(2026, 1, 1))
    _meeting(d, sp, local(2026, 5, 20, 10), child=kids["Dot"])
    _placed(
        b,
        kids["Eve"],
        date(2026, 1, 1),
        date(2026, 6, 1),
        exit_reason=Placement.ExitReason.REUNIFICATION,
    )
    _meeting(b, sp, local(2026, 3, 1, 10), child=kids["Eve"])
    _placed(
        b,
        kids["Eve"],
        date(2026, 6, 2),
        date(2026, 6, 30),
        setting=Placement.Setting.TRIAL_HOME_VISIT,
    )
    _placed(b, kids["Eve"], date(2026, 7, 1))

    # FTDMs.
    ftdm = FamilyMeeting.Kind.FTDM
    for name, start, emergency, held_at in (
        ("Fay", date(2026, 11, 10), True, local(2026, 11, 13, 23)),
        ("Gil", date(2026, 11, 10), True, local(2026, 11, 14, 1)),
        ("Hana", date(2026, 11, 5), False, local(2026, 11, 4, 15)),
        ("Ian", date(2026, 11, 20), False, local(2026, 11, 21, 10)),
        ("Jo", date(2026, 11, 25), False, None),
        ("Lu", date(2026, 12, 2), False, local(2026, 12, 1, 10)),
        ("Kit", date(2026, 12, 4), True, local(2026, 12, 5, 9)),
    ):
        case = home[name]
        p[name] = _placed(case, kids[name], start, emergency=emergency)
        if held_at:
            _meeting(case, ftdm, held_at, child=kids[name], placement=p[name])
    _meeting(d, ftdm, local(2026, 11, 24, 10), child=kids["Jo"])  # not linked
    p["Mo"] = _placed(a, kids["Mo"], date(2026, 11, 28), date(2026, 11, 29), emergency=True)
    _placed(
        a,
        kids["Fay"],
        date(2026, 11, 15),
        date(2026, 11, 20),
        setting=Placement.Setting.TRIAL_HOME_VISIT,
    )
    _placed(a, kids["Gil"], date(2026, 11, 16), entered_in_error=True)

    # Court reports.
    h = {
        "due_day": _hearing(a, date(2026, 11, 10), date(2026, 11, 10), child=kids["Ada"]),
        "late": _hearing(a, date(2026, 11, 20), date(2026, 11, 22), child=kids["Ben"]),
        "not_filed": _hearing(b, date(2026, 11, 25), child=kids["Cy"]),
        "cancelled": _hearing(b, date(2026, 11, 26), status=CourtHearing.Status.CANCELLED),
        "early": _hearing(
            d, date(2026, 11, 30), date(2026, 11, 28), kind=CourtHearing.Kind.PERMANENCY
        ),
        "closed_case": _hearing(e, date(2026, 11, 20)),
        "no_due_date": _hearing(a, None),
        "december": _hearing(a, date(2026, 12, 4), date(2026, 12, 3)),
        "today": _hearing(a, date(2026, 12, 5)),
    }
    return Practice(second, {"A": a, "B": b, "C": c, "D": d, "E": e}, kids, p, h)


@pytest.fixture
def practice(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_practice_cohort(personas)
    facts.facts_refresh(first_month=date(2026, 5, 1), last_month=date(2026, 12, 1))
    return cohort


def value(code, scope=STATE, period=NOVEMBER):
    v = selectors.indicator_value(scope, period, BY_CODE[code])
    return v.numerator, v.denominator, {k: n for k, n in v.counts.items() if n}


def scope(level, pk):
    return selectors.Scope(level, pk, level, None)


# --- The numbers --------------------------------------------------------------------------------


def test_supervisory_reviews_count_cases_open_all_month(practice):
    numerator, denominator, counts = value("supervisory_reviews")
    assert (numerator, denominator) == (2, 3)  # A and B of A, B, D: not C (mid-month), not E
    assert counts == {"guidance": 1, "reviewed": 1, "not_reviewed": 1}
    assert value("supervisory_reviews", period=OCTOBER)[:2] == (1, 4)  # B of A, B, D, E
    # The month under way: the cases open today (C too now), the reviews so far (D's).
    assert value("supervisory_reviews", period=DECEMBER)[:2] == (1, 4)


def test_shared_planning_meetings_on_time(practice):
    numerator, denominator, counts = value("shared_planning_on_time")
    assert (numerator, denominator) == (1, 4)
    assert counts == {"on_time": 1, "late": 1, "not_done": 2}
    # Dot's first meeting (due 30 Jun) was held early, on 20 May.
    june = selectors.Period("month", date(2026, 6, 1))
    assert value("shared_planning_on_time", period=june)[:2] == (1, 1)
    # Eve's meeting of 1 March belongs to an episode she left: her next due date is
    # 28 Dec, not 1 Sep (6 months after it), and nothing fell due while she was home.
    september = selectors.Period("month", date(2026, 9, 1))
    assert value("shared_planning_on_time", period=september)[:2] == (0, 0)
    assert value("shared_planning_on_time", period=DECEMBER)[:2] == (0, 0)


def test_a_shared_planning_meeting_held_on_the_180th_day_is_on_time(practice):
    ada = CaseFact.objects.get(indicator="shared_planning_on_time", person=practice.kids["Ada"])
    assert ada.due_on == date(2026, 6, 1) + timedelta(days=180) == date(2026, 11, 28)
    assert (ada.done_on, ada.outcome, ada.met) == (date(2026, 11, 28), "on_time", True)
    ben = CaseFact.objects.get(indicator="shared_planning_on_time", person=practice.kids["Ben"])
    assert (ben.due_on, ben.done_on, ben.outcome) == (
        date(2026, 11, 29),
        date(2026, 11, 30),
        "late",
    )


def test_ftdms_before_or_within_72_hours(practice):
    numerator, denominator, counts = value("ftdm_on_time")
    assert (numerator, denominator) == (2, 6)
    assert counts == {"on_time": 2, "late": 2, "not_done": 2}
    # Kit's 72 hours run to the end of 7 December: left out until then.
    assert value("ftdm_on_time", period=DECEMBER)[:2] == (1, 1)


def test_an_emergency_ftdm_at_71_hours_is_on_time_and_at_73_hours_late(practice):
    def ftdm(name):
        return CaseFact.objects.get(indicator="ftdm_on_time", person=practice.kids[name])

    end_of_placement_day = local(2026, 11, 11)
    fay, gil = ftdm("Fay"), ftdm("Gil")
    assert local(2026, 11, 13, 23) - end_of_placement_day == timedelta(hours=71)
    assert local(2026, 11, 14, 1) - end_of_placement_day == timedelta(hours=73)
    assert (fay.outcome, fay.met, fay.due_on) == ("on_time", True, date(2026, 11, 13))
    assert (gil.outcome, gil.met, gil.done_on) == ("late", False, date(2026, 11, 14))
    assert "emergency placement of 10 Nov 2026" in gil.what
    # The same deadline as the case page's FTDM rule.
    deadline = meeting_rules.ftdm_deadline(date(2026, 11, 10), emergency=True, hours=72)
    assert deadline == local(2026, 11, 14)


def test_court_reports_filed_on_time(practice):
    numerator, denominator, counts = value("court_reports_on_time")
    assert (numerator, denominator) == (2, 4)
    assert counts == {"on_time": 2, "late": 1, "not_done": 1}
    filed_on_due_day = CaseFact.objects.get(
        indicator="court_reports_on_time", due_on=date(2026, 11, 10)
    )
    assert (filed_on_due_day.outcome, filed_on_due_day.met) == ("on_time", True)
    # Due 4 Dec filed 3 Dec; the report due today is not counted yet.
    assert value("court_reports_on_time", period=DECEMBER)[:2] == (1, 1)


# --- Levels and the rows behind them ------------------------------------------------------------

EXPECTED = {
    # indicator: state, personas.unit, caseworker (case A), second (case B), other unit
    "supervisory_reviews": [(2, 3), (2, 2), (1, 1), (1, 1), (0, 1)],
    "shared_planning_on_time": [(1, 4), (1, 3), (1, 2), (0, 1), (0, 1)],
    "ftdm_on_time": [(2, 6), (2, 5), (1, 3), (1, 2), (0, 1)],
    "court_reports_on_time": [(2, 4), (1, 3), (1, 2), (0, 1), (1, 1)],
}


@pytest.mark.parametrize("code", CODES)
def test_each_level_has_its_numbers(practice, personas, code):
    state, unit, worker, second, other = EXPECTED[code]
    assert value(code)[:2] == state
    assert value(code, scope("region", personas.region.pk))[:2] == unit
    assert value(code, scope("office", personas.office.pk))[:2] == unit
    assert value(code, scope("unit", personas.unit.pk))[:2] == unit
    assert value(code, scope("worker", personas.caseworker.pk))[:2] == worker
    assert value(code, scope("worker", practice.second.pk))[:2] == second
    assert value(code, scope("unit", personas.other_unit.pk))[:2] == other
    assert value(code, scope("worker", personas.other_caseworker.pk))[:2] == other


@pytest.mark.parametrize("code", CODES)
def test_the_levels_below_add_up_to_the_level_above(practice, code):
    indicator = BY_CODE[code]
    pending = [STATE]
    seen_workers = 0
    while pending:
        level = pending.pop()
        total = selectors.indicator_value(level, NOVEMBER, indicator)
        parts = selectors.parts(level, NOVEMBER, indicator)
        if level.child_level is None:
            continue
        assert parts, level
        assert sum(p.value.numerator for p in parts) == total.numerator
        assert sum(p.value.denominator for p in parts) == total.denominator
        seen_workers += sum(p.level == "worker" for p in parts)
        pending += [selectors.Scope(p.level, p.pk, p.label, None) for p in parts]
    assert seen_workers == 3


def missed(code, period=NOVEMBER, level=STATE):
    return list(selectors.missed_case_facts(level, period, BY_CODE[code]))


def test_who_was_missed(practice):
    assert [(f.case_id, f.what, f.outcome) for f in missed("supervisory_reviews")] == [
        (practice.cases["D"].pk, "Monthly supervisory review, November 2026", "not_reviewed")
    ]
    assert [
        (f.person.first_name, f.due_on, f.done_on, f.case_id)
        for f in missed("shared_planning_on_time")
    ] == [
        ("Cy", date(2026, 11, 11), None, practice.cases["B"].pk),
        ("Dot", date(2026, 11, 20), None, practice.cases["D"].pk),
        ("Ben", date(2026, 11, 29), date(2026, 11, 30), practice.cases["A"].pk),
    ]
    assert [(f.person.first_name, f.due_on, f.outcome) for f in missed("ftdm_on_time")] == [
        ("Gil", date(2026, 11, 13), "late"),
        ("Ian", date(2026, 11, 20), "late"),
        ("Jo", date(2026, 11, 25), "not_done"),
        ("Mo", date(2026, 12, 1), "not_done"),
    ]
    assert [(f.due_on, f.done_on) for f in missed("court_reports_on_time")] == [
        (date(2026, 11, 20), date(2026, 11, 22)),
        (date(2026, 11, 25), None),
    ]
    mine = missed("ftdm_on_time", level=scope("worker", practice.second.pk))
    assert [f.person.first_name for f in mine] == ["Ian"]


# --- The rules, and the same due dates as the case page ----------------------------------------

RULES = meeting_rules.Rules()


def dues(entered_on, held, exited_on=None, until=date(2027, 12, 31)):
    return [
        (d.due_on, d.held_on)
        for d in practice_facts.shared_planning_due_dates(
            entered_on=entered_on, exited_on=exited_on, held_days=held, until=until, rules=RULES
        )
    ]


def test_shared_planning_due_dates_follow_the_meetings_held():
    entered = date(2026, 1, 1)
    assert dues(entered, []) == [(date(2026, 6, 30), None)]
    # On the 180th day, then 6 months after it; a meeting before the episode is ignored.
    held = [date(2025, 12, 1), date(2026, 6, 30), date(2027, 1, 10)]
    assert dues(entered, held) == [
        (date(2026, 6, 30), date(2026, 6, 30)),
        (date(2026, 12, 30), date(2027, 1, 10)),
        (date(2027, 7, 10), None),
    ]
    assert dues(entered, held, until=date(2026, 12, 29)) == [(date(2026, 6, 30), date(2026, 6, 30))]
    # Left care before the first due date: none.
    assert dues(entered, [], exited_on=date(2026, 6, 29)) == []
    assert dues(entered, [], exited_on=date(2026, 6, 30)) == [(date(2026, 6, 30), None)]


def test_the_due_date_still_open_is_the_one_the_case_page_shows(practice):
    """The last due date counted for Cy (not held) is the one casework/meetings.py gives
    her today; Ada's next is 6 months after her meeting of 28 November, as there."""
    case_b, case_a = practice.cases["B"], practice.cases["A"]
    live = {}
    for case in (case_a, case_b):
        for due in meeting_rules.shared_planning_dues(
            list(Placement.objects.filter(case=case)),
            list(FamilyMeeting.objects.filter(case=case)),
            names={},
            today=NOW.date(),
            rules=RULES,
        ):
            live[due.child_id] = due.due_on
    cy = CaseFact.objects.get(indicator="shared_planning_on_time", person=practice.kids["Cy"])
    assert live[practice.kids["Cy"].pk] == cy.due_on == date(2026, 11, 11)
    assert live[practice.kids["Ada"].pk] == date(2027, 5, 28)


def test_the_facts_are_computed_in_a_fixed_number_of_queries(
    practice, personas, django_assert_max_num_queries
):
    def run():
        practice_facts.practice_facts(
            first_month=date(2026, 5, 1), last_month=date(2026, 12, 1), today=NOW.date()
        )
        practice_facts.supervisory_review_facts(date(2026, 11, 1))

    with django_assert_max_num_queries(8) as few:
        run()
    case = practice.cases["A"]
    for n in range(10):
        child = add_member(case, person=make_person(first_name=f"Kid{n}")).person
        placed = _placed(case, child, date(2026, 6, 1), emergency=True)
        _meeting(case, FamilyMeeting.Kind.FTDM, local(2026, 6, 2, 9), placement=placed)
        _meeting(case, FamilyMeeting.Kind.SHARED_PLANNING, local(2026, 10, 2, 9), child=child)
        _hearing(case, date(2026, 11, 2), child=child)
        _review(
            make_case(personas.unit, personas.caseworker), personas.supervisor, date(2026, 11, 3)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        run()


# --- The refresh after a change --------------------------------------------------------------


def test_the_refresh_recomputes_the_facts_after_a_change(practice, personas, time_machine):
    _review(practice.cases["D"], personas.supervisor, date(2026, 11, 29))
    CourtHearing.objects.filter(pk=practice.hearings["not_filed"].pk).update(
        report_filed_on=date(2026, 11, 24)
    )
    CourtHearing.objects.filter(pk=practice.hearings["due_day"].pk).update(
        status=CourtHearing.Status.CANCELLED
    )
    _meeting(
        practice.cases["B"],
        FamilyMeeting.Kind.SHARED_PLANNING,
        local(2026, 11, 11, 15),
        child=practice.kids["Cy"],
    )
    # Ian's placement was an emergency after all: his FTDM the next day was in time.
    Placement.objects.filter(pk=practice.placements["Ian"].pk).update(emergency=True)
    # Before the refresh the dashboard still shows the facts as they were.
    assert value("supervisory_reviews")[:2] == (2, 3)

    facts.facts_refresh(first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))
    assert value("supervisory_reviews")[:2] == (3, 3)
    assert value("court_reports_on_time")[:2] == (2, 3)  # one filed early, one cancelled
    assert value("shared_planning_on_time")[:2] == (2, 4)
    assert value("ftdm_on_time")[:2] == (3, 6)
    assert missed("supervisory_reviews") == []
    assert [f.person.first_name for f in missed("shared_planning_on_time")] == ["Dot", "Ben"]

    # Kit's 72 hours end with 7 December: the frequent refresh counts her from the 8th.
    time_machine.move_to(local(2026, 12, 8, 0, 15), tick=False)
    facts.facts_refresh_recent(months=2)
    assert value("ftdm_on_time", period=DECEMBER)[:2] == (2, 2)


# --- The pages and the API --------------------------------------------------------------------


@pytest.fixture
def reviewer(user_with_role, personas):
    return user_with_role(Role.QUALITY_REVIEWER, location=personas.central)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_dashboard_shows_the_four_indicators(client, practice, reviewer):
    page = get(client, reviewer, f"/quality/?scope=state&{NOV}").text
    for name, count in (
        ("Supervisory reviews this month", "2 of 3"),
        ("Shared planning meetings on time", "1 of 4"),
        ("FTDMs before or within 72 hours of placement", "2 of 6"),
        ("Court reports filed on time", "2 of 4"),
    ):
        assert name in page and count in page
    assert "Cases open for the whole month" in page  # a definition in plain words
    assert "reviewed, with clinical guidance recorded" in page
    assert (
        f"/quality/indicators/ftdm_on_time/rows/?scope=state&amp;{NOV.replace('&', '&amp;')}"
        in page
    )


def test_drilling_down_to_the_worker_and_the_cases_missed(client, personas, practice, reviewer):
    unit = get(
        client,
        reviewer,
        f"/quality/indicators/shared_planning_on_time/?scope=unit:{personas.unit.pk}&{NOV}",
    ).text
    assert f"?scope=worker:{practice.second.pk}&amp;" in unit
    rows = get(
        client,
        reviewer,
        f"/quality/indicators/shared_planning_on_time/rows/?scope=worker:{practice.second.pk}&{NOV}",
    ).text
    assert "Cy Rivera" in rows and "11 Nov 2026" in rows and "Not held" in rows
    assert f"/casework/cases/{practice.cases['B'].pk}/" in rows
    assert "Ben Rivera" not in rows  # personas.caseworker's
    reviews = get(
        client, reviewer, f"/quality/indicators/supervisory_reviews/rows/?scope=state&{NOV}"
    ).text
    assert practice.cases["D"].number in reviews and "No review in the month" in reviews
    assert practice.cases["A"].number not in reviews
    csv = get(
        client,
        reviewer,
        f"/quality/indicators/court_reports_on_time/rows/?scope=state&{NOV}&format=csv",
    ).content.decode()
    assert [line.split(",")[-1] for line in csv.strip().splitlines()[1:]] == ["late", "not_done"]


ROWS = [f"/quality/indicators/{code}/rows/" for code in CODES]


@pytest.mark.parametrize("url", [*ROWS, "/quality/indicators/ftdm_on_time/"])
def test_the_pages_keep_to_their_levels(client, personas, practice, url):
    assert get(client, personas.caseworker, f"{url}?{NOV}").status_code == 403
    mine = get(client, personas.supervisor, f"{url}?scope=unit:{personas.unit.pk}&{NOV}")
    assert mine.status_code == 200
    for other in (f"unit:{personas.other_unit.pk}", f"worker:{personas.other_caseworker.pk}"):
        assert get(client, personas.supervisor, f"{url}?scope={other}&{NOV}").status_code == 404
    if "rows" in url:
        assert practice.cases["D"].number not in mine.text


def test_the_api_serves_the_new_indicators(client, personas, practice, reviewer):
    data = get(client, reviewer, f"/api/quality/indicators/?scope=state&{NOV}").json()
    by_code = {i["code"]: i for i in data["indicators"]}
    assert {code: (by_code[code]["numerator"], by_code[code]["denominator"]) for code in CODES} == {
        code: numbers[0] for code, numbers in EXPECTED.items()
    }
    assert by_code["court_reports_on_time"]["target"] == "95.0"
    assert by_code["supervisory_reviews"]["counts"]["guidance"] == 1
    one = get(
        client,
        reviewer,
        f"/api/quality/indicators/ftdm_on_time/?scope=unit:{personas.unit.pk}&{NOV}",
    ).json()
    assert one["value"]["percent"] == "40.0"
    assert sorted((p["label"], p["value"]["denominator"]) for p in one["parts"]) == sorted(
        [(personas.caseworker.get_full_name(), 3), (practice.second.get_full_name(), 2)]
    )
    assert get(client, personas.caseworker, "/api/quality/indicators/").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/quality/?scope=state",
        "/api/quality/indicators/?scope=state",
        *[f"{url}?scope=state" for url in ROWS],
        "/quality/indicators/supervisory_reviews/?scope=state",
    ],
)
def test_the_pages_run_a_fixed_number_of_queries(
    client, personas, practice, reviewer, django_assert_max_num_queries, url
):
    client.force_login(reviewer)
    url = f"{url}&{NOV}"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for n in range(12):
        case = make_case(
            personas.other_unit,
            personas.other_caseworker,
            opened_on=date(2026, 1, 1),
            case_type=Case.Type.OUT_OF_HOME,
        )
        child = add_member(case, person=make_person(first_name=f"More{n}")).person
        _placed(case, child, date(2026, 11, 3), emergency=True)
        _placed(case, child, date(2026, 4, 1), date(2026, 11, 2))
        _hearing(case, date(2026, 11, 4), child=child)
    facts.facts_refresh(first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))
    assert value("ftdm_on_time")[:2] == (2, 18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
