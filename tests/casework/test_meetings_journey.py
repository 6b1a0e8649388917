"""Family meetings and court in a browser: the worker schedules the FTDM an emergency
placement calls for, invites the family, records it as held and sees the rule met;
links an FTDM held before a planned placement to that placement once it is recorded;
then schedules a court hearing and marks its court report filed (fixtures in
tests/browser.py)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency import clock
from agency.demo import DEMO_PASSWORD
from casework.models import Case, CourtHearing, FamilyMeeting
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.casework.factories_meetings import family_case, meeting_row, place
from tests.factories import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


def local_input(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_the_worker_holds_the_ftdm_links_another_and_files_a_court_report(page, live_server):
    personas = make_personas()
    personas.caseworker.set_password(DEMO_PASSWORD)
    personas.caseworker.save()
    family = family_case(personas, case_type=Case.Type.OUT_OF_HOME)
    today = clock.today()
    an_hour_ago = clock.now() - timedelta(hours=1)
    place(family.case, family.child, today - timedelta(days=1), emergency=True)
    # Mia's FTDM was held an hour ago, before her planned placement was recorded.
    held = meeting_row(
        family.case,
        FamilyMeeting.Kind.FTDM,
        personas.caseworker,
        an_hour_ago,
        status=FamilyMeeting.Status.HELD,
        child=family.sibling,
        safety_discussion="Mia stays with her aunt; no contact with the father for now.",
    )
    mias = place(family.case, family.sibling, today, caregiver="Rosa Rivera")
    SCREENS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "caseworker")

    # Leo's emergency placement asks for an FTDM within 72 hours: schedule it from the
    # case page.
    page.goto(f"{live_server.url}/casework/cases/{family.case.pk}/")
    meetings = page.locator("#meetings")
    leos = meetings.get_by_role("row", name=re.compile("FTDM for Leo's emergency placement"))
    expect(leos).to_contain_text("Due soon")
    leos.get_by_role("link", name="Schedule it").click()
    expect(page).to_have_title(re.compile("^Schedule a meeting"))
    expect(page.get_by_label("Kind of meeting")).to_have_value("ftdm")
    page.get_by_label("When (date and time, Eastern)").fill(local_input(an_hour_ago))
    page.get_by_label("Where").fill("Hartford Area Office")
    page.get_by_role("button", name="Schedule the meeting").click()

    # Invite the family: both parents are ticked to start; add a natural support.
    expect(page.locator("h1")).to_contain_text("Invite people")
    assert serious_accessibility_violations(page) == []
    expect(page.get_by_label(re.compile("^Ana"))).to_be_checked()
    expect(page.get_by_label(re.compile("^Raul"))).to_be_checked()
    page.get_by_label("Someone not on the case: name").fill("Coach Diaz")
    page.get_by_label("Their relation to the family").select_option("natural_support")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("row", name=re.compile("Coach Diaz"))).to_be_visible()

    # Record it as held.
    page.get_by_role("link", name="Record as held").click()
    assert serious_accessibility_violations(page) == []
    # (USWDS draws the box on the label; the input itself is hidden.)
    page.locator("label", has_text=re.compile("^Ana")).click()
    expect(page.get_by_label(re.compile("^Ana"))).to_be_checked()
    page.get_by_label("Decisions").fill("Leo stays with the Kelly family for now.")
    page.get_by_label("Safety discussion").fill("No unsupervised contact with the father.")
    page.get_by_role("button", name="Record as held").click()
    expect(page.locator("h1")).to_contain_text("Held")
    page.screenshot(path=str(SCREENS / "casework-meeting.png"), full_page=True)

    # Mia's FTDM shows as due until the one held this morning is linked to her placement.
    page.goto(f"{live_server.url}/casework/cases/{family.case.pk}/")
    expect(leos).to_contain_text("Held on time")
    mia = meetings.get_by_role("row", name=re.compile("FTDM for Mia's placement"))
    mia.get_by_role("link", name="or link one already held").click()
    expect(page.locator("#ftdm")).to_contain_text("An FTDM about Mia is recorded")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Link to this placement").click()
    expect(page.locator("#ftdm")).to_contain_text("Held on time")
    held.refresh_from_db()
    assert held.placement_id == mias.pk

    # A permanency hearing in four weeks: its court report is due 10 days before.
    page.goto(f"{live_server.url}/casework/cases/{family.case.pk}/")
    page.get_by_role("link", name="Schedule a hearing").click()
    page.get_by_label("Kind of hearing").select_option("permanency")
    hearing_at = (clock.now() + timedelta(days=28)).replace(hour=14, minute=0)
    page.get_by_label("When (date and time, Eastern)").fill(local_input(hearing_at))
    page.get_by_label("Court").fill("Superior Court for Juvenile Matters, Hartford")
    page.get_by_role("button", name="Schedule the hearing").click()
    hearing = CourtHearing.objects.get(case=family.case)
    due = hearing.report_due_on
    assert due == timezone.localtime(hearing.scheduled_for).date() - timedelta(days=10)
    expect(page.locator("main")).to_contain_text(f"Due {due.day} {due:%b %Y}")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Court report filed on").fill(today.isoformat())
    page.get_by_role("button", name="Mark the court report filed").click()
    expect(page.locator("main")).to_contain_text(f"Filed on {today.day} {today:%b %Y}")
    hearing.refresh_from_db()
    assert hearing.report_filed_on == today
