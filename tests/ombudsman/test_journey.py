"""The Ombudsman's day in a browser: a call comes in, it is recorded, taken, answered,
and the queue shows the two-business-day clock met (fixtures in tests/browser.py)."""

import re

import pytest

from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from ombudsman import services
from ombudsman.models import Inquiry
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_location, make_user
from tests.ombudsman.factories import make_inquiry

# Live-server tests run in transactions that end with a flush: recreate the role groups.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


@pytest.mark.django_db(transaction=True)
def test_staff_record_a_phone_inquiry_take_it_and_meet_the_clock(page, live_server):
    central = make_location(None, kind="central_office", name="Central Office")
    staff = make_user(
        Role.OMBUDSMAN_STAFF,
        location=central,
        username="robin",
        first_name="Robin",
        last_name="Hale",
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    make_user(Role.OMBUDSMAN_LEAD, location=central, first_name="Lee", last_name="Lead")
    overdue_elsewhere = make_inquiry(actor=staff, subject="Letter from a provider")
    SCREENS.mkdir(parents=True, exist_ok=True)

    # Ombudsman staff land on the queue: nothing assigned to them yet.
    log_in(page, live_server, "robin")
    assert page.title() == "Inquiries · Hearth"
    assert "No open inquiries are assigned to you." in page.inner_text("main")
    page.get_by_role("link", name="Unassigned (1 open)").click()
    assert page.get_by_role("link", name=overdue_elsewhere.reference).is_visible()

    # A foster parent phones: the quick fields are enough.
    page.get_by_role("link", name="Record an inquiry").click()
    assert page.title() == "Record an inquiry · Hearth"
    page.get_by_label("How it arrived").select_option("phone")
    page.get_by_label("Who it is from").select_option("foster_parent")
    assert page.get_by_label("Received").input_value()  # now, ready to use
    assert page.get_by_label("Routine").is_checked()
    page.get_by_label("Subject").fill("Placement change without notice")
    page.get_by_label("What the inquirer asks or complains about").fill(
        "The caller says the child in her care was moved without notice and asks why."
    )
    page.locator("summary", has_text="More details").click()
    page.get_by_label("Name", exact=True).fill("Ana Reyes")
    page.get_by_label("Phone", exact=True).fill("860-555-0144")
    page.screenshot(path=str(SCREENS / "ombudsman-intake.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Record the inquiry").click()

    inquiry = Inquiry.objects.get(subject="Placement change without notice")
    main = page.inner_text("main")
    assert re.search(rf"Inquiry {inquiry.reference} recorded\. Initial response due ", main)
    assert page.title() == f"{inquiry.reference} Placement change without notice · Hearth"
    assert "How the due time was worked out" in main
    assert "Routine inquiries are due at 17:00 on business day 2" in main
    assert page.locator("#sla-heading .usa-tag").inner_text().strip().lower() in (
        "on track",
        "due today",
    )

    # Take it.
    page.get_by_role("button", name="Assign to me").click()
    assert f"{inquiry.reference} is now assigned to you." in page.inner_text("main")
    assert "Robin Hale, since" in page.inner_text("main")

    # Call back and log the initial response: the clock stops, within the deadline.
    respond = page.locator("#action-respond")
    respond.locator("summary").click()
    respond.get_by_role("button", name="Log the initial response").click()  # nothing filled
    respond = page.locator("#action-respond")
    assert respond.get_attribute("open") is not None
    assert "Choose how the inquirer was answered." in respond.inner_text()
    assert "Summarize the response." in respond.inner_text()
    assert serious_accessibility_violations(page) == []
    respond.get_by_label("How you answered").select_option("phone")
    respond.get_by_label("What you told the inquirer").fill(
        "Called back: explained the emergency move and the visit plan."
    )
    respond.get_by_role("button", name="Log the initial response").click()
    main = page.inner_text("main")
    assert "Initial response logged: within the deadline of" in main
    tag = page.locator("#sla-heading .usa-tag")
    assert tag.inner_text().strip().lower() == "met"
    assert "hearth-sla--met" in tag.get_attribute("class")
    assert "Called back: explained the emergency move" in main
    page.screenshot(path=str(SCREENS / "ombudsman-inquiry-met.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    # Back on the queue, "My inquiries" shows it met, in words.
    page.get_by_role("link", name="Inquiries", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text=inquiry.reference)
    assert row.locator(".hearth-sla--met").inner_text().strip().lower() == "met"
    assert "Initial response sent" in row.inner_text()
    page.screenshot(path=str(SCREENS / "ombudsman-queue.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    inquiry.refresh_from_db()
    assert inquiry.assignee == staff and inquiry.initial_response_method == "phone"
    assert inquiry.initial_response_at <= inquiry.initial_response_due_at


def tick(browser_page, label: str) -> None:
    """Tick a USWDS checkbox the way a person does: by its label (the input itself is
    visually hidden)."""
    box = browser_page.get_by_label(label, exact=True)
    browser_page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    assert box.is_checked()


@pytest.mark.django_db(transaction=True)
def test_lead_assigns_in_bulk_in_the_browser(page, live_server):
    central = make_location(None, kind="central_office", name="Central Office")
    lead = make_user(Role.OMBUDSMAN_LEAD, location=central, username="lee", last_name="Lead")
    lead.set_password(DEMO_PASSWORD)
    lead.save()
    staff = make_user(Role.OMBUDSMAN_STAFF, location=central, first_name="Robin", last_name="Hale")
    first, second, third = (make_inquiry(actor=lead, subject=f"Call {n}") for n in range(3))

    log_in(page, live_server, "lee")
    assert page.title() == "Inquiries · Hearth"
    tick(page, f"Select {first.reference}")
    tick(page, f"Select {third.reference}")
    page.get_by_label("Assign the ticked inquiries to").select_option(str(staff.pk))
    page.screenshot(path=str(SCREENS / "ombudsman-queue-lead.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Assign", exact=True).click()

    assert "Assigned 2 inquiries to Robin Hale." in page.inner_text("main")
    assert [i.assignee_id for i in Inquiry.objects.order_by("reference")] == [
        staff.pk,
        None,
        staff.pk,
    ]
    assert second.reference in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_consulted_supervisor_answers_in_the_browser(page, live_server):
    central = make_location(None, kind="central_office", name="Central Office")
    staff = make_user(Role.OMBUDSMAN_STAFF, location=central, first_name="Robin", last_name="Hale")
    supervisor = make_user(
        Role.SUPERVISOR, location=make_location(name="Hartford Area Office"), username="sam"
    )
    supervisor.set_password(DEMO_PASSWORD)
    supervisor.save()
    inquiry = make_inquiry(actor=staff, subject="Sibling visits", contact_name="Ana Reyes")
    consultation = services.consultation_request(
        inquiry=inquiry, actor=staff, consulted=supervisor, question="Are visits weekly?"
    )

    log_in(page, live_server, "sam")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role(
        "link", name=re.compile(f"The Ombudsman asks for your input: {inquiry.reference}")
    ).first.click()
    assert page.title() == f"Question on {inquiry.reference} · Hearth"
    main = page.inner_text("main")
    assert "Are visits weekly?" in main and "Sibling visits" in main
    assert "Ana Reyes" not in main
    page.get_by_label("Your answer").fill("Weekly, on Thursdays.")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Send the answer").click()

    assert "Thank you: your answer was sent to the Ombudsman." in page.inner_text("main")
    page.screenshot(path=str(SCREENS / "ombudsman-consultation.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    consultation.refresh_from_db()
    assert consultation.reply == "Weekly, on Thursdays."
