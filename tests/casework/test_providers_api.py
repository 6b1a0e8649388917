"""The provider directory and referrals API (/api/casework/providers/, /referrals/)."""

import pytest

from agency.roles import Role
from casework.models import PlanService
from casework.services import plans as plan_services
from tests.casework.test_plan_services import NOW, approved, plan_case
from tests.casework.test_providers_services import make_provider, service
from tests.factories import make_user

PROVIDERS = "/api/casework/providers/"
REFERRALS = "/api/casework/referrals/"
J = "application/json"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def directory(db):
    return make_provider(
        "Family Support Center",
        service("Parenting education", evidence_based=True, model_name="Triple P",
                languages="English, Spanish", locations="Hartford"),
        service("Fatherhood group", languages="English", locations="Hartford", active=False),
    )  # fmt: skip


@pytest.fixture
def referral(personas):
    return approved(personas, plan_case(personas)).services.get()


@pytest.fixture
def draft(personas):
    return plan_services.plan_start(case=plan_case(personas), actor=personas.caseworker)


@pytest.mark.parametrize("who", [None, "outsider", "ombudsman"])
def test_the_directory_is_403_outside_casework(client, personas, directory, who):
    if who:
        client.force_login(getattr(personas, who))

    assert client.get(PROVIDERS).status_code == 403
    assert client.get(f"{PROVIDERS}{directory.pk}/").status_code == 403


def test_the_directory_lists_with_filters_and_nested_services(client, personas, directory):
    make_provider("Waterbury Mentoring", service("Mentoring", locations="Waterbury"))
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))

    everything = client.get(PROVIDERS).json()
    evidence = client.get(PROVIDERS, {"evidence_based": "true", "language": "spanish"}).json()
    inactive = client.get(PROVIDERS, {"active": "inactive"}).json()
    bad = client.get(PROVIDERS, {"active": "sometimes"})
    one = client.get(f"{PROVIDERS}{directory.pk}/").json()

    assert [p["name"] for p in everything["results"]] == [
        "Family Support Center",
        "Waterbury Mentoring",
    ]
    assert [s["service_type"] for s in everything["results"][0]["services"]] == [
        "Parenting education"
    ]
    assert [p["name"] for p in evidence["results"]] == ["Family Support Center"]
    assert evidence["results"][0]["services"][0]["model_name"] == "Triple P"
    assert [s["service_type"] for s in inactive["results"][0]["services"]] == ["Fatherhood group"]
    assert (bad.status_code, set(bad.json())) == (400, {"active"})
    assert [s["active"] for s in one["services"]] == [False, True]
    assert client.post(PROVIDERS, {"name": "x"}, content_type=J).status_code == 405


def test_a_referral_from_the_directory_and_its_steps(client, personas, directory, draft):
    client.force_login(personas.caseworker)
    listed = directory.services.get(active=True)

    created = client.post(
        REFERRALS,
        {"plan": draft.pk, "provider_service": listed.pk, "referred_on": "2026-11-20"},
        content_type=J,
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["provider"], body["service_type"], body["evidence_based"]) == (
        "Family Support Center",
        "Parenting education",
        True,
    )
    assert body["next_statuses"] == ["accepted", "declined"]
    pk = body["id"]
    token = body["edit_token"]
    accepted = client.post(
        f"{REFERRALS}{pk}/status/",
        {"status": "accepted", "on": "2026-11-21", "edit_token": token},
        content_type=J,
    )
    assert accepted.status_code == 200 and accepted.json()["accepted_on"] == "2026-11-21"
    stale = client.post(
        f"{REFERRALS}{pk}/status/",
        {"status": "started", "on": "2026-11-22", "edit_token": token},
        content_type=J,
    )
    assert (stale.status_code, set(stale.json())) == (400, {"edit_token"})
    early = client.post(
        f"{REFERRALS}{pk}/status/", {"status": "started", "on": "2026-11-20"}, content_type=J
    )
    assert (early.status_code, set(early.json())) == (400, {"on"})
    declined = client.post(
        f"{REFERRALS}{pk}/status/",
        {"status": "declined", "on": "2026-11-22", "decline_reason": "Family moved away."},
        content_type=J,
    )
    assert declined.json()["status"] == "declined" and declined.json()["next_statuses"] == []
    listed_rows = client.get(REFERRALS, {"plan": draft.pk}).json()["results"]
    assert [row["id"] for row in listed_rows] == [pk]


def test_an_inactive_directory_service_is_refused(client, personas, directory, draft):
    client.force_login(personas.caseworker)
    gone = directory.services.get(active=False)

    response = client.post(
        REFERRALS,
        {"plan": draft.pk, "provider_service": gone.pk, "referred_on": "2026-11-20"},
        content_type=J,
    )

    assert (response.status_code, set(response.json())) == (400, {"provider_service"})
    assert draft.services.count() == 0


def test_referrals_are_404_outside_the_case_and_403_to_readers(
    client, personas, directory, referral, draft
):
    body = {"status": "accepted", "on": "2026-11-21"}
    client.force_login(personas.other_caseworker)
    assert client.get(f"{REFERRALS}{referral.pk}/").status_code == 404
    assert client.post(f"{REFERRALS}{referral.pk}/status/", body, content_type=J).status_code == 404
    refer = {"plan": draft.pk, "provider_service": directory.services.first().pk,
             "referred_on": "2026-11-20"}  # fmt: skip
    assert client.post(REFERRALS, refer, content_type=J).status_code == 404
    assert client.get(REFERRALS).json()["count"] == 0

    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    assert client.get(f"{REFERRALS}{referral.pk}/").status_code == 200
    assert client.post(f"{REFERRALS}{referral.pk}/status/", body, content_type=J).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(REFERRALS).status_code == 403

    assert PlanService.objects.get(pk=referral.pk).status == "referred"
    assert draft.services.count() == 0
