"""A quarter of the COOP plan in a browser: the location's administrator records that the
plan was communicated to all staff and sees the duty done; OPM then sees it in the
registry grid (fixtures in tests/browser.py)."""

import re

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from coop.models import QuarterlyDuties
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.coop.factories import fill_plan, make_opm, make_plan
from tests.factories import make_personas, make_user

# Live-server tests run in transactions that end with a flush: recreate the role groups.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


@pytest.mark.django_db(transaction=True)
def test_an_administrator_records_the_communication_and_opm_sees_it(
    page, live_server, time_machine, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to("2026-11-23 10:00:00-05:00", tick=True)
    personas = make_personas()
    admin = make_user(Role.AREA_ADMINISTRATOR, location=personas.office, username="areaadmin",
                      first_name="Avery", last_name="Santos")  # fmt: skip
    opm = make_opm(personas.central, username="opm", first_name="Taylor", last_name="Nguyen")
    for user in (admin, opm):
        user.set_password(DEMO_PASSWORD)
        user.save()
    plan = fill_plan(make_plan(personas.office, admin))
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The administrator opens their plan from the COOP workspace.
    log_in(page, live_server, "areaadmin")
    page.get_by_role("link", name="COOP plans").click()
    expect(page).to_have_title("COOP plan: Hartford Area Office · Hearth")
    quarter = page.locator(".hearth-coop-quarter").first
    expect(quarter).to_contain_text("2026 Q4")
    expect(quarter).to_contain_text("Due 31 Dec 2026")
    assert serious_accessibility_violations(page) == []

    # This quarter's communication: date, how, how many staff, evidence.
    page.get_by_role("link", name="Record the communication for 2026 Q4").click()
    expect(page).to_have_title(re.compile("^Record the communication, 2026 Q4"))
    page.get_by_label("When it was communicated").fill("2026-11-18")
    page.get_by_role("combobox", name=re.compile("^How")).select_option("staff_meeting")
    page.get_by_label("How many staff it reached").fill("34")
    page.get_by_label("Evidence").fill("Sign-in sheet of the 18 November staff meeting")
    page.screenshot(path=str(SCREENS / "coop-communication.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Record the communication").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Communication to all staff recorded for 2026 Q4."
    )
    quarter = page.locator(".hearth-coop-quarter").first
    communicated = quarter.locator(".tablet\\:grid-col-4").first
    expect(communicated).to_contain_text("Done")
    expect(communicated).to_contain_text("on 18 Nov 2026")
    expect(communicated).to_contain_text("Sign-in sheet of the 18 November staff meeting")
    page.screenshot(path=str(SCREENS / "coop-plan.png"), full_page=True)
    duties = QuarterlyDuties.objects.get(plan=plan)
    assert duties.staff_count == 34 and duties.communicated_by == admin

    # Staff of the location read the plan, printable.
    page.get_by_role("link", name="COOP plan", exact=True).click()
    expect(page.get_by_role("heading", name="Key contacts")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.emulate_media(media="print")
    assert not page.get_by_role(
        "link", name="Manage the plan and its quarterly duties"
    ).is_visible()
    expect(page.get_by_role("heading", name="What to do in an emergency")).to_be_visible()
    page.emulate_media(media="screen")

    # OPM sees it in the registry grid.
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "opm")
    expect(page).to_have_title("COOP plans · Hearth")
    row = page.get_by_role("row", name=re.compile("Hartford Area Office"))
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_contain_text("Done")  # 2026 Q4, communicated
    expect(cells.nth(0)).to_contain_text("18 Nov")
    expect(cells.nth(1)).to_contain_text("due 31 Dec")  # revised: not yet
    expect(cells.nth(3)).to_contain_text("Overdue")  # 2026 Q3, nothing recorded
    expect(page.get_by_role("row", name=re.compile("New Haven Area Office"))).to_contain_text(
        "No plan"
    )
    page.screenshot(path=str(SCREENS / "coop-registry.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
