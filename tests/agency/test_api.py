"""The REST API (/api/), through HTTP."""

from datetime import date

import pytest
from rest_framework.authtoken.models import Token

from agency import services
from agency.models import ClosureDay, Notification
from agency.roles import Role
from tests.factories import make_unit, make_user


@pytest.fixture
def sysadmin(personas):
    return make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central, is_staff=True)


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


# --- who am I ----------------------------------------------------------------------------


def test_me_returns_the_callers_role_and_place(as_caseworker, personas):
    response = as_caseworker.get("/api/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": personas.caseworker.pk,
        "username": "caseworker",
        "full_name": personas.caseworker.get_full_name(),
        "email": personas.caseworker.email,
        "role": "caseworker",
        "role_label": "Caseworker",
        "work_location": "Hartford Area Office",
        "unit": "Intake Unit 1",
    }


def test_me_for_a_superuser_without_profile_has_no_role(client, db):
    client.force_login(make_user(is_superuser=True))

    data = client.get("/api/me/").json()

    assert (data["role"], data["work_location"], data["unit"]) == (None, None, None)


def test_me_for_a_central_office_role_has_no_unit(client, personas):
    client.force_login(personas.ombudsman)

    data = client.get("/api/me/").json()

    assert (data["role"], data["work_location"], data["unit"]) == (
        "ombudsman_staff",
        "Central Office",
        None,
    )


# --- the organisation --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/agency/regions/", "/api/agency/work-locations/"])
def test_organisation_lists_are_paginated(as_caseworker, path):
    response = as_caseworker.get(path)

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == len(data["results"]) > 0


def test_work_locations_name_their_region_by_code(as_caseworker, personas):
    results = as_caseworker.get("/api/agency/work-locations/").json()["results"]

    by_name = {location["name"]: location for location in results}
    assert by_name["Hartford Area Office"]["region"] == personas.region.code
    assert by_name["Central Office"]["region"] is None


def test_caseworker_lists_only_their_own_unit(as_caseworker, personas):
    data = as_caseworker.get("/api/agency/units/").json()

    assert data["count"] == 1
    assert [unit["id"] for unit in data["results"]] == [personas.unit.pk]
    assert data["results"][0]["supervisor"] == personas.supervisor.get_full_name()


def test_caseworker_opens_their_own_unit(as_caseworker, personas):
    response = as_caseworker.get(f"/api/agency/units/{personas.unit.pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Intake Unit 1"


def test_caseworker_cannot_open_another_units_unit_api_404(as_caseworker, personas):
    response = as_caseworker.get(f"/api/agency/units/{personas.other_unit.pk}/")

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_unit_api_answers_404_for_a_missing_id(as_caseworker):
    assert as_caseworker.get("/api/agency/units/987654321/").status_code == 404


def test_supervisor_lists_supervised_units(client, personas):
    second = make_unit(personas.office, supervisor=personas.supervisor)
    client.force_login(personas.supervisor)

    ids = {unit["id"] for unit in client.get("/api/agency/units/").json()["results"]}

    assert ids == {personas.unit.pk, second.pk}


def test_units_are_read_only(as_caseworker, personas):
    response = as_caseworker.post("/api/agency/units/", {"name": "Mine"})

    assert response.status_code == 405


# --- closure days ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "ombudsman"])
def test_any_role_lists_closure_days(client, personas, persona):
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")
    client.force_login(getattr(personas, persona))

    response = client.get("/api/calendar/closure-days/")

    assert response.status_code == 200
    assert [(c["date"], c["reason"]) for c in response.json()["results"]] == [
        ("2027-02-16", "Winter storm")
    ]


def test_caseworker_cannot_add_a_closure_day_403(as_caseworker):
    response = as_caseworker.post(
        "/api/calendar/closure-days/", {"date": "2027-02-16", "reason": "Snow"}
    )

    assert response.status_code == 403
    assert not ClosureDay.objects.exists()


def test_caseworker_cannot_remove_a_closure_day_403(as_caseworker):
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")

    response = as_caseworker.delete("/api/calendar/closure-days/2027-02-16/")

    assert response.status_code == 403
    assert ClosureDay.objects.filter(date=date(2027, 2, 16)).exists()


def test_system_administrator_adds_a_closure_day_201(client, sysadmin):
    client.force_login(sysadmin)

    response = client.post(
        "/api/calendar/closure-days/", {"date": "2027-02-16", "reason": "Winter storm"}
    )

    assert response.status_code == 201
    assert response.json()["date"] == "2027-02-16"
    assert response.json()["reason"] == "Winter storm"
    closure = ClosureDay.objects.get()
    assert (closure.date, closure.created_by) == (date(2027, 2, 16), sysadmin)


def test_adding_a_closure_day_twice_answers_400_on_date(client, sysadmin):
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")
    client.force_login(sysadmin)

    response = client.post("/api/calendar/closure-days/", {"date": "2027-02-16", "reason": "Again"})

    assert response.status_code == 400
    assert response.json() == {"date": ["2027-02-16 is already a closure day."]}


def test_adding_a_closure_day_with_a_bad_date_answers_400_on_date(client, sysadmin):
    client.force_login(sysadmin)

    response = client.post(
        "/api/calendar/closure-days/", {"date": "2027-13-01", "reason": "Nonsense"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert not ClosureDay.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_adding_a_closure_day_with_a_blank_reason_answers_400_on_reason(client, sysadmin, reason):
    client.force_login(sysadmin)

    response = client.post(
        "/api/calendar/closure-days/",
        {"date": "2027-02-16", "reason": reason},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not ClosureDay.objects.exists()


def test_removing_a_closure_day_answers_204_and_it_is_gone(client, sysadmin):
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")
    client.force_login(sysadmin)

    response = client.delete("/api/calendar/closure-days/2027-02-16/")

    assert response.status_code == 204
    assert not ClosureDay.objects.exists()
    assert client.get("/api/calendar/closure-days/").json()["count"] == 0


@pytest.mark.parametrize("day", ["2027-02-17", "2027-13-01"])
def test_removing_a_day_that_is_not_closed_answers_404(client, sysadmin, day):
    client.force_login(sysadmin)

    response = client.delete(f"/api/calendar/closure-days/{day}/")

    assert response.status_code == 404


# --- deadlines ---------------------------------------------------------------------------


def test_deadline_skips_a_closure_day_added_through_the_api_and_names_it(client, sysadmin):
    client.force_login(sysadmin)
    query = {"start": "2027-03-01T10:00:00-05:00", "business_days": 1}  # a Monday
    before = client.get("/api/calendar/deadline/", query).json()
    assert before["due_at"] == "2027-03-02T17:00:00-05:00"

    client.post("/api/calendar/closure-days/", {"date": "2027-03-02", "reason": "Ice storm"})
    after = client.get("/api/calendar/deadline/", query)

    assert after.status_code == 200
    assert after.json()["due_at"] == "2027-03-03T17:00:00-05:00"
    assert any("Ice storm" in step for step in after.json()["explanation"])


@pytest.mark.parametrize(
    "extra", [{}, {"business_days": 1, "business_hours": 4}], ids=["neither", "both"]
)
def test_deadline_needs_exactly_one_of_days_or_hours_400(as_caseworker, extra):
    response = as_caseworker.get(
        "/api/calendar/deadline/", {"start": "2026-07-02T15:00:00-04:00", **extra}
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Give exactly one of business_days or business_hours."]
    }


def test_deadline_in_business_hours_skips_the_holiday_and_the_weekend(as_caseworker):
    response = as_caseworker.get(
        "/api/calendar/deadline/",
        {"start": "2026-07-02T15:00:00-04:00", "business_hours": 4},
    )

    assert response.status_code == 200
    data = response.json()
    assert data["due_at"] == "2026-07-06T10:00:00-04:00"
    assert data["start"] == "2026-07-02T15:00:00-04:00"
    assert any("Independence Day" in step for step in data["explanation"])


def test_deadline_start_without_offset_is_eastern_time(as_caseworker):
    response = as_caseworker.get(
        "/api/calendar/deadline/", {"start": "2026-07-02T15:00:00", "business_hours": 4}
    )

    assert response.json()["due_at"] == "2026-07-06T10:00:00-04:00"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "not a time", "business_days": 1}, "start"),
        ({"business_days": 1}, "start"),
        ({"start": "2026-07-02T10:00:00-04:00", "business_days": -1}, "business_days"),
        ({"start": "2026-07-02T10:00:00-04:00", "business_hours": "x"}, "business_hours"),
    ],
)
def test_deadline_names_the_field_it_refuses(as_caseworker, query, field):
    response = as_caseworker.get("/api/calendar/deadline/", query)

    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- notifications -----------------------------------------------------------------------


@pytest.fixture
def inbox(personas):
    mine = [
        Notification.objects.create(recipient=personas.caseworker, kind="k", subject=f"Mine {n}")
        for n in range(3)
    ]
    theirs = Notification.objects.create(recipient=personas.supervisor, kind="k", subject="Theirs")
    return mine, theirs


def test_notifications_list_has_only_the_callers_own(as_caseworker, inbox):
    mine, _ = inbox

    data = as_caseworker.get("/api/notifications/").json()

    assert data["count"] == 3
    assert {n["id"] for n in data["results"]} == {n.pk for n in mine}


def test_notifications_list_can_show_unread_only(as_caseworker, inbox):
    mine, _ = inbox
    services.notification_mark_read(notification=mine[0])

    data = as_caseworker.get("/api/notifications/", {"unread": "true"}).json()

    assert {n["id"] for n in data["results"]} == {mine[1].pk, mine[2].pk}
    assert all(not n["is_read"] for n in data["results"])


def test_reading_a_notification_marks_it_read(as_caseworker, inbox):
    mine, _ = inbox

    response = as_caseworker.post(f"/api/notifications/{mine[0].pk}/read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None


def test_read_all_marks_only_the_callers_notifications(as_caseworker, inbox):
    _, theirs = inbox

    response = as_caseworker.post("/api/notifications/read-all/")

    assert response.json() == {"marked": 3}
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("action", ["get", "post"], ids=["retrieve", "read"])
def test_someone_elses_notification_answers_404(as_caseworker, inbox, action):
    _, theirs = inbox
    path = f"/api/notifications/{theirs.pk}/" + ("read/" if action == "post" else "")

    response = getattr(as_caseworker, action)(path)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_cannot_be_created_through_the_api(as_caseworker):
    response = as_caseworker.post("/api/notifications/", {"subject": "Forged"})

    assert response.status_code == 405
    assert not Notification.objects.filter(subject="Forged").exists()


# --- token authentication ----------------------------------------------------------------


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_token_from_username_and_password_authenticates_the_api(client, db, fast_hasher):
    user = make_user(Role.QUALITY_REVIEWER, username="jamie", password="right-password-1")

    response = client.post(
        "/api/auth/token/", {"username": "jamie", "password": "right-password-1"}
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["role"] == "quality_reviewer"


def test_a_wrong_password_gets_no_token(client, db, fast_hasher):
    make_user(Role.QUALITY_REVIEWER, username="jamie", password="right-password-1")

    response = client.post("/api/auth/token/", {"username": "jamie", "password": "wrong"})

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.exists()


def test_a_token_of_a_user_without_role_is_refused_403(client, db):
    token = Token.objects.create(user=make_user())

    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 403


def test_a_token_of_a_deactivated_user_is_refused(client, db):
    user = make_user(Role.CASEWORKER)
    token = Token.objects.create(user=user)
    user.is_active = False
    user.save()

    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 403


# --- schema and docs ---------------------------------------------------------------------


def test_schema_is_openapi_for_a_user_with_a_role(as_caseworker):
    response = as_caseworker.get("/api/schema/")

    assert response.status_code == 200
    assert "openapi" in response.content.decode()
    assert "/api/calendar/deadline/" in response.content.decode()


def test_schema_as_json_is_openapi_3(as_caseworker):
    response = as_caseworker.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_docs_page_is_html(as_caseworker):
    response = as_caseworker.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "swagger" in response.content.decode().lower()


def test_api_docs_relax_the_csp_for_styles_only(client, personas):
    client.force_login(personas.caseworker)
    docs = client.get("/api/docs/")
    page = client.get("/calendar/")
    assert "style-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]
