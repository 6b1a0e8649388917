"""The Django admin as the System Administrator uses it."""

import html
from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from agency import services
from agency.models import ClosureDay, Notification, StaffProfile
from agency.roles import Role
from tests.factories import make_user

ORGANISATION_MODELS = ["region", "worklocation", "unit", "staffprofile", "closureday"]


@pytest.fixture
def sysadmin(personas):
    return make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central, is_staff=True)


@pytest.fixture
def as_sysadmin(client, sysadmin):
    client.force_login(sysadmin)
    return client


@pytest.fixture
def filled(personas):
    """One row of each model, so the changelists render rows, not just headers."""
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")
    Notification.objects.create(recipient=personas.caseworker, kind="k", subject="Visit due")


@pytest.mark.parametrize("model", ORGANISATION_MODELS)
def test_system_administrator_opens_the_organisation_changelists(as_sysadmin, filled, model):
    response = as_sysadmin.get(reverse(f"admin:agency_{model}_changelist"))

    assert response.status_code == 200
    assert "Hearth administration" in response.text


def test_system_administrator_cannot_read_notifications_in_admin(as_sysadmin, filled):
    # Notifications carry case details; the role holds no permission on them (the demo
    # login says "no access to confidential records").
    response = as_sysadmin.get(reverse("admin:agency_notification_changelist"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", [*ORGANISATION_MODELS, "notification"])
def test_superuser_opens_every_agency_changelist(client, filled, model):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    response = client.get(reverse(f"admin:agency_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "outsider"])
def test_staff_without_admin_access_are_sent_to_the_admin_login(client, personas, persona):
    client.force_login(getattr(personas, persona))

    response = client.get(reverse("admin:agency_closureday_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=/admin/"


def test_system_administrator_adds_a_closure_day_through_the_admin(as_sysadmin, sysadmin):
    response = as_sysadmin.post(
        reverse("admin:agency_closureday_add"), {"date": "2027-02-16", "reason": "Ice storm"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:agency_closureday_changelist")
    closure = ClosureDay.objects.get()
    assert (closure.date, closure.reason, closure.created_by) == (
        date(2027, 2, 16),
        "Ice storm",
        sysadmin,
    )
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert entry.object_id == str(closure.pk)
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert reverse("admin:agency_closureday_change", args=[closure.pk]) in message


def test_admin_refuses_a_duplicate_closure_day(as_sysadmin):
    services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")

    response = as_sysadmin.post(
        reverse("admin:agency_closureday_add"), {"date": "2027-02-16", "reason": "Again"}
    )

    assert response.status_code == 200
    assert "Closure day with this Date already exists." in response.text
    assert ClosureDay.objects.get().reason == "Winter storm"


def test_admin_refuses_a_blank_closure_reason(as_sysadmin):
    response = as_sysadmin.post(
        reverse("admin:agency_closureday_add"), {"date": "2027-02-16", "reason": "  "}
    )

    assert response.status_code == 200
    assert not ClosureDay.objects.exists()


def test_admin_deletes_a_closure_day(as_sysadmin):
    closure = services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")

    response = as_sysadmin.post(
        reverse("admin:agency_closureday_delete", args=[closure.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not ClosureDay.objects.exists()


def test_admin_bulk_delete_of_closure_days(as_sysadmin):
    closures = [
        services.closure_day_add(day=date(2027, 2, day), reason="Storm") for day in (16, 17)
    ]

    response = as_sysadmin.post(
        reverse("admin:agency_closureday_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [c.pk for c in closures],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not ClosureDay.objects.exists()


def staff_profile_form(profile: StaffProfile, **changes) -> dict:
    data = {
        "user": profile.user_id,
        "role": profile.role,
        "job_title": profile.job_title,
        "work_location": profile.work_location_id,
        "unit": profile.unit_id or "",
        "phone": profile.phone,
    }
    return {**data, **changes}


def test_saving_a_staff_profile_with_a_new_role_moves_the_users_group(as_sysadmin, personas):
    profile = personas.caseworker.staff

    response = as_sysadmin.post(
        reverse("admin:agency_staffprofile_change", args=[profile.pk]),
        staff_profile_form(profile, role=Role.SUPERVISOR, job_title="Social Work Supervisor"),
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.role, profile.job_title) == (Role.SUPERVISOR, "Social Work Supervisor")
    assert list(personas.caseworker.groups.values_list("name", flat=True)) == ["Supervisor"]


def test_admin_refuses_a_unit_from_another_office(as_sysadmin, personas):
    profile = personas.caseworker.staff

    response = as_sysadmin.post(
        reverse("admin:agency_staffprofile_change", args=[profile.pk]),
        staff_profile_form(profile, unit=personas.other_unit.pk, role=Role.SUPERVISOR),
    )

    assert response.status_code == 200
    assert "The unit must belong to the person's work location." in html.unescape(response.text)
    profile.refresh_from_db()
    assert (profile.unit, profile.role) == (personas.unit, Role.CASEWORKER)
    assert list(personas.caseworker.groups.values_list("name", flat=True)) == ["Caseworker"]


def test_adding_a_staff_profile_in_the_admin_gives_the_role_group(as_sysadmin, personas):
    newcomer = make_user(username="newcomer")

    response = as_sysadmin.post(
        reverse("admin:agency_staffprofile_add"),
        {
            "user": newcomer.pk,
            "role": Role.CASEWORKER,
            "job_title": "Social Worker",
            "work_location": personas.office.pk,
            "unit": personas.unit.pk,
            "phone": "",
        },
    )

    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=newcomer)
    assert profile.unit == personas.unit
    assert list(newcomer.groups.values_list("name", flat=True)) == ["Caseworker"]
    assert LogEntry.objects.get(action_flag=ADDITION).object_id == str(profile.pk)


def test_staff_profile_changelist_search_finds_by_username(as_sysadmin, personas):
    url = reverse("admin:agency_staffprofile_changelist")

    response = as_sysadmin.get(url, {"q": "other_caseworker"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [personas.other_caseworker.staff]


def test_staff_profile_changelist_search_finds_by_last_name(as_sysadmin, personas):
    personas.supervisor.last_name = "Whitfield"
    personas.supervisor.save()

    response = as_sysadmin.get(reverse("admin:agency_staffprofile_changelist"), {"q": "whitfield"})

    assert list(response.context["cl"].result_list) == [personas.supervisor.staff]


def test_unit_admin_offers_object_permissions(as_sysadmin, personas):
    response = as_sysadmin.get(reverse("admin:agency_unit_change", args=[personas.unit.pk]))

    assert response.status_code == 200
    assert "Object permissions" in response.text


@pytest.mark.parametrize("model", ORGANISATION_MODELS)
def test_system_administrator_opens_the_add_forms(as_sysadmin, model):
    response = as_sysadmin.get(reverse(f"admin:agency_{model}_add"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "field"),
    [("staffprofile", "user"), ("staffprofile", "unit"), ("unit", "supervisor")],
)
def test_admin_autocomplete_works_for_the_system_administrator(as_sysadmin, personas, model, field):
    response = as_sysadmin.get(
        reverse("admin:autocomplete"),
        {"app_label": "agency", "model_name": model, "field_name": field, "term": ""},
    )

    assert response.status_code == 200
    assert response.json()["results"]


def test_admin_edits_a_closure_days_reason_but_not_its_date(as_sysadmin):
    closure = services.closure_day_add(day=date(2027, 2, 16), reason="Winter storm")

    response = as_sysadmin.post(
        reverse("admin:agency_closureday_change", args=[closure.pk]),
        {"date": "2027-03-01", "reason": "Winter storm and power cut"},
    )

    assert response.status_code == 302
    closure.refresh_from_db()
    assert (closure.date, closure.reason) == (date(2027, 2, 16), "Winter storm and power cut")


def test_system_administrator_cannot_make_anyone_a_superuser(as_sysadmin, sysadmin, personas):
    target = personas.caseworker
    url = reverse("admin:auth_user_change", args=[target.pk])
    page = as_sysadmin.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.text

    as_sysadmin.post(
        url,
        {
            "username": target.username,
            "first_name": target.first_name,
            "last_name": target.last_name,
            "email": target.email,
            "is_active": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-11-23",
            "date_joined_1": "09:00:00",
        },
    )
    target.refresh_from_db()
    assert not target.is_superuser
    assert target.groups.filter(name=Role.CASEWORKER.group_name).exists()


def test_superuser_still_edits_superuser_status(client, personas):
    admin_user = make_user(None, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[personas.caseworker.pk]))
    assert 'name="is_superuser"' in page.text


@pytest.mark.parametrize(
    "model", ["casework.caseworkrules", "ombudsman.ombudsmanrules", "quality.qualityrules"]
)
def test_every_rules_row_opens_directly_and_is_never_added_twice(admin_client, model):
    app_label, name = model.split(".")
    changelist = admin_client.get(f"/admin/{app_label}/{name}/")
    assert changelist.status_code == 302
    assert changelist["Location"] == f"/admin/{app_label}/{name}/1/change/"
    assert admin_client.get(changelist["Location"]).status_code == 200
    assert admin_client.get(f"/admin/{app_label}/{name}/add/").status_code == 403
    assert admin_client.get(f"/admin/{app_label}/{name}/1/delete/").status_code == 403
