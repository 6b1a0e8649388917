"""/api/quality/reviews/: who may use it, rating with a version, completing, results."""

import pytest

from quality.models import CaseReview, ItemRating
from tests.casework.factories import make_case
from tests.quality.factories_reviews import (
    cfsr,
    items,
    make_commissioner,
    make_completed_review,
    make_review,
    make_reviewer,
)

API = "/api/quality/reviews/"
S = ItemRating.Rating.STRENGTH


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def test_other_roles_get_403_on_lists_and_404_on_a_review(client, personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    for user in (personas.caseworker, personas.supervisor, personas.ombudsman):
        client.force_login(user)
        assert client.get(API).status_code == 403
        assert client.get(f"{API}results/").status_code == 403
        assert client.get(f"{API}{review.pk}/").status_code == 404
        patched = client.patch(
            f"{API}{review.pk}/", {"version": 1, "ratings": []}, content_type="application/json"
        )
        assert patched.status_code == 404
        assert client.post(f"{API}{review.pk}/complete/", {"version": 1}).status_code == 404
    client.logout()
    assert client.get(API).status_code in (401, 403)


def test_the_commissioners_office_reads_and_gets_403_on_writes(client, personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    client.force_login(make_commissioner())
    assert client.get(API).json()["count"] == 1
    assert client.get(f"{API}{review.pk}/").status_code == 200
    item = items(cfsr())[0]
    body = {"version": 1, "ratings": [{"item": item.pk, "rating": S, "rationale": "Ok"}]}
    assert (
        client.patch(f"{API}{review.pk}/", body, content_type="application/json").status_code == 403
    )
    assert client.post(f"{API}{review.pk}/complete/", {"version": 1}).status_code == 403
    assert (
        client.post(
            f"{API}{review.pk}/assign/", {"version": 1, "reviewer": reviewer.pk}
        ).status_code
        == 403
    )
    assert client.get(API + "999999/").status_code == 404


def test_rate_with_version_then_complete(client, personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    client.force_login(reviewer)
    detail = client.get(f"{API}{review.pk}/").json()
    assert [o["code"] for o in detail["outcomes"]][:2] == ["Safety 1", "Safety 2"]
    assert detail["outcomes"][0]["rating"] is None
    all_items = items(cfsr())

    missing = client.patch(
        f"{API}{review.pk}/",
        {"version": 1, "ratings": [{"item": all_items[0].pk, "rating": S, "rationale": ""}]},
        content_type="application/json",
    )
    assert missing.status_code == 400
    assert f"rationale_{all_items[0].pk}" in missing.json()

    body = {
        "version": 1,
        "ratings": [{"item": i.pk, "rating": S, "rationale": "Documented."} for i in all_items],
    }
    rated = client.patch(f"{API}{review.pk}/", body, content_type="application/json")
    assert rated.status_code == 200, rated.json()
    assert rated.json()["status"] == "in_progress" and rated.json()["version"] == 2
    assert rated.json()["outcomes"][0]["rating"] == "substantially_achieved"

    stale = client.patch(f"{API}{review.pk}/", body, content_type="application/json")
    assert stale.status_code == 400 and "version" in stale.json()
    no_version = client.post(f"{API}{review.pk}/complete/", {})
    assert no_version.status_code == 400 and "version" in no_version.json()

    done = client.post(f"{API}{review.pk}/complete/", {"version": 2})
    assert done.status_code == 200 and done.json()["status"] == "completed"


def test_assign(client, personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker))
    client.force_login(reviewer)
    bad = client.post(
        f"{API}{review.pk}/assign/", {"version": 1, "reviewer": personas.caseworker.pk}
    )
    assert bad.status_code == 400 and "reviewer" in bad.json()
    ok = client.post(f"{API}{review.pk}/assign/", {"version": 1, "reviewer": reviewer.pk})
    assert ok.status_code == 200 and ok.json()["reviewer"] == reviewer.pk
    assert client.get(API, {"mine": 1}).json()["count"] == 1


def test_results(client, personas, reviewer):
    make_completed_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    make_completed_review(
        make_case(personas.other_unit, personas.other_caseworker),
        reviewer=reviewer,
        default=ItemRating.Rating.NOT_APPLICABLE,
    )
    client.force_login(reviewer)
    state = client.get(f"{API}results/").json()
    assert state["level"] == "state" and state["total"]["reviews"] == 2
    assert {row["id"] for row in state["rows"]} == {personas.office.pk, personas.other_office.pk}
    safety1 = state["total"]["outcomes"][0]
    assert (safety1["substantially_achieved"], safety1["not_applicable"], safety1["percent"]) == (
        1,
        1,
        100.0,
    )
    office = client.get(f"{API}results/", {"office": personas.office.pk}).json()
    assert office["level"] == "office" and office["total"]["reviews"] == 1
    assert client.get(f"{API}results/", {"office": "x"}).status_code == 400
    assert client.get(f"{API}results/", {"office": 999999}).status_code == 400


def test_the_list_runs_a_fixed_number_of_queries(
    client, personas, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    for _ in range(2):
        make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    client.get(API)
    with django_assert_max_num_queries(10) as few:
        client.get(API)
    for _ in range(10):
        make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API).json()["count"] == 12
    assert CaseReview.objects.count() == 12
