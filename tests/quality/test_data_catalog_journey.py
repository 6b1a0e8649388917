"""An ORE analyst in a browser: from the request queue to the catalog, a search for a
deliverable, the reports for last year, and back to a request's page (fixtures in
tests/browser.py)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from quality.models import DataRequest
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_personas, make_user
from tests.quality.factories_data_catalog import add_deliverable, make_request

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]
EASTERN = ZoneInfo("America/New_York")


@pytest.mark.django_db(transaction=True)
def test_an_analyst_searches_the_catalog_and_reads_the_reports(page, live_server, time_machine):
    time_machine.move_to("2026-02-10 10:00:00-05:00", tick=True)
    personas = make_personas()
    analyst = make_user(Role.ORE_ANALYST, location=personas.central, username="analyst")
    analyst.set_password(DEMO_PASSWORD)
    analyst.save()
    kin = make_request(
        analyst,
        title="Kin placements by region",
        category=DataRequest.Category.LEGISLATIVE,
        received_at=datetime(2025, 3, 3, 10, tzinfo=EASTERN),
        delivered_at=datetime(2025, 3, 14, 15, tzinfo=EASTERN),
        date_needed=date(2025, 3, 14),
    )
    add_deliverable(kin, "Kin_Placements_2025.xlsx")
    make_request(analyst, title="Adoptions by county", organization="Legal Affairs")
    SCREENS.mkdir(parents=True, exist_ok=True)

    log_in(page, live_server, "analyst")
    page.goto(f"{live_server.url}/quality/data-requests/")
    page.get_by_role("link", name="Catalog", exact=True).click()
    expect(page).to_have_title("ORE data request catalog · Hearth")
    assert "2 requests." in page.inner_text("main")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("textbox", name="Search").fill("kin_placements")
    page.get_by_role("button", name="Search").click()
    main = page.inner_text("main")
    assert "1 request matches." in main and "Adoptions by county" not in main
    expect(page.get_by_role("link", name="Kin_Placements_2025.xlsx")).to_be_visible()
    page.screenshot(path=str(SCREENS / "ore-catalog.png"), full_page=True)

    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_title(re.compile("^ORE data requests · reports 2026"))
    page.get_by_label("Year", exact=True).select_option("2025")
    page.get_by_role("button", name="Show the reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data requests: reports for 2025")
    assert "The one request delivered in 2025 took 9 business days" in page.inner_text("main")
    page.screenshot(path=str(SCREENS / "ore-reports.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Catalog", exact=True).click()
    page.get_by_role("link", name=kin.reference).click()
    expect(page).to_have_url(f"{live_server.url}/quality/data-requests/{kin.pk}/")
