"""The transfers API (/api/casework/transfers/...), through HTTP."""

import pytest

from casework.models import Case, CaseTransfer, RecordView
from tests.casework.factories import add_member, make_case
from tests.casework.test_transfers_services import NOW, SUMMARY, receiving_unit, request_transfer

API = "/api/casework/transfers/"
J = "application/json"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def ongoing(personas):
    return receiving_unit(personas)


@pytest.fixture
def case(personas):
    case = make_case(personas.unit, personas.caseworker, case_type=Case.Type.INVESTIGATION)
    add_member(case)
    return case


@pytest.fixture
def transfer(personas, case, ongoing):
    return request_transfer(personas, case, ongoing)


ACTIONS = ["accept", "decline", "withdraw"]


@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_role_get_403(client, personas, transfer, case, who):
    if who:
        client.force_login(getattr(personas, who))

    assert client.get(API).status_code == 403
    assert client.post(API, {"case": case.pk}, content_type=J).status_code == 403
    assert client.get(f"{API}{transfer.pk}/").status_code == 403
    for name in ACTIONS:
        assert client.post(f"{API}{transfer.pk}/{name}/", {}, content_type=J).status_code == 403


@pytest.mark.parametrize("name", ACTIONS)
def test_people_outside_both_units_get_404(client, personas, ongoing, transfer, name):
    client.force_login(personas.other_caseworker)

    response = client.post(
        f"{API}{transfer.pk}/{name}/",
        {"version": 1, "new_primary_worker": ongoing.caseworker.pk, "comment": "x"},
        content_type=J,
    )

    assert response.status_code == 404
    assert client.get(f"{API}{transfer.pk}/").status_code == 404
    assert client.get(API).json()["count"] == 0
    transfer.refresh_from_db()
    assert transfer.status == "requested"


def test_the_flow_through_the_api(client, personas, case, ongoing):
    client.force_login(personas.caseworker)
    body = {"case": case.pk, "to_unit": ongoing.unit.pk, "new_case_type": "in_home",
            "summary": SUMMARY}  # fmt: skip
    assert client.post(API, body, content_type=J).status_code == 403

    client.force_login(personas.supervisor)
    bad = client.post(API, body | {"summary": " ", "to_unit": personas.unit.pk}, content_type=J)
    assert bad.status_code == 400 and set(bad.json()) == {"summary", "to_unit"}
    created = client.post(API, body, content_type=J)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["case_summary"] is None  # the sender reads the case itself

    client.force_login(ongoing.supervisor)
    incoming = client.get(API, {"box": "incoming", "status": "requested"}).json()
    assert [row["id"] for row in incoming["results"]] == [pk]
    detail = client.get(f"{API}{pk}/").json()
    assert detail["case_summary"]["case_type"] == "investigation"
    assert len(detail["case_summary"]["members"]) == 1
    assert RecordView.objects.filter(user=ongoing.supervisor, case=case, channel="api").exists()
    stale = client.post(
        f"{API}{pk}/accept/",
        {"version": 3, "new_primary_worker": ongoing.caseworker.pk},
        content_type=J,
    )
    assert (stale.status_code, set(stale.json())) == (400, {"version"})
    wrong = client.post(
        f"{API}{pk}/accept/", {"version": 1, "new_primary_worker": personas.caseworker.pk},
        content_type=J,
    )  # fmt: skip
    assert (wrong.status_code, set(wrong.json())) == (400, {"new_primary_worker"})
    accepted = client.post(
        f"{API}{pk}/accept/", {"version": 1, "new_primary_worker": ongoing.caseworker.pk},
        content_type=J,
    )  # fmt: skip
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["version"]) == ("accepted", 2)

    case.refresh_from_db()
    assert (case.unit_id, case.case_type) == (ongoing.unit.pk, "in_home")
    client.force_login(personas.caseworker)
    assert client.get(f"/api/casework/cases/{case.pk}/").status_code == 404
    client.force_login(ongoing.caseworker)
    assert client.get(f"/api/casework/cases/{case.pk}/").status_code == 200


def test_decline_needs_a_comment_and_withdraw_is_the_senders(client, personas, ongoing, transfer):
    client.force_login(ongoing.supervisor)
    assert (
        client.post(f"{API}{transfer.pk}/withdraw/", {"version": 1}, content_type=J).status_code
        == 403
    )
    missing = client.post(f"{API}{transfer.pk}/decline/", {"version": 1}, content_type=J)
    assert (missing.status_code, set(missing.json())) == (400, {"comment"})
    declined = client.post(
        f"{API}{transfer.pk}/decline/", {"version": 1, "comment": "No capacity."}, content_type=J
    )
    assert declined.json()["status"] == "declined"

    client.force_login(personas.supervisor)
    late = client.post(f"{API}{transfer.pk}/withdraw/", {"version": 2}, content_type=J)

    assert (late.status_code, late.json()) == (
        400,
        {"non_field_errors": ["This transfer was already declined."]},
    )
    assert CaseTransfer.objects.get().status == "declined"
