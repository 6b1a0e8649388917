"""The intake and IFF API (/api/casework/...), through HTTP."""

from datetime import timedelta

import pytest

from agency.roles import Role
from casework.models import (
    Case,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    Person,
    RecordView,
)
from tests.casework.test_intake_services import (
    NOW,
    accept_intake,
    make_iffs,
    other_supervisor,
    request_extension,
)
from tests.factories import make_user


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def intake(personas, now):
    return accept_intake(personas, accepted_at=NOW - timedelta(hours=80))


@pytest.fixture
def iff(intake):
    return intake.iff_contacts.get()


@pytest.fixture
def extension(personas, iff):
    return request_extension(personas, iff)


def body(personas, **overrides) -> dict:
    data = {
        "accepted_at": "2026-11-23T09:30:00-05:00",
        "reporter_type": "law_enforcement",
        "reporter_name": "Officer Diaz",
        "narrative": "Domestic call; two children in the home.",
        "response_time": "24h",
        "risk_level": "high",
        "exceptional_circumstances": [],
        "unit": personas.unit.pk,
        "worker": personas.caseworker.pk,
        "case_name": "Diaz family",
        "candidacy": "accepted_careline",
        "children": [
            {
                "first_name": "Sam",
                "last_name": "Diaz",
                "date_of_birth": "2017-01-09",
                "sex": "male",
                "allegations": ["physical_abuse"],
            },
            {
                "first_name": "Ana",
                "last_name": "Diaz",
                "allegations": ["emotional_abuse", "physical_neglect"],
            },
        ],
    }
    return data | overrides


# (method, path template, the fixture naming its object or None, JSON body)
ENDPOINTS = [
    ("get", "/api/casework/intakes/", None),
    ("post", "/api/casework/intakes/", None),
    ("get", "/api/casework/intakes/{}/", "intake"),
    ("post", "/api/casework/intakes/{}/override-track/", "intake"),
    ("get", "/api/casework/iff/{}/", "iff"),
    ("post", "/api/casework/iff/{}/contact/", "iff"),
    ("post", "/api/casework/iff/{}/extension/", "iff"),
    ("post", "/api/casework/iff/{}/attempts/", "iff"),
    ("get", "/api/casework/iff-extensions/", None),
    ("get", "/api/casework/iff-extensions/{}/", "extension"),
    ("post", "/api/casework/iff-extensions/{}/decide/", "extension"),
]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if e[2]]


def call(client, request, method, template, fixture, data=None):
    path = template.format(request.getfixturevalue(fixture).pk) if fixture else template
    return getattr(client, method)(path, data or {}, content_type="application/json")


# --- who may call what -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
def test_anonymous_gets_403(client, request, extension, method, template, fixture):
    assert call(client, request, method, template, fixture).status_code == 403


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
def test_a_user_without_role_gets_403(client, personas, request, extension, method, template, fixture):  # fmt: skip  # noqa: E501
    client.force_login(personas.outsider)

    assert call(client, request, method, template, fixture).status_code == 403


@pytest.mark.parametrize(("method", "template", "fixture"), OBJECT_ENDPOINTS)
def test_another_offices_caseworker_gets_404(
    client, personas, request, extension, method, template, fixture
):
    client.force_login(personas.other_caseworker)

    response = call(
        client,
        request,
        method,
        template,
        fixture,
        {"track": "investigation", "reason": "x", "seen_at": "2026-11-23T10:00:00-05:00"},
    )

    assert response.status_code == 404


def test_lists_hold_only_visible_records(client, personas, extension):
    client.force_login(personas.other_caseworker)

    assert client.get("/api/casework/intakes/").json()["count"] == 0
    assert client.get("/api/casework/iff-extensions/").json()["count"] == 0


# --- intakes ---------------------------------------------------------------------------------


def test_creating_an_intake_returns_the_recommended_track_and_iff(client, personas, now):
    client.force_login(personas.caseworker)

    response = client.post(
        "/api/casework/intakes/", body(personas), content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    intake = Intake.objects.get()
    assert data["id"] == intake.pk
    assert data["reference"] == intake.reference
    assert data["case"] == intake.case_id
    assert data["case_number"] == intake.case.number
    assert (data["recommended_track"], data["track"]) == ("investigation", "investigation")
    assert intake.case.case_type == Case.Type.INVESTIGATION
    assert len(data["iff"]) == 2
    assert {row["child_name"] for row in data["iff"]} == {"Sam Diaz", "Ana Diaz"}
    # Accepted 09:30 EST with a 24-hour response: due 09:30 EST the next day.
    assert {row["due_at"] for row in data["iff"]} == {"2026-11-24T09:30:00-05:00"}
    assert {row["state"] for row in data["iff"]} == {"due"}
    assert sorted(data["allegations"], key=lambda a: a["kind"])[0]["kind"] == "emotional_abuse"


def test_a_family_assessment_report_goes_to_far(client, personas, now):
    client.force_login(personas.caseworker)

    response = client.post(
        "/api/casework/intakes/",
        body(personas, response_time="72h", risk_level="moderate"),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert (response.json()["recommended_track"], response.json()["track"]) == (
        "family_assessment",
        "family_assessment",
    )


def test_an_existing_visible_person_can_be_the_child(client, personas, intake):
    leo = Person.objects.get(first_name="Leo")
    client.force_login(personas.caseworker)

    response = client.post(
        "/api/casework/intakes/",
        body(personas, children=[{"person": leo.pk, "allegations": ["educational_neglect"]}]),
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["iff"][0]["child"] == leo.pk
    assert Person.objects.filter(first_name="Leo").count() == 1


def test_a_person_the_caller_cannot_see_cannot_be_the_child(client, personas, intake):
    leo = Person.objects.get(first_name="Leo")
    client.force_login(personas.other_caseworker)

    response = client.post(
        "/api/casework/intakes/",
        body(
            personas,
            unit=personas.other_unit.pk,
            worker=personas.other_caseworker.pk,
            children=[{"person": leo.pk, "allegations": ["educational_neglect"]}],
        ),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "person" in response.json()["children"]["0"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"accepted_at": "2026-11-23T18:00:00-05:00"}, "accepted_at"),
        ({"children": []}, "children"),
        ({"narrative": ""}, "narrative"),
        ({"response_time": "48h"}, "response_time"),
        ({"worker": None}, "worker"),
        ({"track": "family_assessment", "override_reason": "I think so"}, "track"),
    ],
    ids=["future", "no-children", "no-narrative", "bad-response-time", "no-worker", "override"],
)
def test_bad_input_answers_400_with_a_field_map(client, personas, now, overrides, field):
    client.force_login(personas.caseworker)

    response = client.post(
        "/api/casework/intakes/", body(personas, **overrides), content_type="application/json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Intake.objects.exists() and not Case.objects.exists()


def test_a_child_without_allegations_answers_400(client, personas, now):
    client.force_login(personas.caseworker)
    children = [{"first_name": "Sam", "last_name": "Diaz", "allegations": []}]

    response = client.post(
        "/api/casework/intakes/", body(personas, children=children), content_type="application/json"
    )

    assert response.status_code == 400
    assert "allegations" in response.json()["children"]["0"]


def test_a_unit_the_caller_cannot_see_answers_400(client, personas, now):
    client.force_login(personas.other_caseworker)

    response = client.post(
        "/api/casework/intakes/",
        body(personas, worker=personas.other_caseworker.pk),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "unit" in response.json()


def test_a_worker_of_another_unit_answers_400_from_the_service(client, personas, now):
    client.force_login(personas.caseworker)

    response = client.post(
        "/api/casework/intakes/",
        body(personas, worker=personas.other_caseworker.pk),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"worker": ["Choose a caseworker or supervisor of the chosen unit."]}


def test_a_supervisor_creates_on_another_track_with_a_reason(client, personas, now):
    client.force_login(personas.supervisor)
    circumstance = ExceptionalCircumstance.objects.first()
    data = body(
        personas,
        exceptional_circumstances=[circumstance.pk],
        response_time="72h",
        risk_level="low",
        track="family_assessment",
    )

    refused = client.post("/api/casework/intakes/", data, content_type="application/json")
    accepted = client.post(
        "/api/casework/intakes/",
        data | {"override_reason": "Circumstance entered by mistake."},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert "override_reason" in refused.json()
    assert accepted.status_code == 201
    assert (accepted.json()["recommended_track"], accepted.json()["track"]) == (
        "investigation",
        "family_assessment",
    )


def test_an_area_administrator_cannot_create_intakes(client, personas, now):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))

    response = client.post(
        "/api/casework/intakes/", body(personas), content_type="application/json"
    )

    assert response.status_code == 403


def test_list_and_retrieve(client, personas, intake):
    client.force_login(personas.caseworker)

    listed = client.get("/api/casework/intakes/").json()
    one = client.get(f"/api/casework/intakes/{intake.pk}/")

    assert [row["id"] for row in listed["results"]] == [intake.pk]
    assert one.status_code == 200
    assert one.json()["iff"][0]["state"] == "overdue"
    assert RecordView.objects.filter(case=intake.case, channel="api").exists()


def test_the_intake_list_runs_a_fixed_number_of_queries(
    client, personas, now, django_assert_max_num_queries
):
    make_iffs(personas, 3)
    client.force_login(personas.caseworker)
    client.get("/api/casework/intakes/")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/casework/intakes/")
    make_iffs(personas, 20)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/casework/intakes/")

    assert response.json()["count"] == 23


# --- overriding the track --------------------------------------------------------------------


def test_the_supervisor_overrides_the_track(client, personas, intake):
    client.force_login(personas.supervisor)

    response = client.post(
        f"/api/casework/intakes/{intake.pk}/override-track/",
        {"track": "investigation", "reason": "Police report attached."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["recommended_track"], response.json()["track"]) == (
        "family_assessment",
        "investigation",
    )
    assert response.json()["track_override_reason"] == "Police report attached."


def test_a_caseworker_overriding_gets_403(client, personas, intake):
    client.force_login(personas.caseworker)

    response = client.post(
        f"/api/casework/intakes/{intake.pk}/override-track/",
        {"track": "investigation", "reason": "I think so."},
        content_type="application/json",
    )

    assert response.status_code == 403
    intake.refresh_from_db()
    assert intake.track == Intake.Track.FAMILY_ASSESSMENT


def test_an_override_without_a_reason_answers_400(client, personas, intake):
    client.force_login(personas.supervisor)

    response = client.post(
        f"/api/casework/intakes/{intake.pk}/override-track/",
        {"track": "investigation", "reason": ""},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why the track changes."]}


def test_another_units_supervisor_overriding_gets_404(client, personas, intake):
    client.force_login(other_supervisor(personas))

    response = client.post(
        f"/api/casework/intakes/{intake.pk}/override-track/",
        {"track": "investigation", "reason": "x"},
        content_type="application/json",
    )

    assert response.status_code == 404


# --- IFF -------------------------------------------------------------------------------------


def test_retrieving_an_iff_shows_its_state_and_time(client, personas, extension):
    client.force_login(personas.caseworker)

    data = client.get(f"/api/casework/iff/{extension.iff_id}/").json()

    assert data["state"] == "extension_pending"
    assert data["time_left_seconds"] == -8 * 3600
    assert [e["id"] for e in data["extensions"]] == [extension.pk]
    assert data["attempts"] == []


def test_recording_the_contact(client, personas, iff):
    client.force_login(personas.caseworker)

    response = client.post(
        f"/api/casework/iff/{iff.pk}/contact/",
        {"seen_at": "2026-11-23T13:00:00-05:00", "note": "At grandmother's."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "seen_late"
    assert response.json()["seen_by"] == personas.caseworker.pk


def test_a_contact_in_the_future_answers_400(client, personas, iff):
    client.force_login(personas.caseworker)

    response = client.post(
        f"/api/casework/iff/{iff.pk}/contact/",
        {"seen_at": "2026-11-23T15:00:00-05:00"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"seen_at": ["The time the child was seen cannot be in the future."]}
    assert IffContact.objects.get().seen_at is None


def test_an_area_administrator_cannot_record_a_contact(client, personas, iff):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))

    assert client.get(f"/api/casework/iff/{iff.pk}/").status_code == 200
    response = client.post(
        f"/api/casework/iff/{iff.pk}/contact/",
        {"seen_at": "2026-11-23T13:00:00-05:00"},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_requesting_an_extension_and_a_second_one(client, personas, iff):
    client.force_login(personas.caseworker)
    data = {"reason": "child_not_available", "explanation": "In hospital until Friday."}

    first = client.post(
        f"/api/casework/iff/{iff.pk}/extension/", data, content_type="application/json"
    )
    second = client.post(
        f"/api/casework/iff/{iff.pk}/extension/", data, content_type="application/json"
    )

    assert first.status_code == 201
    assert first.json()["status"] == "pending"
    assert second.status_code == 400
    assert "non_field_errors" in second.json()
    assert IffExtension.objects.count() == 1


def test_attempts_need_an_extension(client, personas, iff):
    client.force_login(personas.caseworker)
    data = {"attempted_at": "2026-11-23T12:00:00-05:00", "outcome": "No answer at the door."}

    refused = client.post(
        f"/api/casework/iff/{iff.pk}/attempts/", data, content_type="application/json"
    )
    request_extension(personas, iff)
    accepted = client.post(
        f"/api/casework/iff/{iff.pk}/attempts/", data, content_type="application/json"
    )

    assert refused.status_code == 400
    assert "non_field_errors" in refused.json()
    assert accepted.status_code == 201
    assert IffAttempt.objects.get().outcome == "No answer at the door."


# --- deciding extensions ---------------------------------------------------------------------


def test_the_supervisor_decides(client, personas, extension):
    client.force_login(personas.supervisor)

    response = client.post(
        f"/api/casework/iff-extensions/{extension.pk}/decide/",
        {"approve": True, "comment": "Approved; try daily."},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["decided_by"] == personas.supervisor.pk


def test_a_caseworker_deciding_gets_403(client, personas, extension):
    client.force_login(personas.caseworker)

    response = client.post(
        f"/api/casework/iff-extensions/{extension.pk}/decide/",
        {"approve": True, "comment": "Fine."},
        content_type="application/json",
    )

    assert response.status_code == 403
    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.PENDING


def test_another_units_supervisor_deciding_gets_404(client, personas, extension):
    client.force_login(other_supervisor(personas))

    response = client.post(
        f"/api/casework/iff-extensions/{extension.pk}/decide/",
        {"approve": True, "comment": "Fine."},
        content_type="application/json",
    )

    assert response.status_code == 404


def test_a_decision_needs_a_comment_and_a_yes_or_no(client, personas, extension):
    client.force_login(personas.supervisor)

    no_comment = client.post(
        f"/api/casework/iff-extensions/{extension.pk}/decide/",
        {"approve": False, "comment": ""},
        content_type="application/json",
    )
    no_answer = client.post(
        f"/api/casework/iff-extensions/{extension.pk}/decide/",
        {"comment": "Hmm."},
        content_type="application/json",
    )

    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()
    assert no_answer.status_code == 400
    assert "approve" in no_answer.json()


def test_the_requester_cannot_decide_their_own_extension(client, personas, iff):
    own = request_extension(personas, iff, actor=personas.supervisor)
    client.force_login(personas.supervisor)

    response = client.post(
        f"/api/casework/iff-extensions/{own.pk}/decide/",
        {"approve": True, "comment": "Mine."},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["You asked for this extension; another supervisor must decide it."]
    }


def test_the_extension_list_filters_by_status(client, personas, extension):
    client.force_login(personas.supervisor)

    pending = client.get("/api/casework/iff-extensions/", {"status": "pending"}).json()
    denied = client.get("/api/casework/iff-extensions/", {"status": "denied"}).json()

    assert [row["id"] for row in pending["results"]] == [extension.pk]
    assert denied["count"] == 0


def test_the_schema_documents_the_endpoints(client, personas):
    client.force_login(personas.caseworker)

    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = (
        response.json()["paths"]
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )
    for path in (
        "/api/casework/intakes/",
        "/api/casework/intakes/{id}/override-track/",
        "/api/casework/iff/{id}/contact/",
        "/api/casework/iff-extensions/{id}/decide/",
    ):
        assert path in paths
