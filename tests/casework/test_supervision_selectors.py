"""Reads for supervision: next steps due on a caseload page (through casework/due.py and
the real caseload page), the case page's part, and the supervisor's month, each in a
fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.roles import Role
from casework import due
from casework.models import Case, CaseDue
from casework.selectors import supervision as selectors
from casework.services import supervision as services
from tests.casework.factories import make_case
from tests.casework.test_supervision_services import NOW, TODAY, record, review_case, step
from tests.factories import make_unit, make_user


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return review_case(personas)


def queries(function) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured.captured_queries)


# --- next steps in the caseload ------------------------------------------------------------------


def test_next_steps_due_in_words_soonest_first(personas, case):
    record(
        personas,
        case,
        steps=[
            step(personas.caseworker, date(2026, 12, 2), "Call the school"),
            step(personas.supervisor, date(2026, 11, 21), "Consult the clinical team"),
            step(personas.caseworker, date(2026, 12, 1), "x" * 120),
        ],
    )
    quiet = review_case(personas)

    words = selectors.next_steps_due([case, quiet], today=TODAY)

    worker = personas.caseworker.get_full_name()
    assert words == {
        case.pk: [
            "Next step overdue (due 21 Nov): Consult the clinical team "
            f"({personas.supervisor.get_full_name()})",
            f"Next step due 1 Dec: {'x' * 79}… ({worker})",
            f"Next step due 2 Dec: Call the school ({worker})",
        ]
    }


def test_done_steps_and_closed_cases_are_not_due(personas, case):
    review = record(personas, case, steps=[step(personas.caseworker)])
    closed = review_case(personas)
    record(personas, closed, steps=[step(personas.caseworker)])
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=TODAY)
    closed.refresh_from_db()
    services.next_step_complete(
        step=review.next_steps.get(), actor=personas.caseworker, done_on=TODAY
    )

    assert selectors.next_steps_due([case, closed], today=TODAY) == {}


def test_next_steps_due_takes_one_query_for_any_page(personas, case):
    cases = [review_case(personas) for _ in range(30)]
    for one in cases:
        record(personas, one, steps=[step(personas.caseworker), step(personas.caseworker)])

    few, few_queries = queries(lambda: selectors.next_steps_due(cases[:2], today=TODAY))
    many, many_queries = queries(lambda: selectors.next_steps_due(cases, today=TODAY))

    assert (len(few), len(many)) == (2, 30)
    assert few_queries == many_queries == 1


def test_the_caseload_shows_the_step_and_drops_it_when_done(client, personas, case):
    review = record(
        personas, case, steps=[step(personas.caseworker, description="Call the school")]
    )
    client.force_login(personas.caseworker)
    worker = personas.caseworker.get_full_name()

    before = client.get("/casework/")
    kept = CaseDue.objects.get(case=case)
    services.next_step_complete(
        step=review.next_steps.get(), actor=personas.caseworker, done_on=TODAY
    )
    after = client.get("/casework/")

    assert f"Next step due 2 Dec: Call the school ({worker})" in before.text
    assert f"Next step due 2 Dec: Call the school ({worker})" in kept.items
    assert "Call the school" not in after.text


def test_a_step_turns_overdue_in_the_caseload_with_the_date(client, personas, case, time_machine):
    record(personas, case, steps=[step(personas.caseworker, date(2026, 11, 25), "Call the school")])
    client.force_login(personas.caseworker)
    assert "Next step due 25 Nov: Call the school" in client.get("/casework/").text

    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    client.force_login(personas.caseworker)

    page = client.get("/casework/")
    assert "Next step overdue (due 25 Nov): Call the school" in page.text
    items = due.due_on_page([case], today=date(2026, 11, 26))[case.pk].items
    worker = personas.caseworker.get_full_name()
    assert f"Next step overdue (due 25 Nov): Call the school ({worker})" in items


# --- the case page's part ------------------------------------------------------------------------


def test_case_context_shows_the_latest_reviews_and_this_months(personas, case):
    older = [
        record(personas, case, held_on=date(2026, 9, 10 + n), steps=[step(personas.caseworker)])
        for n in range(3)
    ]
    latest = record(personas, case, held_on=date(2026, 11, 2), focus_areas=["barriers"])

    context, count = queries(
        lambda: selectors.case_supervision_context(case, user=personas.supervisor, today=TODAY)
    )

    assert [r.pk for r in context["supervision_reviews"]] == [latest.pk, older[2].pk, older[1].pk]
    assert context["supervision_review_count"] == 4
    assert context["supervision_this_month"] == latest
    assert context["supervision_may_record"] is True
    assert context["supervision_reviews"][0].focus_labels == ["Barriers"]
    assert [s.state for s in context["supervision_reviews"][1].next_steps.all()] == ["open"]
    assert count <= 6


def test_case_context_for_the_worker_and_for_a_role_that_does_not_read_reviews(
    personas, case, user_with_role
):
    record(personas, case, held_on=date(2026, 10, 30))
    opm = user_with_role(Role.PERFORMANCE_MANAGEMENT, location=personas.central)

    worker = selectors.case_supervision_context(case, user=personas.caseworker, today=TODAY)
    other = selectors.case_supervision_context(case, user=opm, today=TODAY)

    assert (worker["supervision_may_record"], worker["supervision_this_month"]) == (False, None)
    assert other == {"supervision_may_read": False}


# --- the supervisor's month ----------------------------------------------------------------------


def make_unit_with_cases(personas, workers: int, cases_each: int):
    unit = make_unit(personas.office, supervisor=personas.supervisor)
    people = [make_user(Role.CASEWORKER, unit=unit) for _ in range(workers)]
    cases = [
        make_case(unit, person, opened_on=date(2026, 9, 1))
        for person in people
        for _ in range(cases_each)
    ]
    return unit, people, cases


def test_the_month_counts_reviewed_cases_per_worker(personas, case, user_with_role):
    idle = user_with_role(Role.CASEWORKER, unit=personas.unit)
    reviewed = record(personas, case, held_on=date(2026, 11, 3))
    services.review_acknowledge(review=reviewed, actor=personas.caseworker)
    record(personas, case, held_on=date(2026, 11, 10))
    last_month = review_case(personas)
    record(personas, last_month, held_on=date(2026, 10, 30))
    closed_before = review_case(personas, opened_on=date(2026, 1, 5))
    Case.objects.filter(pk=closed_before.pk).update(status="closed", closed_on=date(2026, 10, 20))
    opened_later = review_case(personas, opened_on=date(2026, 12, 1))

    blocks = selectors.supervision_month([personas.unit], month=date(2026, 11, 1))

    (block,) = blocks
    rows = {row.worker.pk: row for row in block.workers}
    mine = rows[personas.caseworker.pk]
    assert [item.case for item in mine.cases] == sorted([case, last_month], key=lambda c: c.number)
    by_case = {item.case.pk: item for item in mine.cases}
    assert by_case[case.pk].review.held_on == date(2026, 11, 10)  # the month's latest
    assert by_case[case.pk].reviews_in_month == 2
    assert by_case[last_month.pk].review is None
    assert (mine.reviewed, mine.total) == (1, 2)
    assert (rows[idle.pk].reviewed, rows[idle.pk].total) == (0, 0)
    assert (block.reviewed, block.total) == (1, 2)
    assert opened_later.pk not in by_case and closed_before.pk not in by_case
    october = selectors.supervision_month([personas.unit], month=date(2026, 10, 1))
    october_cases = {i.case.pk: i for w in october[0].workers for i in w.cases}
    assert october_cases[last_month.pk].review.held_on == date(2026, 10, 30)
    assert closed_before.pk in october_cases


def test_the_month_takes_the_same_queries_for_one_worker_or_many(personas, now):
    small_unit, _, small_cases = make_unit_with_cases(personas, 1, 1)
    record(personas, small_cases[0], held_on=date(2026, 11, 2))
    _, small_count = queries(lambda: selectors.supervision_month([small_unit], month=TODAY))

    big_unit, _, big_cases = make_unit_with_cases(personas, 6, 5)
    for one in big_cases[::2]:
        record(personas, one, held_on=date(2026, 11, 2))
    blocks, big_count = queries(
        lambda: selectors.supervision_month([small_unit, big_unit], month=TODAY)
    )

    assert big_count == small_count <= 4
    assert [(b.reviewed, b.total) for b in blocks] == [(1, 1), (15, 30)]


def test_who_oversees_which_units(personas, user_with_role):
    second = make_unit(personas.office, supervisor=personas.supervisor)
    elsewhere = make_unit(personas.other_office)
    admin = user_with_role(Role.AREA_ADMINISTRATOR, location=personas.office)

    assert set(selectors.overseen_units(personas.supervisor)) == {personas.unit, second}
    assert set(selectors.overseen_units(admin)) == {personas.unit, second}
    assert elsewhere not in set(selectors.overseen_units(admin))
    assert list(selectors.overseen_units(personas.caseworker)) == []
