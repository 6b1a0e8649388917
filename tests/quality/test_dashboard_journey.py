"""A supervisor's look at the key indicators in a browser: from the dashboard down to a
child not visited this month, and on to the case (fixtures in tests/browser.py)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from quality import facts
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_personas
from tests.quality.factories_dashboard import NOW, make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_drills_down_to_a_child_not_visited_and_opens_the_case(
    page, live_server, time_machine
):
    time_machine.move_to(NOW, tick=True)  # 5 December 2026: nobody visited yet this month
    personas = make_personas()
    cohort = make_cohort(personas)
    personas.supervisor.set_password(DEMO_PASSWORD)
    personas.supervisor.save()
    facts.facts_refresh(first_month=date(2026, 8, 1), last_month=date(2026, 12, 1))
    SCREENS.mkdir(parents=True, exist_ok=True)

    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="Key indicators").click()
    expect(page).to_have_title("Key indicators · Hearth")
    assert "Hartford Area Office, Intake Unit 1 ·" in page.inner_text("main")
    main = page.inner_text("main")
    assert "December 2026" in main and "Data last refreshed" in main
    page.screenshot(path=str(SCREENS / "quality-dashboard.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Monthly visits with children").click()
    expect(page).to_have_title(re.compile("^Monthly visits with children"))
    assert page.get_by_role("img", name="Monthly visits with children").is_visible()
    assert "Trend" in page.inner_text("main")
    page.screenshot(path=str(SCREENS / "quality-indicator.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    # The level below a unit is its workers; then the children behind the number.
    worker = personas.caseworker.get_full_name()
    page.get_by_role("link", name=worker, exact=True).first.click()
    expect(page.locator("#value-heading")).to_contain_text(worker)
    page.get_by_role("link", name="See who was missed").click()
    expect(page).to_have_title(re.compile("who was missed"))
    rows = page.inner_text("main")
    assert "Leo Rivera" in rows and "Mia Rivera" in rows and "December 2026" in rows
    assert serious_accessibility_violations(page) == []

    page.get_by_role("row", name="Leo Rivera").get_by_role(
        "link", name=cohort.case_a.number
    ).click()
    assert cohort.case_a.number in page.title(), page.title()
