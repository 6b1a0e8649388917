"""A monthly supervisory review in a browser: the supervisor opens a case of their unit,
records this month's review with a next step owned by the caseworker; the caseworker
logs in, sees the next step due in the caseload, acknowledges the review and marks the
step done (fixtures in tests/browser.py)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from agency.demo import DEMO_PASSWORD
from casework.models import NextStep, SupervisoryReview
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.casework.factories import make_case
from tests.factories import make_personas

# Live-server tests run in transactions that end with a flush: recreate the role groups.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]

# Monday 23 November 2026, 10:00 Eastern.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def tick(page, label: str) -> None:
    """Tick a USWDS checkbox by its label (the input itself is visually hidden)."""
    box = page.get_by_label(label, exact=True)
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    assert box.is_checked()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_records_a_review_and_the_worker_sees_the_step_due(
    page, live_server, time_machine
):
    time_machine.move_to(NOW, tick=True)
    personas = make_personas()
    for user, first, last in (
        (personas.supervisor, "Morgan", "Lee"),
        (personas.caseworker, "Casey", "Rivera"),
    ):
        user.first_name, user.last_name = first, last
        user.set_password(DEMO_PASSWORD)
        user.save()
    case = make_case(
        personas.unit, personas.caseworker, name="Alvarez family", opened_on=date(2026, 9, 14)
    )
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The supervisor opens the case from the unit's caseload and records the review.
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="Alvarez family").click()
    expect(page).to_have_title(re.compile(case.number))
    section = page.locator("#supervision")
    expect(section).to_contain_text("No supervisory review yet this month.")
    section.get_by_role("link", name="Record this month's review").click()
    expect(page).to_have_title(f"Record a supervisory review · {case.number} · Hearth")
    assert page.get_by_label("Date of the review").input_value() == "2026-11-23"
    assert page.get_by_label("Worker").locator("option:checked").inner_text() == "Casey Rivera"
    tick(page, "Safety")
    tick(page, "Family engagement")
    page.get_by_label("Discussion").fill(
        "The grandmother is still the protective adult after school; the father's visits "
        "keep falling through because of his shifts."
    )
    page.get_by_label("Clinical guidance").fill(
        "Ask the father which visit times he can keep; see each child on their own."
    )
    page.locator("#id_steps-0-description").fill("Call the school about attendance")
    page.locator("#id_steps-0-owner").select_option(label="Casey Rivera")
    page.locator("#id_steps-0-due_on").fill("2026-12-02")
    page.screenshot(path=str(SCREENS / "supervision-review-form.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Record the review").click()

    expect(page).to_have_title(re.compile(case.number))
    expect(page.locator(".hearth-messages")).to_contain_text(
        "Supervisory review recorded with 1 next step; Casey Rivera is asked to acknowledge it."
    )
    expect(section).to_contain_text("Reviewed this month on 23 November 2026")
    expect(section).to_contain_text("Not acknowledged")
    section.screenshot(path=str(SCREENS / "supervision-case-section.png"))
    assert serious_accessibility_violations(page) == []
    review = SupervisoryReview.objects.get()
    assert review.focus_areas == ["safety", "family_engagement"]
    assert review.next_steps.get().owner == personas.caseworker

    # The month view counts it.
    page.goto(f"{live_server.url}/casework/supervision/reviews/")
    expect(page.get_by_role("main")).to_contain_text("Casey Rivera: 1 of 1 case reviewed")
    page.screenshot(path=str(SCREENS / "supervision-month.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    log_out(page)

    # The caseworker sees the step due in the caseload, acknowledges, and marks it done.
    log_in(page, live_server, "caseworker")
    expect(page).to_have_title("Caseload · Hearth")
    row = page.get_by_role("row", name=re.compile(case.number))
    expect(row).to_contain_text(
        "Next step due 2 Dec: Call the school about attendance (Casey Rivera)"
    )
    page.screenshot(path=str(SCREENS / "supervision-caseload.png"), full_page=True)
    row.get_by_role("link", name="Alvarez family").click()
    section.get_by_label(re.compile("Your comment on the review")).fill("I will call tomorrow.")
    section.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.locator(".hearth-messages")).to_contain_text("Review acknowledged")
    expect(section).to_contain_text("Acknowledged")
    section.get_by_role("link", name=re.compile("^Mark done")).click()
    expect(page).to_have_title(f"Mark a next step done · {case.number} · Hearth")
    page.get_by_label("Note").fill("Spoke to the principal.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator(".hearth-messages")).to_contain_text("Next step done")
    assert NextStep.objects.get().done_on == date(2026, 11, 23)
    page.goto(f"{live_server.url}/casework/")
    expect(page.get_by_role("row", name=re.compile(case.number))).not_to_contain_text(
        "Call the school"
    )
