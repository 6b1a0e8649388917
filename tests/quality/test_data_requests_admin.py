"""ORE data requests in Django admin: the pages open (list, filters, search, a request
with its scopes, files and timeline), nothing is added, changed or deleted there, and
the one action recomputes the due dates through the service."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agency.models import ClosureDay
from quality.models import DataRequest
from quality.services import data_requests as services
from tests.quality.factories_data_requests import advance, fresh, make_ore, pdf_file, submit

EASTERN = ZoneInfo("America/New_York")
Status = DataRequest.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN), tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@hearth.example", "x")
    client.force_login(user)
    return client


@pytest.fixture
def requests(personas):
    lead = make_ore(lead=True)
    scoped = advance(submit(personas.caseworker, attachments=[pdf_file()]), lead, "cataloged")
    services.data_request_scope_request(
        data_request=scoped, actor=lead, version=scoped.version, what_ore_needs="The cohort."
    )
    delivered = advance(submit(personas.supervisor), lead, Status.DELIVERED)
    return {"scoped": fresh(scoped), "delivered": delivered}


def test_the_admin_pages_open(admin_client, requests):
    changelist = reverse("admin:quality_datarequest_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert requests["scoped"].reference in response.content.decode()
    queries = [
        {"status__exact": "delivered"},
        {"category__exact": "ad_hoc"},
        {"channel__exact": "hearth"},
        {"q": requests["delivered"].reference},
    ]
    for query in queries:
        filtered = admin_client.get(changelist, query)
        assert filtered.status_code == 200
        assert requests["delivered"].reference in filtered.content.decode()
    page = admin_client.get(
        reverse("admin:quality_datarequest_change", args=[requests["scoped"].pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "The cohort." in html and "letter.pdf" in html and "Submitted in Hearth" in html
    history = reverse("admin:quality_datarequest_history", args=[requests["scoped"].pk])
    assert admin_client.get(history).status_code == 200
    scopes = admin_client.get(reverse("admin:quality_projectscope_changelist"))
    assert scopes.status_code == 200 and requests["scoped"].reference in scopes.content.decode()
    scope = requests["scoped"].scopes.get()
    assert (
        admin_client.get(reverse("admin:quality_projectscope_change", args=[scope.pk])).status_code
        == 200
    )


def test_nothing_is_added_changed_or_deleted_in_admin(admin_client, requests):
    r = requests["delivered"]
    assert admin_client.get(reverse("admin:quality_datarequest_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:quality_datarequest_delete", args=[r.pk])).status_code
        == 403
    )
    change = reverse("admin:quality_datarequest_change", args=[r.pk])
    assert admin_client.post(change, {"title": "Changed"}).status_code == 403
    assert fresh(r).title == r.title and fresh(r).history.count() == r.history.count()
    assert admin_client.get(reverse("admin:quality_projectscope_add")).status_code == 403


def test_the_admin_action_recomputes_the_due_dates(admin_client, requests):
    ClosureDay.objects.create(date=date(2026, 12, 1), reason="Snow")
    response = admin_client.post(
        reverse("admin:quality_datarequest_changelist"),
        {"action": "recompute_due_dates", "_selected_action": [requests["delivered"].pk]},
        follow=True,
    )
    assert "1 open request got a new due date." in response.content.decode()
    scoped = fresh(requests["scoped"])
    assert scoped.events.filter(internal=True).get().note.endswith("(recomputed from the admin).")


def test_ore_staff_without_admin_access_are_kept_out(client, db):
    client.force_login(make_ore())
    response = client.get(reverse("admin:quality_datarequest_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]
