"""The assessments API (/api/casework/assessments/...), through HTTP."""

import pytest

from agency.models import Notification
from agency.roles import Role
from casework.models import Assessment, RecordView
from tests.casework.test_assessment_services import (
    FCA_DONE,
    NOW,
    make_assessment_case,
    other_supervisor,
    start,
    submitted,
)
from tests.factories import make_user

API = "/api/casework/assessments/"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return make_assessment_case(personas)


@pytest.fixture
def draft(personas, case):
    return start(personas, case, "safety")


@pytest.fixture
def waiting(personas, case):
    return submitted(personas, case, "risk")


# (method, path template, the fixture naming its object or None)
ENDPOINTS = [
    ("get", API, None),
    ("post", API, None),
    ("get", API + "{}/", "draft"),
    ("patch", API + "{}/", "draft"),
    ("post", API + "{}/submit/", "draft"),
    ("post", API + "{}/decide/", "waiting"),
]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if e[2]]


def call(client, request, method, template, fixture, data=None):
    path = template.format(request.getfixturevalue(fixture).pk) if fixture else template
    return getattr(client, method)(path, data or {}, content_type="application/json")


# --- who may call what ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_role_get_403(
    client, personas, request, draft, waiting, method, template, fixture, who
):
    if who:
        client.force_login(getattr(personas, who))

    assert call(client, request, method, template, fixture).status_code == 403


@pytest.mark.parametrize(("method", "template", "fixture"), OBJECT_ENDPOINTS)
@pytest.mark.parametrize("who", ["other_caseworker", "ombudsman"])
def test_people_outside_the_case_get_404(
    client, personas, request, draft, waiting, method, template, fixture, who
):
    client.force_login(getattr(personas, who))

    response = call(client, request, method, template, fixture, {"approve": True, "threats": "x"})

    assert response.status_code == 404
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert (draft.threats, waiting.status) == ("", "submitted")


def test_starting_on_a_case_the_caller_cannot_see_is_404(client, personas, case):
    client.force_login(personas.other_caseworker)

    response = client.post(
        API, {"case": case.pk, "kind": "safety"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_lists_hold_only_visible_assessments(client, personas, draft):
    client.force_login(personas.other_caseworker)

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
    waiting.refresh_from_db()
    assert waiting.status == Assessment.Status.SUBMITTED


def test_a_reader_cannot_write(client, personas, draft):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))

    assert client.get(f"{API}{draft.pk}/").status_code == 200
    response = client.patch(f"{API}{draft.pk}/", {"threats": "x"}, content_type="application/json")
    assert response.status_code == 403


# --- the flow ------------------------------------------------------------------------------------


def test_start_fill_in_submit_and_approve(client, personas, case):
    client.force_login(personas.caseworker)

    created = client.post(
        API, {"case": case.pk, "kind": "family_centered"}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["kind"], data["status"], data["due_on"]) == (
        "family_centered",
        "draft",
        "2027-01-19",
    )
    assert data["case_number"] == case.number
    path = f"{API}{data['id']}/"

    patched = client.patch(path, FCA_DONE, content_type="application/json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["summary"] == FCA_DONE["summary"]

    sent = client.post(path + "submit/", content_type="application/json")
    assert sent.status_code == 200
    assert sent.json()["status"] == "submitted"

    client.force_login(personas.supervisor)
    decided = client.post(
        path + "decide/", {"approve": True, "comment": "Thorough."}, content_type="application/json"
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]) == (
        "approved",
        personas.supervisor.pk,
    )
    assert Notification.objects.filter(
        recipient=personas.caseworker, kind="assessment_decided"
    ).exists()


def test_an_incomplete_submit_answers_400_by_field(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(f"{API}{draft.pk}/submit/", content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {"safety_decision", "threats"}
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_another_kinds_fields_answer_400(client, personas, draft):
    client.force_login(personas.caseworker)

    wrong_kind = client.patch(
        f"{API}{draft.pk}/", {"risk_level": "high"}, content_type="application/json"
    )
    unknown = client.patch(
        f"{API}{draft.pk}/", {"status": "approved"}, content_type="application/json"
    )
    bad_choice = client.patch(
        f"{API}{draft.pk}/", {"safety_decision": "fine"}, content_type="application/json"
    )

    assert wrong_kind.status_code == unknown.status_code == bad_choice.status_code == 400
    assert wrong_kind.json() == {"risk_level": ["This is not part of a safety assessment."]}
    assert "status" in unknown.json() and "safety_decision" in bad_choice.json()
    draft.refresh_from_db()
    assert (draft.status, draft.risk_level) == ("draft", "")


def test_a_second_draft_of_a_kind_answers_400(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(
        API, {"case": draft.case_id, "kind": "safety"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "kind" in response.json()


def test_returning_needs_a_comment_and_the_author_cannot_decide(client, personas, case):
    own = submitted(personas, case, "safety", personas.supervisor)
    client.force_login(personas.supervisor)

    response = client.post(
        f"{API}{own.pk}/decide/", {"approve": False}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "comment" in response.json()
    assert "You wrote this assessment" in response.json()["non_field_errors"][0]


def test_a_submitted_assessment_cannot_be_patched(client, personas, waiting):
    client.force_login(personas.caseworker)

    response = client.patch(
        f"{API}{waiting.pk}/", {"risk_level": "low"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "only a draft or a returned" in response.json()["non_field_errors"][0]


def test_filters_and_retrieve_logs_the_view(client, personas, case, draft, waiting):
    elsewhere = make_assessment_case(personas)
    start(personas, elsewhere, "family_centered")
    client.force_login(personas.caseworker)

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(API + query).json()["results"]}

    assert ids(f"?case={case.pk}") == {draft.pk, waiting.pk}
    assert ids("?kind=risk") == {waiting.pk}
    assert ids("?status=draft&kind=safety") == {draft.pk}
    assert client.get(f"{API}{draft.pk}/").json()["author_name"]
    assert RecordView.objects.filter(case=case, channel="api").exists()


def test_the_list_runs_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries):
    client.force_login(personas.caseworker)
    for _ in range(2):
        start(personas, make_assessment_case(personas), "risk")
    client.get(API)  # warm the per-process caches

    with django_assert_max_num_queries(8) as few:
        client.get(API)
    for _ in range(10):
        start(personas, make_assessment_case(personas), "risk")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API).json()["count"] == 12
