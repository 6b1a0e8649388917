"""The COOP models in Django admin: every page opens for a system administrator, the
rules row opens directly and keeps its numbers within bounds, a plan's change carries
its version, and the quarterly duties filter by quarter and submission."""

from datetime import date

import pytest
from django.urls import reverse

from agency.roles import Role
from coop import services
from coop.models import CoopRules, QuarterlyDuties
from coop.quarters import Quarter
from tests.coop.conftest import NOW
from tests.coop.factories import pdf_upload
from tests.factories import make_user

MODELS = [
    "cooprules",
    "coopplan",
    "keystaff",
    "emergencyprocedure",
    "notificationcriterion",
    "plandocument",
    "quarterlyduties",
]


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def sysadmin_client(client, personas):
    user = make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central, is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def duties(plan, area_admin):
    services.document_upload(plan=plan, actor=area_admin, upload=pdf_upload())
    services.communication_record(
        plan=plan,
        actor=area_admin,
        quarter=Quarter(2026, 4),
        communicated_on=date(2026, 11, 2),
        channel="email",
        staff_count=20,
        evidence="Email",
    )
    return QuarterlyDuties.objects.get()


@pytest.mark.parametrize("model", MODELS)
def test_every_coop_admin_page_opens(sysadmin_client, plan, duties, model):
    changelist = sysadmin_client.get(f"/admin/coop/{model}/", follow=True)
    assert changelist.status_code == 200, model
    row = {
        "coopplan": plan,
        "quarterlyduties": duties,
        "keystaff": plan.key_staff.first(),
        "emergencyprocedure": plan.procedures.first(),
        "notificationcriterion": plan.notifications.first(),
        "plandocument": plan.documents.first(),
        "cooprules": CoopRules.objects.get(),
    }[model]
    change = sysadmin_client.get(reverse(f"admin:coop_{model}_change", args=[row.pk]))
    assert change.status_code == 200, model
    history = sysadmin_client.get(reverse(f"admin:coop_{model}_history", args=[row.pk]))
    assert history.status_code == 200, model


def test_the_rules_open_directly_and_keep_their_bounds(sysadmin_client):
    changelist = sysadmin_client.get("/admin/coop/cooprules/")
    assert changelist["Location"] == "/admin/coop/cooprules/1/change/"
    assert sysadmin_client.get("/admin/coop/cooprules/add/").status_code == 403
    assert sysadmin_client.get("/admin/coop/cooprules/1/delete/").status_code == 403
    data = {
        "grace_days": 0,
        "first_reminder_days": 7,
        "second_reminder_days": 30,
        "max_document_mb": 500,
        "registry_quarters": 4,
    }
    refused = sysadmin_client.post("/admin/coop/cooprules/1/change/", data)
    errors = refused.context["adminform"].form.errors
    assert errors["max_document_mb"] == ["Between 1 and 100 MB."]
    assert errors["second_reminder_days"] == [
        "The second reminder comes after the first: fewer days."
    ]
    saved = sysadmin_client.post(
        "/admin/coop/cooprules/1/change/",
        data | {"first_reminder_days": 45, "second_reminder_days": 10, "max_document_mb": 25},
    )
    assert saved.status_code == 302
    assert CoopRules.objects.get().first_reminder_days == 45


def test_a_plan_changed_since_the_form_opened_is_refused(sysadmin_client, plan, area_admin):
    url = reverse("admin:coop_coopplan_change", args=[plan.pk])
    data = {
        "senior_administrator": area_admin.pk,
        "hard_copy_location": "Reception",
        "assembly_point": "Lot A",
        "seen_version": 1,
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("key_staff", "procedures",
                                                        "notifications", "documents")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("key_staff", "procedures",
                                                          "notifications", "documents")},
    }  # fmt: skip
    services.plan_update(plan=plan, actor=area_admin, version=1, assembly_point="Lot C")
    refused = sysadmin_client.post(url, data)
    assert refused.status_code == 200
    assert "Someone else changed this plan" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.assembly_point == "Lot C"


def test_duties_filter_by_quarter_and_submission(sysadmin_client, duties):
    listing = sysadmin_client.get("/admin/coop/quarterlyduties/", {"quarter": "2026-10-01"})
    assert listing.status_code == 200 and "2026 Q4" in listing.content.decode()
    assert list(listing.context["cl"].result_list) == [duties]
    other = sysadmin_client.get("/admin/coop/quarterlyduties/", {"quarter": "2026-07-01"})
    assert list(other.context["cl"].result_list) == []
    submitted = sysadmin_client.get("/admin/coop/quarterlyduties/", {"submission": "submitted"})
    assert list(submitted.context["cl"].result_list) == []


def test_document_versions_are_read_only_in_admin(sysadmin_client, duties, plan):
    document = plan.documents.get()
    assert sysadmin_client.get("/admin/coop/plandocument/add/").status_code == 403
    page = sysadmin_client.get(reverse("admin:coop_plandocument_change", args=[document.pk]))
    assert 'name="summary"' not in page.content.decode()


def test_other_roles_do_not_reach_coop_admin(client, personas):
    client.force_login(make_user(Role.CASEWORKER, location=personas.office, is_staff=True))
    assert client.get("/admin/coop/coopplan/").status_code == 403
