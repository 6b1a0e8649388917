"""Who sees which significant event, and the aggregate report's numbers on a small set
built by hand (month boundaries in Eastern time, places, kinds, the 12-month trend)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from agency import periods
from agency.roles import Role
from quality.models import SignificantEvent
from quality.selectors import events as selectors
from tests.casework.factories import make_case
from tests.factories import make_unit, make_user
from tests.quality.factories_events import make_event

EASTERN = ZoneInfo("America/New_York")
Kind = SignificantEvent.Kind


def at(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to("2026-12-10 10:00:00-05:00", tick=False)


@pytest.fixture
def people(personas):
    central = personas.central
    return {
        "reviewer": make_user(Role.QUALITY_REVIEWER, location=central),
        "commissioner": make_user(Role.COMMISSIONERS_OFFICE, location=central),
        "areaadmin": make_user(Role.AREA_ADMINISTRATOR, location=personas.office),
        "other_areaadmin": make_user(Role.AREA_ADMINISTRATOR, location=personas.other_office),
        "sysadmin": make_user(Role.SYSTEM_ADMINISTRATOR, location=central),
    }


@pytest.fixture
def events(personas):
    """One event of each kind of link, recorded by someone at the central office."""
    recorder = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    second_unit = make_unit(personas.office, name="Ongoing Unit 2")  # same office, no supervisor
    when = at(2026, 11, 5, 12)
    return {
        "unit_case": make_event(
            recorder, occurred_at=when, case=make_case(personas.unit, personas.other_caseworker)
        ),
        "office_case": make_event(
            recorder, occurred_at=when, case=make_case(second_unit, personas.other_caseworker)
        ),
        "at_office": make_event(recorder, occurred_at=when, work_location=personas.office),
        "other_office": make_event(
            recorder,
            occurred_at=when,
            work_location=personas.other_office,
            case=make_case(personas.other_unit, personas.other_caseworker),
        ),
        "facility_only": make_event(recorder, occurred_at=when, facility="Foster home"),
        "own": make_event(personas.caseworker, occurred_at=when, facility="School"),
    }


def seen(user) -> set[str]:
    return {event.reference for event in selectors.visible_events(user)}


def refs(events, *names) -> set[str]:
    return {events[name].reference for name in names}


def test_statewide_roles_see_every_event(personas, people, events):
    everything = refs(events, *events)
    assert seen(people["reviewer"]) == everything
    assert seen(people["commissioner"]) == everything


def test_area_administrator_sees_their_office(personas, people, events):
    assert seen(people["areaadmin"]) == refs(events, "unit_case", "office_case", "at_office")
    assert seen(people["other_areaadmin"]) == refs(events, "other_office")


def test_supervisor_sees_supervised_units_and_their_location(personas, events):
    assert seen(personas.supervisor) == refs(events, "unit_case", "at_office")


def test_caseworker_sees_cases_they_can_see_and_what_they_recorded(personas, events):
    assert seen(personas.caseworker) == refs(events, "unit_case", "own")
    # Assigned to the other office's case: its event too.
    assert seen(personas.other_caseworker) == refs(
        events, "unit_case", "office_case", "other_office"
    )


def test_other_roles_see_nothing(personas, people, events):
    assert seen(personas.ombudsman) == set()
    assert seen(personas.outsider) == set()
    assert seen(people["sysadmin"]) == set()


def test_access_event_answers_404_for_missing_and_forbidden(personas, events):
    assert selectors.access_event(personas.caseworker, events["own"].pk) == events["own"]
    with pytest.raises(Http404):
        selectors.access_event(personas.caseworker, events["other_office"].pk)
    with pytest.raises(Http404):
        selectors.access_event(personas.caseworker, 999_999)
    with pytest.raises(Http404):
        selectors.access_event(personas.caseworker, "x")


def test_list_filters(personas, people, events):
    reviewer = people["reviewer"]
    make_event(reviewer, occurred_at=at(2026, 10, 31, 23, 59), kind=Kind.CHILD_FATALITY,
               facility="Hospital", description="Found unresponsive")  # fmt: skip

    def listed(**filters):
        return {e.reference for e in selectors.event_list(reviewer, **filters)}

    assert len(listed(kind=Kind.CHILD_FATALITY)) == 1
    assert listed(location=personas.office.pk) == refs(events, "at_office")
    assert listed(region=personas.other_office.region_id) == refs(events, "other_office")
    assert len(listed(date_to=date(2026, 10, 31))) == 1
    assert listed(date_from=date(2026, 11, 1)) == refs(events, *events)
    assert len(listed(query="unresponsive")) == 1
    assert listed(query=events["own"].reference.lower()) == refs(events, "own")


# --- the report --------------------------------------------------------------------------


@pytest.fixture
def report_set(personas):
    """November 2026 (Eastern): Hartford 2 serious occurrences and 1 child fatality (one
    at the very first minute); a facility named without a location, 1 emergency safety
    intervention; an event at Hartford that also names a facility counts at Hartford.
    Outside: 31 October 23:59 and 1 December 00:00 (both Eastern)."""
    recorder = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    hartford, new_haven = personas.office, personas.other_office

    def event(when, kind=Kind.SERIOUS_OCCURRENCE, **fields):
        return make_event(recorder, occurred_at=when, kind=kind, **fields)

    event(at(2026, 11, 1, 0, 0), work_location=hartford)
    event(at(2026, 11, 30, 23, 59), work_location=hartford, facility="Foster home")
    event(at(2026, 11, 15, 8), Kind.CHILD_FATALITY, work_location=hartford)
    event(at(2026, 11, 20, 14), Kind.EMERGENCY_SAFETY_INTERVENTION, facility="Riverview")
    event(at(2026, 10, 31, 23, 59), Kind.NEAR_FATALITY, work_location=new_haven)
    event(at(2026, 12, 1, 0, 0), work_location=new_haven)
    event(at(2026, 3, 3, 9), Kind.ADVERSE_EVENT_RESEARCH, facility="Riverview")
    event(at(2025, 12, 31, 23, 59), work_location=hartford)  # before the 12 months
    return recorder


def column(report, kind) -> int:
    return [value for value, _ in report.kinds].index(kind)


def test_month_report_counts_by_kind_and_place(personas, report_set, django_assert_num_queries):
    with django_assert_num_queries(2):
        report = selectors.event_report(report_set, periods.month_period(2026, 11))
    assert report.total == 4
    by_place = {place.label: place for place in report.places}
    assert list(by_place) == ["Hartford Area Office", "Riverview"]
    hartford = by_place["Hartford Area Office"]
    assert hartford.location_id == personas.office.pk
    assert hartford.total == 3
    assert hartford.counts[column(report, Kind.SERIOUS_OCCURRENCE)] == 2
    assert hartford.counts[column(report, Kind.CHILD_FATALITY)] == 1
    riverview = by_place["Riverview"]
    assert riverview.location_id is None
    assert riverview.counts[column(report, Kind.EMERGENCY_SAFETY_INTERVENTION)] == 1
    assert report.totals[column(report, Kind.SERIOUS_OCCURRENCE)] == 2
    assert report.totals[column(report, Kind.NEAR_FATALITY)] == 0
    assert report.summary.startswith("4 significant events in November 2026")
    assert "the most at Hartford Area Office (3)" in report.summary
    # The 12 months to November 2026: December 2025 to November 2026.
    assert [m.month for m in report.months][:: len(report.months) - 1] == [
        date(2025, 12, 1),
        date(2026, 11, 1),
    ]
    totals = {m.month: m.total for m in report.months}
    assert totals[date(2026, 11, 1)] == 4
    assert totals[date(2026, 10, 1)] == 1
    assert totals[date(2026, 3, 1)] == 1
    assert totals[date(2025, 12, 1)] == 1  # 31 December 23:59 Eastern is still December
    assert sum(totals.values()) == 7


def test_year_report(personas, report_set):
    report = selectors.event_report(report_set, periods.year_period(2026))
    assert report.total == 7
    by_place = {place.label: place.total for place in report.places}
    assert by_place == {"Hartford Area Office": 3, "Riverview": 2, "New Haven Area Office": 2}
    assert report.months[0].month == date(2026, 1, 1)
    assert sum(m.total for m in report.months) == 7


def test_area_administrator_report_counts_their_office(personas, report_set):
    admin = make_user(Role.AREA_ADMINISTRATOR, location=personas.other_office)
    report = selectors.event_report(admin, periods.year_period(2026))
    assert report.total == 2
    assert [p.label for p in report.places] == ["New Haven Area Office"]


def test_empty_report_says_so(personas):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    report = selectors.event_report(reviewer, periods.month_period(2026, 11))
    assert report.total == 0 and report.places == []
    assert report.summary == "No significant events were recorded as happening in November 2026."


def test_period_from_reads_month_and_year():
    today = date(2026, 12, 10)
    assert periods.period_from({"period": "month", "month": "2026-11"}, today)[0] == (
        periods.month_period(2026, 11)
    )
    assert periods.period_from({"period": "year", "year": "2025"}, today)[0] == (
        periods.year_period(2025)
    )
    period, error = periods.period_from({"period": "year", "year": "2031"}, today)
    assert period == periods.month_period(2026, 12) and error
    assert periods.period_from({"period": "month", "month": "nope"}, today)[1]
