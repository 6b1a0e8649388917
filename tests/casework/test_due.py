"""What the caseload keeps of what is due on each case (casework/due.py): it is read back
while it holds, recomputed when a record changes or the day turns, and never stored
from data that changed while it was being worked out."""

from datetime import date, datetime, timedelta

import pytest

from agency import clock
from casework import due
from casework.models import Case, CaseDue, IffContact, Placement
from casework.selectors import rules
from tests.casework.factories import make_intake
from tests.casework.test_visit_services import local, make_family, plan, record


@pytest.fixture
def now(time_machine):
    time_machine.move_to(local(2026, 11, 24, 12, 0), tick=False)


@pytest.fixture
def family(personas, now):
    return make_family(personas.unit, personas.caseworker)


@pytest.fixture
def as_caseworker(client, personas, now):
    client.force_login(personas.caseworker)
    return client


def not_yet_visited(page) -> str:
    text = page.content.decode()
    start = text.index("Not yet visited:")
    return text[start : text.index("</td>", start)]


def test_the_caseload_keeps_what_is_due_and_reads_it_back(as_caseworker, family):
    as_caseworker.get("/casework/")
    kept = CaseDue.objects.get(case=family.case)
    assert kept.computed_on == date(2026, 11, 24)
    assert kept.unvisited == ["Leo (child)", "Mia (child)", "Ana (mother)", "Raul (father)"]
    # What the page shows is the kept row, not a fresh computation.
    CaseDue.objects.filter(pk=kept.pk).update(unvisited=["Kept (child)"])
    assert "Kept (child)" in not_yet_visited(as_caseworker.get("/casework/"))


def test_recording_a_visit_shows_at_once(as_caseworker, personas, family):
    assert "Leo (child)" in not_yet_visited(as_caseworker.get("/casework/"))
    visit = plan(family, personas.caseworker, planned_for=local(2026, 11, 24, 9, 0))
    record(
        visit,
        personas.caseworker,
        occurred_at=local(2026, 11, 24, 9, 30),
        seen={family.child.pk: (True, True), family.mother.pk: (True, False)},
    )
    shown = not_yet_visited(as_caseworker.get("/casework/"))
    assert "Leo" not in shown and "Ana" not in shown
    assert "Mia (child)" in shown and "Raul (father)" in shown


def test_a_new_month_starts_with_everybody_to_visit(as_caseworker, personas, family, time_machine):
    visit = plan(family, personas.caseworker, planned_for=local(2026, 11, 24, 9, 0))
    record(
        visit,
        personas.caseworker,
        occurred_at=local(2026, 11, 24, 9, 30),
        seen={family.child.pk: (True, True)},
    )
    assert "Leo" not in not_yet_visited(as_caseworker.get("/casework/"))
    time_machine.move_to(local(2026, 12, 1, 8, 0), tick=False)
    as_caseworker.force_login(personas.caseworker)  # the old session has timed out
    assert "Leo (child)" in not_yet_visited(as_caseworker.get("/casework/"))
    assert CaseDue.objects.get(case=family.case).computed_on == date(2026, 12, 1)


def test_renaming_a_person_or_adding_a_placement_shows_at_once(as_caseworker, family):
    as_caseworker.get("/casework/")
    family.child.first_name = "Leon"
    family.child.save()
    Placement.objects.create(
        case=family.case,
        child=family.sibling,
        setting=Placement.Setting.KIN_UNLICENSED,
        caregiver="Aunt Rosa",
        start_date=clock.today() - timedelta(days=40),
        reason="Unsafe at home",
    )
    page = as_caseworker.get("/casework/")
    assert "Leon (child)" in not_yet_visited(page)
    assert "Home-study referral overdue for Mia" in page.content.decode()


def test_changing_the_rules_recomputes_every_case(as_caseworker, family):
    assert "First case plan due" not in as_caseworker.get("/casework/").content.decode()
    settings = rules()
    settings.assessment_reminder_days = 90  # the first plan is due in 60 days
    settings.save()
    assert CaseDue.objects.get(case=family.case).computed_on is None
    assert "First case plan due" in as_caseworker.get("/casework/").content.decode()


def test_an_answer_worked_out_before_a_change_is_not_kept(family):
    page = list(Case.objects.filter(pk=family.case.pk).select_related("due"))
    # A write lands while the page is still working out what is due.
    due.mark_stale([family.case.pk])
    shown = due.due_on_page(page, today=clock.today())
    assert shown[family.case.pk].unvisited  # the page still shows an answer...
    assert CaseDue.objects.get(case=family.case).computed_on is None  # ...but keeps none


def test_an_answer_for_a_row_read_before_it_existed_is_not_kept(family):
    CaseDue.objects.filter(case=family.case).delete()
    page = list(Case.objects.filter(pk=family.case.pk).select_related("due"))
    due.mark_stale([family.case.pk])  # the write creates the row, stale
    due.due_on_page(page, today=clock.today())
    assert CaseDue.objects.get(case=family.case).computed_on is None


def test_a_current_row_is_read_without_a_query(family, django_assert_num_queries):
    due.due_on_page(
        list(Case.objects.filter(pk=family.case.pk).select_related("due")), today=clock.today()
    )
    page = list(Case.objects.filter(pk=family.case.pk).select_related("due"))
    with django_assert_num_queries(0):
        shown = due.due_on_page(page, today=clock.today())
    assert shown[family.case.pk].computed_on == clock.today()


def test_initial_contacts_are_kept_and_counted_late_when_shown(
    as_caseworker, personas, family, time_machine
):
    intake = make_intake(family.case, personas.caseworker, accepted_at=local(2026, 11, 24, 9))
    contact = IffContact.objects.create(
        intake=intake, child=family.child, due_at=local(2026, 11, 24, 12, 10)
    )
    assert "Due " in as_caseworker.get("/casework/").content.decode()
    kept = CaseDue.objects.get(case=family.case).iff_due
    assert [datetime.fromisoformat(text) for text in kept] == [contact.due_at]
    # Later the same day the kept due time is now past: overdue, with nothing recomputed.
    time_machine.move_to(local(2026, 11, 24, 12, 20), tick=False)
    assert "Overdue: 1 child not seen" in as_caseworker.get("/casework/").content.decode()
    contact.seen_at = local(2026, 11, 24, 12, 15)
    contact.save()  # the contact is made: the kept row is stale at once
    page = as_caseworker.get("/casework/").content.decode()
    assert "Overdue" not in page and CaseDue.objects.get(case=family.case).iff_due == []
