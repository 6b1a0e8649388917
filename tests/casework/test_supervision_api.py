"""The supervision API (/api/casework/supervisory-reviews/, next-steps/, supervision-notes/)
through HTTP: who may call what, nested next steps all or nothing, 400 field maps,
acknowledging, completing, versions."""

from datetime import date

import pytest

from agency.roles import Role
from casework.models import NextStep, RecordView, SupervisionNote, SupervisoryReview
from casework.services import supervision as services
from tests.casework.test_assessment_services import other_supervisor
from tests.casework.test_supervision_services import (
    NOW,
    area_administrator,
    note_fields,
    record,
    review_case,
    step,
)

REVIEWS = "/api/casework/supervisory-reviews/"
STEPS = "/api/casework/next-steps/"
NOTES = "/api/casework/supervision-notes/"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return review_case(personas)


@pytest.fixture
def review(personas, case):
    return record(personas, case, steps=[step(personas.caseworker)])


@pytest.fixture
def next_step(review):
    return review.next_steps.get()


@pytest.fixture
def note(personas, now):
    return services.note_record(
        unit=personas.unit, actor=personas.supervisor, **note_fields(personas)
    )


ENDPOINTS = [
    ("get", REVIEWS, None),
    ("post", REVIEWS, None),
    ("get", REVIEWS + "{}/", "review"),
    ("patch", REVIEWS + "{}/", "review"),
    ("post", REVIEWS + "{}/acknowledge/", "review"),
    ("get", STEPS, None),
    ("get", STEPS + "{}/", "next_step"),
    ("post", STEPS + "{}/complete/", "next_step"),
    ("get", NOTES, None),
    ("post", NOTES, None),
    ("get", NOTES + "{}/", "note"),
    ("patch", NOTES + "{}/", "note"),
]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if e[2]]


def call(client, request, method, template, fixture, data=None):
    path = template.format(request.getfixturevalue(fixture).pk) if fixture else template
    return getattr(client, method)(path, data or {}, content_type="application/json")


def review_body(personas, case, **fields) -> dict:
    return {
        "case": case.pk,
        "held_on": "2026-11-20",
        "focus_areas": ["safety", "well_being"],
        "discussion": "Talked through the safety plan.",
        "clinical_guidance": "See each child on their own.",
        "next_steps": [
            {
                "description": "Call the school",
                "owner": personas.caseworker.pk,
                "due_on": "2026-12-02",
            },
            {"description": "Consult", "owner": personas.supervisor.pk, "due_on": "2026-12-10"},
        ],
    } | fields


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
@pytest.mark.parametrize("who", [None, "outsider", "ombudsman", "opm"])
def test_anonymous_and_roles_outside_casework_get_403(
    client, personas, request, user_with_role, review, note, method, template, fixture, who
):
    if who == "opm":
        client.force_login(user_with_role(Role.PERFORMANCE_MANAGEMENT, location=personas.central))
    elif who:
        client.force_login(getattr(personas, who))

    response = call(client, request, method, template, fixture, {"comment": "x"})

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.acknowledged_at is None


@pytest.mark.parametrize(("method", "template", "fixture"), OBJECT_ENDPOINTS)
def test_a_caseworker_of_another_unit_gets_404(
    client, personas, request, review, note, method, template, fixture
):
    client.force_login(personas.other_caseworker)

    response = call(
        client, request, method, template, fixture,
        {"version": 1, "discussion": "Mine", "topics": "Mine", "done_on": "2026-11-23"},
    )  # fmt: skip

    assert response.status_code == 404
    review.refresh_from_db()
    note.refresh_from_db()
    assert (review.version, note.version) == (1, 1)


def test_lists_hold_only_what_the_caller_may_see(client, personas, review, note):
    elsewhere = record(personas, review_case(personas))
    client.force_login(personas.other_caseworker)

    assert client.get(REVIEWS).json()["count"] == 0
    assert client.get(NOTES).json()["count"] == 0
    assert client.get(STEPS + f"?case={review.case_id}").json()["count"] == 0
    client.force_login(personas.caseworker)
    listed = client.get(REVIEWS + f"?case={review.case_id}").json()
    assert [r["id"] for r in listed["results"]] == [review.pk]
    everything = client.get(REVIEWS).json()["results"]
    assert {r["id"] for r in everything} == {review.pk, elsewhere.pk}
    assert client.get(REVIEWS + "?month=2026-10").json()["count"] == 0
    assert client.get(REVIEWS + "?month=soon").status_code == 400
    assert client.get(NOTES).json()["results"][0]["topics"] == "Engaging fathers"


def test_the_supervisor_creates_a_review_with_nested_next_steps(client, personas, case):
    client.force_login(personas.supervisor)

    response = client.post(REVIEWS, review_body(personas, case), content_type="application/json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["worker"] == personas.caseworker.pk and body["version"] == 1
    assert [(s["description"], s["state"]) for s in body["next_steps"]] == [
        ("Call the school", "open"),
        ("Consult", "open"),
    ]
    assert SupervisoryReview.objects.count() == 1 and NextStep.objects.count() == 2


def test_a_bad_next_step_answers_a_nested_field_map_and_saves_nothing(client, personas, case):
    client.force_login(personas.supervisor)
    body = review_body(personas, case)
    body["next_steps"][1]["owner"] = personas.other_caseworker.pk
    body["next_steps"].append(
        {"description": "Early", "owner": personas.caseworker.pk, "due_on": "2026-11-01"}
    )

    response = client.post(REVIEWS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "next_steps": [
            {},
            {"owner": ["Choose the owner among the case's workers and the supervisor."]},
            {"due_on": ["A next step is due on or after the review."]},
        ]
    }
    assert SupervisoryReview.objects.count() == NextStep.objects.count() == 0


def test_bad_review_fields_answer_a_field_map(client, personas, case):
    client.force_login(personas.supervisor)

    shape = client.post(
        REVIEWS, review_body(personas, case, focus_areas=["gossip"], held_on="soon"),
        content_type="application/json",
    )  # fmt: skip
    rules = client.post(
        REVIEWS, review_body(personas, case, held_on="2026-11-24", worker=personas.supervisor.pk),
        content_type="application/json",
    )  # fmt: skip

    assert shape.status_code == rules.status_code == 400
    assert set(shape.json()) == {"focus_areas", "held_on"}
    assert rules.json() == {
        "held_on": ["The date of the review cannot be in the future."],
        "worker": ["Choose one of the case's workers."],
    }
    assert SupervisoryReview.objects.count() == 0


def test_the_caseworker_cannot_create_and_another_supervisor_gets_404(client, personas, case):
    client.force_login(personas.caseworker)
    body = review_body(personas, case)
    assert client.post(REVIEWS, body, content_type="application/json").status_code == 403
    client.force_login(other_supervisor(personas))
    assert client.post(REVIEWS, body, content_type="application/json").status_code == 404
    assert SupervisoryReview.objects.count() == 0


def test_the_area_administrator_records_a_review(client, personas, case):
    admin = area_administrator(personas)
    client.force_login(admin)
    body = review_body(personas, case, next_steps=[])

    response = client.post(REVIEWS, body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["supervisor"] == admin.pk


def test_retrieving_a_review_is_logged_as_a_case_view(client, personas, review):
    client.force_login(personas.caseworker)

    response = client.get(REVIEWS + f"{review.pk}/")

    assert response.json()["next_steps"][0]["owner_name"] == personas.caseworker.get_full_name()
    assert RecordView.objects.filter(
        user=personas.caseworker, case=review.case, channel="api"
    ).exists()


def test_a_patch_needs_the_current_version(client, personas, review, next_step):
    client.force_login(personas.supervisor)
    path = REVIEWS + f"{review.pk}/"
    change = {
        "version": 1,
        "discussion": "Edited",
        "next_steps": [
            {"id": next_step.pk, "due_on": "2026-12-04"},
            {"description": "New", "owner": personas.caseworker.pk, "due_on": "2026-12-05"},
        ],
    }

    saved = client.patch(path, change, content_type="application/json")
    stale = client.patch(path, change | {"discussion": "Lost"}, content_type="application/json")
    missing = client.patch(path, {"discussion": "Lost"}, content_type="application/json")
    unknown = client.patch(path, {"version": 2, "supervisor": 1}, content_type="application/json")

    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert len(saved.json()["next_steps"]) == 2
    assert stale.status_code == 400 and list(stale.json()) == ["version"]
    assert missing.status_code == 400 and list(missing.json()) == ["version"]
    assert unknown.status_code == 400 and list(unknown.json()) == ["supervisor"]
    review.refresh_from_db()
    next_step.refresh_from_db()
    assert (review.discussion, next_step.due_on) == ("Edited", date(2026, 12, 4))
    client.force_login(personas.caseworker)
    assert client.patch(path, {"version": 2}, content_type="application/json").status_code == 403


def test_only_the_worker_acknowledges(client, personas, review):
    path = REVIEWS + f"{review.pk}/acknowledge/"
    client.force_login(personas.supervisor)
    assert client.post(path, {}, content_type="application/json").status_code == 403

    client.force_login(personas.caseworker)
    done = client.post(path, {"comment": "Agreed", "version": 1}, content_type="application/json")
    again = client.post(path, {}, content_type="application/json")

    assert done.status_code == 200
    assert done.json()["worker_comment"] == "Agreed" and done.json()["acknowledged_at"]
    assert again.status_code == 400 and "non_field_errors" in again.json()


def test_my_next_steps_and_completing_one(client, personas, review, next_step):
    record(personas, review_case(personas), steps=[step(personas.supervisor)])
    client.force_login(personas.caseworker)

    mine = client.get(STEPS).json()
    case_steps = client.get(STEPS + f"?case={review.case_id}&open=true").json()
    bad = client.post(
        STEPS + f"{next_step.pk}/complete/", {"done_on": "2026-11-30"},
        content_type="application/json",
    )  # fmt: skip
    done = client.post(
        STEPS + f"{next_step.pk}/complete/", {"done_on": "2026-11-23", "note": "Called"},
        content_type="application/json",
    )  # fmt: skip

    assert [s["id"] for s in mine["results"]] == [next_step.pk]
    assert [s["id"] for s in case_steps["results"]] == [next_step.pk]
    assert bad.status_code == 400 and list(bad.json()) == ["done_on"]
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert client.get(STEPS + "?open=true").json()["count"] == 0
    client.force_login(personas.supervisor)
    other = client.post(
        STEPS + f"{next_step.pk}/complete/", {"done_on": "2026-11-23"},
        content_type="application/json",
    )  # fmt: skip
    assert other.status_code == 403


def test_supervision_notes_through_the_api(client, personas, note, user_with_role):
    body = {
        "unit": personas.unit.pk,
        "kind": "reflective",
        "held_on": "2026-11-20",
        "attendees": [personas.caseworker.pk],
        "topics": "Secondary trauma",
        "notes": "Time to talk.",
    }
    client.force_login(personas.caseworker)
    assert client.post(NOTES, body, content_type="application/json").status_code == 403
    client.force_login(other_supervisor(personas))
    assert client.post(NOTES, body, content_type="application/json").status_code == 404
    assert client.get(NOTES + f"{note.pk}/").status_code == 404

    client.force_login(personas.supervisor)
    created = client.post(NOTES, body, content_type="application/json")
    bad = client.post(
        NOTES, body | {"attendees": [personas.other_caseworker.pk]}, content_type="application/json"
    )
    changed = client.patch(
        NOTES + f"{note.pk}/", {"version": 1, "topics": "Fathers"}, content_type="application/json"
    )
    stale = client.patch(
        NOTES + f"{note.pk}/", {"version": 1, "topics": "Lost"}, content_type="application/json"
    )

    assert created.status_code == 201 and created.json()["attendees"] == [personas.caseworker.pk]
    assert bad.status_code == 400 and list(bad.json()) == ["attendees"]
    assert changed.json()["topics"] == "Fathers" and stale.status_code == 400
    assert SupervisionNote.objects.count() == 2
    client.force_login(area_administrator(personas))
    assert client.get(NOTES + f"?unit={personas.unit.pk}").json()["count"] == 2
