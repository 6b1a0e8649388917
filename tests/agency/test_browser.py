"""Browser journeys of the shell: every role logs in and lands on its workspace; the
notifications and the calendar (fixtures and helpers in tests/browser.py)."""

import pytest

from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from agency.workspaces import BY_KEY, HOME
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_location, make_unit, make_user

# Live-server tests run in transactions that end with a flush: recreate the role groups.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("role_groups")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_logs_in_and_lands_on_its_home_page(page, live_server, role):
    office = make_location(name="Hartford Area Office")
    user = make_user(
        role,
        unit=make_unit(office),
        username=f"demo-{role.value}",
        first_name="Demo",
        last_name=role.label,
        is_staff=role == Role.SYSTEM_ADMINISTRATOR,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()

    log_in(page, live_server, user.username)

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"home-{role.value}.png"), full_page=True)
    if role == Role.SYSTEM_ADMINISTRATOR:
        assert page.url.endswith("/admin/")
        assert "Hearth administration" in page.content()
        return
    workspace = BY_KEY[HOME[role]]
    assert page.title() == f"{workspace.label} · Hearth"
    assert page.get_by_role("heading", level=1).inner_text() == workspace.label
    assert page.get_by_role("navigation", name="Primary navigation").is_visible()
    assert f"Demo {role.label}" in page.locator(".hearth-whoami").inner_text()
    assert serious_accessibility_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_caseworker_reads_a_notification_and_computes_a_deadline(page, live_server):
    caseworker = make_user(Role.CASEWORKER, unit=make_unit(), username="casey")
    caseworker.set_password(DEMO_PASSWORD)
    caseworker.save()
    from agency import services

    services.notification_send(
        recipient=caseworker, kind="test", subject="Visit the Rivera children", link="/calendar/"
    )
    log_in(page, live_server, "casey")

    page.get_by_role("link", name="Notifications").click()
    assert page.title() == "Notifications · Hearth"
    page.get_by_role("button", name="Mark read: Visit the Rivera children").click()
    page.get_by_text("Read", exact=True).wait_for()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Calendar").click()
    page.get_by_label("Start (date and time, Eastern)").fill("2026-07-02T10:00")
    page.get_by_label("How many").fill("2")
    page.get_by_role("button", name="Compute deadline").click()
    assert "Due Tuesday 7 July 2026, 17:00" in page.inner_text("main")
    assert "Friday 3 July 2026 skipped: Independence Day (observed)." in page.inner_text("main")
    page.screenshot(path=str(SCREENS / "calendar-deadline.png"), full_page=True)
    assert serious_accessibility_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_login_form_shows_a_clear_error_for_a_wrong_password(page, live_server):
    make_user(Role.CASEWORKER, unit=make_unit(), username="casey")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    assert "correct username and password" in alert.inner_text()
    assert serious_accessibility_violations(page) == []
