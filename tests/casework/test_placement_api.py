"""The placements API (/api/casework/placements/, /api/casework/permanency-decisions/),
through HTTP."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import PermanencyDecision, Placement, RecordView
from tests.casework.test_placement_services import KIN, TODAY, placed
from tests.casework.test_visit_services import make_family
from tests.factories import make_user

NOW = "2026-11-23 10:00:00-05:00"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker, opened_on=date(2025, 1, 6))


@pytest.fixture
def placement(family, now):
    return placed(family, TODAY - timedelta(days=40), setting=KIN, caregiver="Rosa Rivera")


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def start_body(family, **fields):
    return {
        "case": family.case.pk,
        "child": family.sibling.pk,
        "setting": "foster",
        "caregiver": "The Smiths",
        "start_date": "2026-11-20",
        "reason": "No kin nearby.",
    } | fields


def decision_body(family, **fields):
    return {
        "case": family.case.pk,
        "child": family.child.pk,
        "kind": "petition_filed",
        "decided_on": "2026-11-20",
        "note": "Filed at Hartford Juvenile Court.",
    } | fields


def endpoints(family, placement):
    """(method, URL, body) of every placement endpoint."""
    pk = placement.pk
    return [
        ("get", reverse("casework-placement-list"), None),
        ("post", reverse("casework-placement-list"), start_body(family)),
        ("get", reverse("casework-placement-detail", args=[pk]), None),
        (
            "post",
            reverse("casework-placement-end", args=[pk]),
            {"end_date": "2026-11-22", "end_reason": "Reunified", "exit_reason": "adoption"},
        ),
        (
            "post",
            reverse("casework-placement-home-study", args=[pk]),
            {"referred_on": "2026-11-20"},
        ),
        ("post", reverse("casework-placement-entered-in-error", args=[pk]), {"reason": "x"}),
        ("get", reverse("casework-permanency-decision-list"), None),
        ("post", reverse("casework-permanency-decision-list"), decision_body(family)),
    ]


def call(client, method, url, body=None):
    if method == "get":
        return client.get(url)
    return client.post(url, body, content_type="application/json")


def unchanged(placement) -> bool:
    placement.refresh_from_db()
    return (
        Placement.objects.count() == 1
        and placement.end_date is None
        and placement.home_study_referred_on is None
        and not placement.entered_in_error
        and not PermanencyDecision.objects.exists()
    )


# --- who may call them ------------------------------------------------------------------------


def test_urls_are_under_api_casework(placement):
    assert reverse("casework-placement-list") == "/api/casework/placements/"
    assert reverse("casework-placement-home-study", args=[placement.pk]) == (
        f"/api/casework/placements/{placement.pk}/home-study/"
    )
    assert reverse("casework-permanency-decision-list") == "/api/casework/permanency-decisions/"


def test_anonymous_and_role_less_callers_get_403_everywhere(client, personas, family, placement):
    for user in (None, personas.outsider):
        if user:
            client.force_login(user)
        for method, url, body in endpoints(family, placement):
            assert call(client, method, url, body).status_code == 403, (user, method, url)
    assert unchanged(placement)


@pytest.mark.parametrize("persona", ["other_caseworker", "ombudsman"])
def test_callers_outside_the_case_get_404_or_an_empty_list(
    client, personas, family, placement, persona
):
    client.force_login(getattr(personas, persona))
    lists = (reverse("casework-placement-list"), reverse("casework-permanency-decision-list"))

    for method, url, body in endpoints(family, placement):
        response = call(client, method, url, body)
        if method == "get" and url in lists:
            assert response.status_code == 200
            assert response.json()["count"] == 0
        else:
            assert response.status_code == 404, (method, url)
    assert unchanged(placement)


def test_a_reader_may_read_but_not_write(client, personas, family, placement):
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))

    for method, url, body in endpoints(family, placement):
        expected = 200 if method == "get" else 403
        assert call(client, method, url, body).status_code == expected, (method, url)
    assert unchanged(placement)


# --- reading ----------------------------------------------------------------------------------


def test_list_filters_by_case_child_and_current(as_caseworker, personas, family, placement):
    ended = placed(family, date(2025, 1, 1), date(2025, 6, 1), child=family.sibling)
    other = make_family(personas.unit, personas.caseworker)
    placed(other, date(2026, 1, 1))

    def ids(query):
        response = as_caseworker.get(f"/api/casework/placements/{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert len(ids("")) == 3
    assert ids(f"?case={family.case.pk}") == {placement.pk, ended.pk}
    assert ids(f"?case={family.case.pk}&child={family.sibling.pk}") == {ended.pk}
    assert ids(f"?case={family.case.pk}&current=1") == {placement.pk}
    assert as_caseworker.get("/api/casework/placements/?case=abc").status_code == 400


def test_retrieve_shows_the_home_study_flag_and_logs_the_opening(
    as_caseworker, personas, family, placement
):
    response = as_caseworker.get(f"/api/casework/placements/{placement.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["setting"], body["child_name"], body["home_study_overdue"]) == (
        "kin_unlicensed",
        "Leo Rivera",
        True,
    )
    assert RecordView.objects.filter(user=personas.caseworker, channel="api").exists()


# --- writing ----------------------------------------------------------------------------------


def test_create_records_a_placement(as_caseworker, family, placement):
    response = as_caseworker.post(
        "/api/casework/placements/", start_body(family), content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["child"] == family.sibling.pk
    assert Placement.objects.get(child=family.sibling).caregiver == "The Smiths"


def test_create_answers_the_rules_as_field_errors(as_caseworker, family, placement):
    future = as_caseworker.post(
        "/api/casework/placements/",
        start_body(family, start_date="2026-12-01", caregiver=""),
        content_type="application/json",
    )
    overlapping = as_caseworker.post(
        "/api/casework/placements/",
        start_body(family, child=family.child.pk),
        content_type="application/json",
    )
    not_a_child = as_caseworker.post(
        "/api/casework/placements/",
        start_body(family, child=family.mother.pk),
        content_type="application/json",
    )

    assert future.status_code == 400
    assert set(future.json()) == {"start_date", "caregiver"}
    assert overlapping.status_code == 400
    assert "already placed with Rosa Rivera" in overlapping.json()["start_date"][0]
    assert not_a_child.status_code == 400
    assert "child" in not_a_child.json()
    assert Placement.objects.count() == 1


def test_create_with_end_current_is_a_change_of_placement(as_caseworker, family, placement):
    response = as_caseworker.post(
        "/api/casework/placements/",
        start_body(family, child=family.child.pk, end_current=True),
        content_type="application/json",
    )

    assert response.status_code == 201
    placement.refresh_from_db()
    assert placement.end_date == date(2026, 11, 20)


def test_end_home_study_and_entered_in_error(as_caseworker, family, placement):
    base = f"/api/casework/placements/{placement.pk}"

    early = as_caseworker.post(
        f"{base}/end/",
        {"end_date": "2026-01-01", "end_reason": "x", "exit_reason": "adoption"},
        "application/json",
    )
    assert early.status_code == 400
    assert "end_date" in early.json()
    for bad in ({}, {"exit_reason": ""}, {"exit_reason": "moved"}):
        refused = as_caseworker.post(
            f"{base}/end/",
            {"end_date": "2026-11-22", "end_reason": "Reunified", **bad},
            "application/json",
        )
        assert refused.status_code == 400
        assert "exit_reason" in refused.json()
    referral = as_caseworker.post(
        f"{base}/home-study/", {"referred_on": "2026-11-20"}, "application/json"
    )
    assert referral.status_code == 200
    assert referral.json()["home_study_referred_on"] == "2026-11-20"
    assert referral.json()["home_study_overdue"] is False
    ended = as_caseworker.post(
        f"{base}/end/",
        {"end_date": "2026-11-22", "end_reason": "Reunified", "exit_reason": "reunification"},
        "application/json",
    )
    assert ended.status_code == 200
    assert (ended.json()["end_date"], ended.json()["exit_reason"]) == (
        "2026-11-22",
        "reunification",
    )
    blank = as_caseworker.post(f"{base}/entered-in-error/", {"reason": ""}, "application/json")
    assert blank.status_code == 400
    assert "reason" in blank.json()
    marked = as_caseworker.post(
        f"{base}/entered-in-error/", {"reason": "Wrong child."}, "application/json"
    )
    assert marked.status_code == 200
    assert marked.json()["entered_in_error"] is True


def test_home_study_on_a_licensed_placement_is_400(as_caseworker, family, now):
    foster = placed(family, date(2026, 1, 1))

    response = as_caseworker.post(
        f"/api/casework/placements/{foster.pk}/home-study/",
        {"referred_on": "2026-02-01"},
        "application/json",
    )

    assert response.status_code == 400
    foster.refresh_from_db()
    assert foster.home_study_referred_on is None


def test_permanency_decisions_are_recorded_and_listed(as_caseworker, personas, family, placement):
    missing = as_caseworker.post(
        "/api/casework/permanency-decisions/",
        decision_body(family, note=" "),
        content_type="application/json",
    )
    assert missing.status_code == 400
    assert "note" in missing.json()

    created = as_caseworker.post(
        "/api/casework/permanency-decisions/",
        decision_body(family),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["recorded_by"] == personas.caseworker.get_full_name()
    listed = as_caseworker.get(f"/api/casework/permanency-decisions/?case={family.case.pk}")
    assert [row["kind"] for row in listed.json()["results"]] == ["petition_filed"]


def test_list_takes_a_fixed_number_of_queries(
    as_caseworker, personas, now, django_assert_max_num_queries
):
    for size in (1, 15):
        family = make_family(personas.unit, personas.caseworker)
        for _ in range(size):
            placed(family, date(2025, 1, 1), date(2025, 2, 1), setting=KIN)
        if size == 1:
            as_caseworker.get("/api/casework/placements/")
        with django_assert_max_num_queries(8):
            response = as_caseworker.get("/api/casework/placements/")
        assert response.status_code == 200
