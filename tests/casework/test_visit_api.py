"""The visits API (/api/casework/visits/), through HTTP."""

from datetime import date

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import RecordView, Visit
from tests.casework.test_visit_selectors import held
from tests.casework.test_visit_services import local, make_family, plan, record
from tests.factories import make_user

NOW = "2026-11-23 10:00:00-05:00"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker, opened_on=date(2025, 1, 6))


@pytest.fixture
def visit(personas, family, now):
    return plan(family, personas.caseworker)


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def plan_body(family, **fields):
    return {
        "case": family.case.pk,
        "planned_for": "2026-11-30T15:00:00-05:00",
        "location": "child_residence",
        "discussion_points": "School attendance goal.",
        "participants": [family.child.pk, family.mother.pk],
    } | fields


def record_body(family, **fields):
    return {
        "status": "completed",
        "occurred_at": "2026-11-20T10:30:00-05:00",
        "topics": ["safety_risk"],
        "narrative": "Home visit.",
        "participants": [
            {"person": family.child.pk, "seen": True, "seen_privately": True},
            {"person": family.mother.pk, "seen": True},
        ],
    } | fields


def endpoints(family, visit):
    """(method, URL, body) of every visit endpoint."""
    detail = reverse("casework-visit-detail", args=[visit.pk])
    return [
        ("get", reverse("casework-visit-list"), None),
        ("post", reverse("casework-visit-list"), plan_body(family)),
        ("get", detail, None),
        ("post", reverse("casework-visit-record", args=[visit.pk]), record_body(family)),
        ("post", reverse("casework-visit-entered-in-error", args=[visit.pk]), {"reason": "x"}),
        ("get", reverse("casework-visit-grid") + f"?case={family.case.pk}", None),
    ]


def call(client, method, url, body=None):
    if method == "get":
        return client.get(url)
    return client.post(url, body, content_type="application/json")


# --- who may call them ------------------------------------------------------------------------


def test_urls_are_under_api_casework(family, visit):
    assert reverse("casework-visit-list") == "/api/casework/visits/"
    assert reverse("casework-visit-grid") == "/api/casework/visits/grid/"
    assert reverse("casework-visit-record", args=[visit.pk]) == (
        f"/api/casework/visits/{visit.pk}/record/"
    )
    assert reverse("casework-visit-entered-in-error", args=[visit.pk]) == (
        f"/api/casework/visits/{visit.pk}/entered-in-error/"
    )


def test_anonymous_and_role_less_callers_get_403_everywhere(client, personas, family, visit):
    for user in (None, personas.outsider):
        if user:
            client.force_login(user)
        for method, url, body in endpoints(family, visit):
            assert call(client, method, url, body).status_code == 403, (user, method, url)
    assert Visit.objects.count() == 1
    visit.refresh_from_db()
    assert (visit.status, visit.entered_in_error) == ("planned", False)


@pytest.mark.parametrize("persona", ["other_caseworker", "ombudsman"])
def test_callers_outside_the_case_get_404_or_an_empty_list(
    client, personas, family, visit, persona
):
    client.force_login(getattr(personas, persona))

    for method, url, body in endpoints(family, visit):
        response = call(client, method, url, body)
        if method == "get" and url == reverse("casework-visit-list"):
            assert response.status_code == 200
            assert response.json()["count"] == 0
        else:
            assert response.status_code == 404, (method, url)
    assert Visit.objects.count() == 1
    visit.refresh_from_db()
    assert (visit.status, visit.entered_in_error) == ("planned", False)


def test_a_reader_may_read_but_not_write(client, personas, family, visit):
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))

    for method, url, body in endpoints(family, visit):
        expected = 200 if method == "get" else 403
        assert call(client, method, url, body).status_code == expected, (method, url)


# --- reading ----------------------------------------------------------------------------------


def test_list_filters_by_case_and_status(as_caseworker, personas, family, visit):
    other = make_family(personas.unit, personas.caseworker)
    plan(other, personas.caseworker)
    done = plan(family, personas.caseworker)
    record(done, personas.caseworker, seen={family.child.pk: (True, True)})

    everything = as_caseworker.get("/api/casework/visits/").json()
    on_case = as_caseworker.get(f"/api/casework/visits/?case={family.case.pk}").json()
    completed = as_caseworker.get(
        f"/api/casework/visits/?case={family.case.pk}&status=completed"
    ).json()

    assert everything["count"] == 3
    assert {v["id"] for v in on_case["results"]} == {visit.pk, done.pk}
    assert [v["id"] for v in completed["results"]] == [done.pk]
    assert as_caseworker.get("/api/casework/visits/?case=abc").status_code == 400


def test_retrieve_returns_the_visit_and_logs_the_opening(as_caseworker, personas, family, visit):
    response = as_caseworker.get(f"/api/casework/visits/{visit.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["case"] == family.case.pk
    assert data["case_number"] == family.case.number
    assert data["status"] == "planned"
    assert data["in_residence"] is True
    assert data["topics"] == []
    assert data["planned_by"] == personas.caseworker.get_full_name()
    assert {p["person"] for p in data["participants"]} == {
        family.child.pk,
        family.sibling.pk,
        family.mother.pk,
        family.father.pk,
    }
    assert RecordView.objects.filter(case=family.case, channel="api").count() == 1


def test_list_takes_a_fixed_number_of_queries(
    as_caseworker, personas, django_assert_max_num_queries
):
    as_caseworker.get("/api/casework/visits/")  # warm the per-process caches
    for size in (1, 10):
        family = make_family(personas.unit, personas.caseworker)
        for _ in range(size):
            plan(family, personas.caseworker)
        with django_assert_max_num_queries(7):
            response = as_caseworker.get(f"/api/casework/visits/?case={family.case.pk}")
        assert response.json()["count"] == size


# --- planning ---------------------------------------------------------------------------------


def test_planning_through_the_api(as_caseworker, personas, family, now):
    response = as_caseworker.post(
        "/api/casework/visits/", plan_body(family, announced=False), content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.planned_for == local(2026, 11, 30, 15, 0)
    assert visit.announced is False
    assert visit.planned_by == personas.caseworker
    assert sorted(p["person"] for p in response.json()["participants"]) == sorted(
        [family.child.pk, family.mother.pk]
    )


def test_planning_without_discussion_points_answers_400_by_field(as_caseworker, family):
    response = as_caseworker.post(
        "/api/casework/visits/",
        plan_body(family, discussion_points=""),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "discussion_points" in response.json()
    assert not Visit.objects.exists()


def test_planning_with_someone_from_another_case_does_not_name_them(
    as_caseworker, personas, family
):
    elsewhere = make_family(personas.other_unit, personas.other_caseworker)

    response = as_caseworker.post(
        "/api/casework/visits/",
        plan_body(family, participants=[family.child.pk, elsewhere.child.pk]),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"participants": [f"Not on this case: person {elsewhere.child.pk}."]}
    assert not Visit.objects.exists()


def test_planning_on_an_invisible_case_is_404(as_caseworker, personas):
    elsewhere = make_family(personas.other_unit, personas.other_caseworker)

    response = as_caseworker.post(
        "/api/casework/visits/", plan_body(elsewhere), content_type="application/json"
    )

    assert response.status_code == 404


# --- recording and entered in error -------------------------------------------------------------


def test_recording_through_the_api(as_caseworker, personas, family, visit):
    response = as_caseworker.post(
        f"/api/casework/visits/{visit.pk}/record/",
        record_body(family),
        content_type="application/json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "completed"
    assert data["topics"] == ["safety_risk"]
    assert data["recorded_by"] == personas.caseworker.get_full_name()
    seen = {p["person"]: (p["seen"], p["seen_privately"]) for p in data["participants"]}
    assert seen[family.child.pk] == (True, True)
    assert seen[family.mother.pk] == (True, False)
    assert seen[family.father.pk] == (False, False)


def test_recording_in_the_future_answers_400_and_saves_nothing(as_caseworker, family, visit):
    response = as_caseworker.post(
        f"/api/casework/visits/{visit.pk}/record/",
        record_body(family, occurred_at="2026-11-24T09:00:00-05:00"),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "future" in response.json()["occurred_at"][0]
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_recording_a_parent_seen_privately_answers_400(as_caseworker, family, visit):
    body = record_body(
        family, participants=[{"person": family.mother.pk, "seen": True, "seen_privately": True}]
    )

    response = as_caseworker.post(
        f"/api/casework/visits/{visit.pk}/record/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "Only children are seen privately" in response.json()["seen"][0]


def test_recording_twice_answers_400(as_caseworker, family, visit):
    url = f"/api/casework/visits/{visit.pk}/record/"
    as_caseworker.post(url, record_body(family), content_type="application/json")

    response = as_caseworker.post(url, record_body(family), content_type="application/json")

    assert response.status_code == 400
    assert "already recorded" in response.json()["non_field_errors"][0]


def test_entered_in_error_through_the_api(as_caseworker, visit):
    url = f"/api/casework/visits/{visit.pk}/entered-in-error/"

    blank = as_caseworker.post(url, {"reason": ""}, content_type="application/json")
    response = as_caseworker.post(url, {"reason": "Duplicate."}, content_type="application/json")

    assert blank.status_code == 400
    assert "reason" in blank.json()
    assert response.status_code == 200
    assert response.json()["entered_in_error"] is True
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_visits_cannot_be_deleted_or_edited_through_the_api(as_caseworker, visit):
    url = f"/api/casework/visits/{visit.pk}/"

    assert as_caseworker.delete(url).status_code == 405
    assert as_caseworker.patch(url, {}, content_type="application/json").status_code == 405
    assert Visit.objects.filter(pk=visit.pk).exists()


# --- the grid ---------------------------------------------------------------------------------


def test_grid_answers_the_case_grid_as_json(as_caseworker, personas, family, now):
    held(
        family.case,
        personas.caseworker,
        local(2026, 10, 31, 23, 30),
        {family.child: (True, True), family.mother: (True, False)},
    )

    response = as_caseworker.get(f"/api/casework/visits/grid/?case={family.case.pk}")

    assert response.status_code == 200
    data = response.json()
    assert data["case"] == family.case.pk
    assert data["today"] == "2026-11-23"
    assert data["months"][0] == "2025-12"
    assert data["months"][-1] == "2026-11"
    rows = {row["person"]: row for row in data["rows"]}
    assert [row["role"] for row in data["rows"]] == ["child", "child", "mother", "father"]
    october = {r: rows[r]["cells"][10] for r in rows}
    assert october[family.child.pk] == {
        "month": "2026-10",
        "visited": True,
        "in_residence": True,
        "seen_privately": True,
        "visits": 1,
        "state": "visited",
    }
    assert october[family.mother.pk]["seen_privately"] is None
    assert rows[family.father.pk]["cells"][11]["state"] == "due"


def test_grid_needs_a_case(as_caseworker):
    response = as_caseworker.get("/api/casework/visits/grid/")

    assert response.status_code == 400
    assert "case" in response.json()


def test_schema_documents_the_visit_endpoints(as_caseworker):
    response = as_caseworker.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert "/api/casework/visits/{id}/record/" in paths
    assert "/api/casework/visits/grid/" in paths
    grid = paths["/api/casework/visits/grid/"]["get"]
    assert any(p["name"] == "case" and p["required"] for p in grid["parameters"])
