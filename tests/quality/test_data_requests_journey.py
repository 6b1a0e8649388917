"""An ORE data request in a browser: a caseworker asks ORE for data, an ORE analyst takes
the request from received to delivered (catalog, approve, take, start, deliver with a
note and a file), and the caseworker sees it delivered and downloads the answer
(fixtures in tests/browser.py)."""

import re

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from quality.models import DataRequest
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_personas, make_user

# Live-server tests run in transactions that end with a flush: recreate the role groups.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


def open_action(page, name: str):
    action = page.locator(f"#action-{name}")
    action.locator("summary").click()
    return action


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_an_analyst_takes_a_request_from_received_to_delivered(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    personas = make_personas()
    personas.caseworker.set_password(DEMO_PASSWORD)
    personas.caseworker.save()
    analyst = make_user(
        Role.ORE_ANALYST,
        location=personas.central,
        username="kim",
        first_name="Kim",
        last_name="Ng",
    )
    analyst.set_password(DEMO_PASSWORD)
    analyst.save()
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The caseworker asks ORE for data from the link every page carries.
    log_in(page, live_server, "caseworker")
    page.get_by_role("link", name="Ask ORE for data").first.click()
    expect(page).to_have_title("My data requests to ORE · Hearth")
    page.get_by_role("main").get_by_role("link", name="Ask ORE for data").click()
    expect(page).to_have_title("Ask ORE for data · Hearth")
    assert page.get_by_label("Organization, division or office").input_value() == (
        "Hartford Area Office"
    )
    page.get_by_label("Short title").fill("Kinship placements by region")
    page.get_by_role("button", name="Send the request to ORE").click()
    expect(page.locator(".usa-alert--error").first).to_contain_text("Please correct")
    expect(page.get_by_role("main")).to_contain_text("Say why the data are needed.")
    page.get_by_label("Purpose").fill("Plan the kinship navigator program for next year.")
    page.get_by_label("Questions to answer").fill(
        "How many children entering care were placed first with relatives, by region?"
    )
    page.get_by_label("Short title").fill("Kinship placements by region")
    page.screenshot(path=str(SCREENS / "ore-request-form.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Send the request to ORE").click()
    request = DataRequest.objects.get()
    expect(page).to_have_title(f"{request.reference} Kinship placements by region · Hearth")
    expect(page.locator("#request-status")).to_have_text("Received")
    log_out(page)

    # The analyst finds it in ORE's queue.
    log_in(page, live_server, "kim")
    expect(page).to_have_title("ORE data requests · Hearth")
    row = page.get_by_role("row", name=re.compile(request.reference))
    expect(row).to_contain_text("Hartford Area Office")
    expect(row).to_contain_text("Not cataloged")
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=str(SCREENS / "ore-queue.png"), full_page=True)
    row.get_by_role("link", name=request.reference).click()
    expect(page.locator("#request-status")).to_have_text("Received")

    catalog = open_action(page, "catalog")
    catalog.get_by_label("Category").select_option("ad_hoc")
    catalog.get_by_role("button", name="Catalog it").click()
    expect(page.get_by_role("main")).to_contain_text("cataloged as ORC-")
    expect(page.locator("#request-status")).to_have_text("Cataloged, being vetted")

    open_action(page, "approve").get_by_role("button", name="Approve the request").click()
    expect(page.locator("#request-status")).to_have_text("Approved, awaiting an analyst")

    open_action(page, "take").get_by_role("button", name="Assign it to me").click()
    expect(page.get_by_role("main")).to_contain_text("is now assigned to you")
    expect(page.locator("#request-status")).to_have_text("Assigned to an analyst")

    open_action(page, "start").get_by_role("button", name="Start the work").click()
    expect(page.locator("#request-status")).to_have_text("In progress")

    deliver = open_action(page, "deliver")
    deliver.get_by_role("button", name="Deliver to the requester").click()  # nothing given
    deliver = page.locator("#action-deliver")
    expect(deliver).to_contain_text("Write the delivery note")
    deliver.get_by_label("Delivery note").fill("Counts by region; cells under 6 suppressed.")
    deliver.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "kinship-by-region.csv",
                "mimeType": "text/csv",
                "buffer": b"region,children\nRegion 1,42\n",
            }
        ]
    )
    page.screenshot(path=str(SCREENS / "ore-request-deliver.png"), full_page=True)
    deliver.get_by_role("button", name="Deliver to the requester").click()
    expect(page.locator("#request-status")).to_have_text("Delivered")
    expect(page.get_by_role("main")).to_contain_text("kinship-by-region.csv")
    assert serious_accessibility_violations(page) == []
    log_out(page)

    # The caseworker sees it delivered and downloads the answer.
    log_in(page, live_server, "caseworker")
    page.get_by_role("link", name="Ask ORE for data").first.click()
    row = page.get_by_role("row", name=re.compile(request.reference))
    expect(row).to_contain_text("Delivered")
    row.get_by_role("link", name=request.reference).click()
    expect(page.locator("#request-status")).to_have_text("Delivered")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Counts by region; cells under 6 suppressed.")
    expect(main).to_contain_text("on time")
    assert "Work on this request" not in main.inner_text()
    page.screenshot(path=str(SCREENS / "ore-request-delivered.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="kinship-by-region.csv").click()
    assert download.value.suggested_filename == "kinship-by-region.csv"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == b"region,children\nRegion 1,42\n"
    request.refresh_from_db()
    assert request.status == DataRequest.Status.DELIVERED and request.analyst == analyst
