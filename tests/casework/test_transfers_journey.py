"""A case's documents and its transfer in a browser: the worker adds a court order, the
supervisor sends the case to the office's ongoing services unit, whose supervisor reads
it, accepts it and names the new worker, who then has it (fixtures in tests/browser.py)."""

import re

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from casework.models import Case, CaseDocument
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.casework.factories import add_member, make_case
from tests.casework.test_documents_services import PDF_BYTES
from tests.casework.test_providers_services import make_provider, service
from tests.casework.test_transfers_services import receiving_unit
from tests.factories import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


def log_out(page):
    page.get_by_role("button", name="Log out").click()


@pytest.mark.django_db(transaction=True)
def test_a_document_then_a_transfer_accepted_by_the_receiving_supervisor(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    personas = make_personas()
    ongoing = receiving_unit(personas)
    for user in (personas.caseworker, personas.supervisor, ongoing.supervisor, ongoing.caseworker):
        user.set_password(DEMO_PASSWORD)
        user.save()
    case = make_case(personas.unit, personas.caseworker, case_type=Case.Type.INVESTIGATION)
    add_member(case)
    parenting = service("Parenting education", evidence_based=True, model_name="Triple P")
    make_provider("Family Support Center", parenting)
    order = tmp_path / "custody-order.pdf"
    order.write_bytes(PDF_BYTES)
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The worker adds a court order from the case page.
    log_in(page, live_server, "caseworker")
    page.goto(f"{live_server.url}/casework/cases/{case.pk}/")
    page.get_by_role("link", name="Add a document").click()
    expect(page).to_have_title(re.compile("^Add a document"))
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Kind of document").select_option("court_order")
    page.get_by_label("Title").fill("Order of temporary custody")
    page.get_by_label("Date on the document").fill("2026-01-05")
    page.get_by_label("File").set_input_files(str(order))
    page.get_by_role("button", name="Add the document").click()
    expect(page.locator("#documents")).to_contain_text("Order of temporary custody")
    assert CaseDocument.objects.get().case_id == case.pk
    page.goto(f"{live_server.url}/casework/providers/")
    expect(page.get_by_role("heading", name="Family Support Center")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    log_out(page)

    # The supervisor asks the ongoing services unit to take the case.
    log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/casework/cases/{case.pk}/")
    page.get_by_role("link", name="Transfer this case to another unit").click()
    assert serious_accessibility_violations(page) == []
    unit_label = f"{personas.office.name}: {ongoing.unit.name}"
    page.get_by_label("Transfer to").select_option(label=unit_label)
    page.get_by_label("New case type").select_option("in_home")
    page.get_by_label("Transfer summary").fill("Investigation done; needs in-home services.")
    page.get_by_role("button", name="Request the transfer").click()
    expect(page.locator("h1")).to_contain_text("Waiting for a decision")
    log_out(page)

    # The receiving supervisor reads the case and accepts it.
    log_in(page, live_server, ongoing.supervisor.username)
    page.goto(f"{live_server.url}/casework/transfers/")
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", name="The case", exact=True)).to_be_visible()
    page.screenshot(path=str(SCREENS / "casework-transfer.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_label("New primary worker").select_option(label="Sam Ruiz")
    page.get_by_role("button", name="Accept the case").click()
    expect(page.locator("h1")).to_contain_text("Accepted")
    log_out(page)

    # The new worker has the case; the old one no longer does.
    log_in(page, live_server, ongoing.caseworker.username)
    page.goto(f"{live_server.url}/casework/cases/{case.pk}/")
    expect(page.locator("#transfers")).to_contain_text("Accepted")
    expect(page.locator("#documents")).to_contain_text("Order of temporary custody")
    log_out(page)
    log_in(page, live_server, "caseworker")
    # (Asked without opening it: a 404 page would log a console error.)
    assert page.request.get(f"{live_server.url}/casework/cases/{case.pk}/").status == 404
