"""The HTML pages of the agency app, through HTTP."""

import re
from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from agency.workspaces import BY_KEY, HOME
from tests.factories import make_user

NY = "-04:00"


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


def notify(user, subject="Visit due", **fields) -> Notification:
    return Notification.objects.create(recipient=user, kind="test", subject=subject, **fields)


# --- logging in --------------------------------------------------------------------------


def test_login_page_lists_the_demo_logins_in_development(client, db, settings):
    settings.DEBUG = True

    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Demo logins (development only)" in response.text
    assert "hearth-demo" in response.text
    assert page_title(response) == "Log in · Hearth"


def test_login_page_hides_the_demo_logins_in_production(client, db, settings):
    settings.DEBUG = False

    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Demo logins" not in response.text
    assert "hearth-demo" not in response.text


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_logging_in_with_the_right_password_lands_on_the_workspace(client, db, fast_hasher):
    make_user(Role.CASEWORKER, username="casey", password="right-password-1")

    response = client.post(
        reverse("login"), {"username": "casey", "password": "right-password-1"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("casework:caseload")
    assert response.status_code == 200


def test_five_failed_logins_lock_the_account_even_for_the_right_password(client, db, fast_hasher):
    make_user(Role.CASEWORKER, username="casey", password="right-password-1")
    login = reverse("login")
    for _ in range(5):
        client.post(login, {"username": "casey", "password": "wrong"})

    response = client.post(login, {"username": "casey", "password": "right-password-1"})

    assert response.status_code in (403, 429)
    assert "Account locked" in response.text
    assert "_auth_user_id" not in client.session
    # Kept in the database (rolled back after each test), not in a cache that would leak
    # into the next test: the test below uses the same username and address.
    assert AccessAttempt.objects.get(username="casey").failures_since_start >= 5


def test_four_failed_logins_do_not_lock_the_account(client, db, fast_hasher):
    make_user(Role.CASEWORKER, username="casey", password="right-password-1")
    login = reverse("login")
    for _ in range(4):
        response = client.post(login, {"username": "casey", "password": "wrong"})
        assert response.status_code == 200
        assert "Account locked" not in response.text

    response = client.post(login, {"username": "casey", "password": "right-password-1"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_lockout_of_one_account_leaves_the_others_alone(client, db, fast_hasher):
    make_user(Role.CASEWORKER, username="casey", password="right-password-1")
    make_user(Role.CASEWORKER, username="jordan", password="right-password-2")
    for _ in range(5):
        client.post(reverse("login"), {"username": "casey", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "jordan", "password": "right-password-2"})

    assert response.status_code == 302


# --- home --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(HOME), ids=lambda r: r.value)
def test_home_sends_each_role_to_its_workspace(client, user_with_role, role):
    client.force_login(user_with_role(role))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(BY_KEY[HOME[role]].url_name)


def test_home_explains_to_a_user_without_role_that_they_have_no_workspace(client, personas):
    client.force_login(personas.outsider)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Your account has no workspace yet" in response.text
    assert page_title(response) == "Welcome · Hearth"


def test_home_sends_the_system_administrator_to_the_admin(client, db):
    client.force_login(make_user(Role.SYSTEM_ADMINISTRATOR, is_staff=True))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_home_without_workspace_or_admin_access_shows_the_welcome_page(client, db):
    client.force_login(make_user(Role.SYSTEM_ADMINISTRATOR, is_staff=False))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Your account has no workspace yet" in response.text


def test_workspace_page_title_names_the_workspace(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:caseload"))

    assert page_title(response) == "Caseload · Hearth"


def test_refused_workspace_page_says_so_in_the_title(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(reverse("ombudsman:queue"))

    assert response.status_code == 403
    assert page_title(response) == "Not allowed · Hearth"


# --- notifications -----------------------------------------------------------------------


def test_inbox_lists_only_the_users_own_notifications(client, personas):
    notify(personas.caseworker, "Monthly visit due for the Rivera family")
    notify(personas.supervisor, "Supervisor's private reminder")
    client.force_login(personas.caseworker)

    response = client.get(reverse("notifications"))

    assert response.status_code == 200
    assert "Monthly visit due for the Rivera family" in response.text
    assert "Supervisor&#x27;s private reminder" not in response.text
    assert "Supervisor's private reminder" not in response.text
    assert page_title(response) == "Notifications · Hearth"


def test_inbox_unread_filter_hides_read_notifications(client, personas):
    notify(personas.caseworker, "Still to read")
    read = notify(personas.caseworker, "Already read")
    read.read_at = read.created_at
    read.save()
    client.force_login(personas.caseworker)

    everything = client.get(reverse("notifications"))
    unread = client.get(reverse("notifications"), {"show": "unread"})

    assert "Still to read" in everything.text and "Already read" in everything.text
    assert "Still to read" in unread.text and "Already read" not in unread.text


def test_inbox_unread_filter_with_nothing_unread_says_so(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(reverse("notifications"), {"show": "unread"})

    assert "No unread notifications." in response.text


def test_unread_count_shows_in_the_navigation(client, personas):
    for _ in range(3):
        notify(personas.caseworker)
    client.force_login(personas.caseworker)

    response = client.get(reverse("calendar"))

    assert 'aria-label="3 unread"' in response.text


def test_mark_read_by_post_marks_it_and_returns_to_the_inbox(client, personas):
    notification = notify(personas.caseworker)
    client.force_login(personas.caseworker)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_read_through_htmx_returns_the_updated_row(client, personas):
    notification = notify(personas.caseworker, "IFF due in 4 hours")
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("notification_read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith(f'<tr id="notification-{notification.pk}"')
    assert "IFF due in 4 hours" in body
    assert "Read" in body and "Mark read" not in body
    assert "<html" not in body


def test_mark_read_refuses_get(client, personas):
    notification = notify(personas.caseworker)
    client.force_login(personas.caseworker)

    response = client.get(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_read_marks_every_unread_notification(client, personas):
    for _ in range(3):
        notify(personas.caseworker)
    client.force_login(personas.caseworker)

    response = client.post(reverse("notifications_read_all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    assert not Notification.objects.filter(recipient=personas.caseworker, read_at=None).exists()


def test_mark_all_read_refuses_get(client, personas):
    notify(personas.caseworker)
    client.force_login(personas.caseworker)

    assert client.get(reverse("notifications_read_all")).status_code == 405
    assert Notification.objects.filter(read_at=None).count() == 1


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, personas):
    notification = notify(personas.caseworker, link="/calendar/?start=2026-07-02")
    client.force_login(personas.caseworker)

    response = client.get(reverse("notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/calendar/?start=2026-07-02"
    notification.refresh_from_db()
    assert notification.is_read


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/",
        "//evil.example/phish",
        "javascript:alert(1)",
        "http:/\\evil.example",
    ],
)
def test_opening_a_notification_never_redirects_outside_hearth(client, personas, link):
    notification = notify(personas.caseworker, link=link)
    client.force_login(personas.caseworker)

    response = client.get(reverse("notification_open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")


def test_opening_a_notification_without_link_returns_to_the_inbox(client, personas):
    notification = notify(personas.caseworker)
    client.force_login(personas.caseworker)

    response = client.get(reverse("notification_open", args=[notification.pk]))

    assert response["Location"] == reverse("notifications")


def test_opening_a_notification_that_does_not_exist_answers_404(client, personas):
    client.force_login(personas.caseworker)

    assert client.get(reverse("notification_open", args=[987_654_321])).status_code == 404


def test_inbox_runs_the_same_number_of_queries_for_3_or_30_notifications(
    client, personas, django_assert_max_num_queries
):
    client.force_login(personas.caseworker)
    client.get(reverse("calendar"))  # the idle-session touch writes once a minute, here
    for n in range(3):
        notify(personas.caseworker, f"Reminder {n}")
    # Session, user, staff profile, page count, page rows, unread count.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications"))
    assert response.text.count('<tr id="notification-') == 3

    for n in range(27):
        notify(personas.caseworker, f"More {n}")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications"))
    assert response.text.count('<tr id="notification-') == 25
    assert "Page 1 of 2" in response.text


# --- the calendar ------------------------------------------------------------------------


def test_calendar_explains_a_deadline_across_independence_day(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(
        reverse("calendar"), {"start": "2026-07-02T10:00", "amount": "2", "unit": "days"}
    )

    assert response.status_code == 200
    assert "Due Tuesday 7 July 2026, 17:00" in response.text
    assert "Independence Day" in response.text
    assert page_title(response) == "Agency calendar · Hearth"


def test_calendar_computes_business_hours(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(
        reverse("calendar"), {"start": "2026-07-02T15:00", "amount": "4", "unit": "hours"}
    )

    assert "Due Monday 6 July 2026, 10:00" in response.text


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("-1", "days", "Ensure this value is greater than or equal to 0."),
        ("1.5", "days", "Business days must be a whole number."),
        ("abc", "days", "Enter a number."),
    ],
)
def test_calendar_shows_a_field_error_for_a_bad_amount(client, personas, amount, unit, message):
    client.force_login(personas.caseworker)

    response = client.get(
        reverse("calendar"), {"start": "2026-07-02T10:00", "amount": amount, "unit": unit}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    assert f'<span class="usa-error-message" role="alert">{message}</span>' in response.text
    assert "Due " not in response.text


def test_calendar_accepts_half_an_hour(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(
        reverse("calendar"), {"start": "2026-07-02T16:00", "amount": "1.5", "unit": "hours"}
    )

    assert response.context["form"].errors == {}
    assert "Due Monday 6 July 2026, 08:30" in response.text


def test_calendar_lists_upcoming_holidays_and_closures(client, personas, time_machine):
    time_machine.move_to(datetime.fromisoformat(f"2026-06-01T09:00:00{NY}"), tick=False)
    client.force_login(personas.caseworker)

    response = client.get(reverse("calendar"))

    assert "Friday 3 July 2026" in response.text
    assert "Independence Day (observed)" in response.text


# --- the shell: health check, security headers, 404, idle sessions ----------------------


def test_health_check_answers_ok_without_login(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/accounts/login/", "/calendar/", "/notifications/"])
def test_pages_carry_a_content_security_policy(client, personas, path):
    client.force_login(personas.caseworker)

    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_unknown_url_shows_the_uswds_not_found_page(client, personas, settings):
    settings.DEBUG = False
    client.force_login(personas.caseworker)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert page_title(response) == "Page not found · Hearth"
    assert "<h1>Page not found</h1>" in response.text
    assert "usa-header" in response.text and "usa-footer" in response.text


def test_unknown_url_for_anonymous_shows_the_not_found_page(client, db, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text


def _session_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_moves_the_session_expiry_to_30_minutes_from_now(client, personas, time_machine):
    start = datetime.fromisoformat(f"2026-07-02T10:00:00{NY}")
    time_machine.move_to(start, tick=False)
    client.force_login(personas.caseworker)

    client.get(reverse("notifications"))

    assert client.session.get_expiry_age() == 1800
    assert _session_expiry(client) == start + timedelta(seconds=1800)

    time_machine.move_to(start + timedelta(minutes=20), tick=False)
    client.get(reverse("notifications"))

    assert _session_expiry(client) == start + timedelta(minutes=50)


def test_the_session_is_touched_at_most_once_a_minute(client, personas, time_machine):
    start = datetime.fromisoformat(f"2026-07-02T10:00:00{NY}")
    time_machine.move_to(start, tick=False)
    client.force_login(personas.caseworker)
    client.get(reverse("notifications"))

    time_machine.move_to(start + timedelta(seconds=30), tick=False)
    client.get(reverse("notifications"))

    assert _session_expiry(client) == start + timedelta(minutes=30)


def test_a_session_idle_for_31_minutes_is_over(client, personas, time_machine):
    start = datetime.fromisoformat(f"2026-07-02T10:00:00{NY}")
    time_machine.move_to(start, tick=False)
    client.force_login(personas.caseworker)
    assert client.get(reverse("notifications")).status_code == 200

    time_machine.move_to(start + timedelta(minutes=31), tick=False)
    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


def test_an_active_session_outlives_30_minutes(client, personas, time_machine):
    start = datetime.fromisoformat(f"2026-07-02T10:00:00{NY}")
    time_machine.move_to(start, tick=False)
    client.force_login(personas.caseworker)
    for minutes in (0, 25, 50):
        time_machine.move_to(start + timedelta(minutes=minutes), tick=False)
        assert client.get(reverse("notifications")).status_code == 200
