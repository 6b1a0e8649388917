"""The case plans API (/api/casework/plans/...), through HTTP."""

import pytest

from casework.models import CasePlan
from tests.casework.test_assessment_services import other_supervisor
from tests.casework.test_plan_services import NOW, filled, plan_case, submitted

API = "/api/casework/plans/"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return plan_case(personas)


@pytest.fixture
def draft(personas, case):
    return filled(personas, case)


@pytest.fixture
def waiting(personas, now):
    return submitted(personas, plan_case(personas))


@pytest.fixture
def goal(draft):
    return draft.goals.get()


ENDPOINTS = [
    ("get", API, None),
    ("post", API, None),
    ("get", API + "{}/", "draft"),
    ("patch", API + "{}/", "draft"),
    ("post", API + "{}/goals/", "draft"),
    ("post", API + "{}/services/", "draft"),
    ("post", "/api/casework/plan-goals/{}/steps/", "goal"),
    ("post", API + "{}/submit/", "draft"),
    ("post", API + "{}/decide/", "waiting"),
]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if e[2]]


def call(client, request, method, template, fixture, data=None):
    path = template.format(request.getfixturevalue(fixture).pk) if fixture else template
    return getattr(client, method)(path, data or {}, content_type="application/json")


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_role_get_403(
    client, personas, request, draft, waiting, method, template, fixture, who
):
    if who:
        client.force_login(getattr(personas, who))

    assert call(client, request, method, template, fixture).status_code == 403


@pytest.mark.parametrize(("method", "template", "fixture"), OBJECT_ENDPOINTS)
def test_other_caseworkers_get_404(
    client, personas, request, draft, waiting, method, template, fixture
):
    client.force_login(personas.other_caseworker)

    response = call(
        client, request, method, template, fixture,
        {"approve": True, "family_participants": "Changed", "description": "x",
         "responsible": "y", "target_date": "2027-01-01"},
    )  # fmt: skip

    assert response.status_code == 404
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert draft.family_participants != "Changed" and waiting.status == "submitted"
    assert draft.goals.count() == 1


def test_starting_on_an_invisible_case_is_404_and_lists_are_filtered(client, personas, draft):
    client.force_login(personas.other_caseworker)

    assert (
        client.post(API, {"case": draft.case_id}, content_type="application/json").status_code
        == 404
    )
    assert client.get(API).json()["count"] == 0


def test_a_caseworker_cannot_decide_and_another_supervisor_gets_404(client, personas, waiting):
    client.force_login(personas.caseworker)
    by_worker = client.post(
        f"{API}{waiting.pk}/decide/", {"approve": True}, content_type="application/json"
    )
    client.force_login(other_supervisor(personas))
    by_stranger = client.post(
        f"{API}{waiting.pk}/decide/", {"approve": True}, content_type="application/json"
    )

    assert (by_worker.status_code, by_stranger.status_code) == (403, 404)


def test_the_flow_through_the_api(client, personas, case):
    client.force_login(personas.caseworker)
    j = "application/json"

    created = client.post(API, {"case": case.pk}, content_type=j)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["version"] == 1

    bad = client.post(f"{API}{pk}/submit/", content_type=j)
    assert bad.status_code == 400
    assert set(bad.json()) == {"goals", "family_participants"}

    assert (
        client.patch(
            f"{API}{pk}/", {"family_participants": "Mother", "family_led": True}, content_type=j
        ).status_code
        == 200
    )
    assert client.patch(f"{API}{pk}/", {"version": 4}, content_type=j).status_code == 400
    goals = client.post(
        f"{API}{pk}/goals/",
        {"description": "Safe", "responsible": "Mother", "target_date": "2027-03-01"},
        content_type=j,
    )
    assert goals.status_code == 201
    goal_id = goals.json()["goals"][0]["id"]
    steps = client.post(
        f"/api/casework/plan-goals/{goal_id}/steps/",
        {"description": "Classes", "responsible": "Mother", "target_date": "2027-01-01"},
        content_type=j,
    )
    assert steps.status_code == 201
    service = client.post(
        f"{API}{pk}/services/",
        {"provider": "FW", "service_type": "Parenting", "evidence_based": True,
         "referred_on": "2026-11-20", "goal": goal_id},
        content_type=j,
    )  # fmt: skip
    assert service.status_code == 201
    assert client.post(f"{API}{pk}/submit/", content_type=j).status_code == 200

    client.force_login(personas.supervisor)
    returned = client.post(f"{API}{pk}/decide/", {"approve": False}, content_type=j)
    assert returned.status_code == 400 and "comment" in returned.json()
    approved = client.post(f"{API}{pk}/decide/", {"approve": True}, content_type=j)
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["review_due_on"]) == ("approved", "2027-05-23")
    assert body["goals"][0]["steps"][0]["description"] == "Classes"
    assert body["services"][0]["evidence_based"] is True

    client.force_login(personas.caseworker)
    v2 = client.post(API, {"case": case.pk}, content_type=j).json()
    assert v2["version"] == 2 and len(v2["goals"]) == 1
    assert client.get(f"{API}?case={case.pk}&status=approved").json()["count"] == 1
    assert CasePlan.objects.filter(case=case).count() == 2


def test_the_author_cannot_approve_through_the_api(client, personas, now):
    plan = submitted(personas, plan_case(personas), actor=personas.supervisor)
    client.force_login(personas.supervisor)

    response = client.post(
        f"{API}{plan.pk}/decide/", {"approve": True}, content_type="application/json"
    )

    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_bad_choices_are_400_field_maps(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.patch(
        f"{API}{draft.pk}/", {"permanency_goal": "elsewhere"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"permanency_goal"}
    draft.refresh_from_db()
    assert draft.permanency_goal == ""
