"""The ACR pages and /api/quality/acr/: who may use them, recording, the due lists."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from quality.models import AdministrativeCaseReview
from tests.casework.factories import make_case
from tests.quality.factories_reviews import (
    make_acr,
    make_child_in_care,
    make_commissioner,
    make_reviewer,
)

API = "/api/quality/acr/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def reviewer(db):
    return make_reviewer()


@pytest.fixture
def in_care(personas):
    case = make_case(personas.unit, personas.caseworker)
    return make_child_in_care(case, date(2026, 5, 1))  # due 1 Nov 2026: overdue


def test_other_roles_get_403_and_404(client, personas, reviewer, in_care):
    acr = make_acr(in_care.case, in_care.child, date(2026, 5, 20), reviewer)
    new = f"{reverse('quality:acr_new')}?case={in_care.case.pk}&child={in_care.child.pk}"
    for user in (personas.caseworker, personas.supervisor, personas.outsider):
        client.force_login(user)
        for url in (reverse("quality:acr_due"), new, reverse("quality:acr_detail", args=[acr.pk])):
            assert client.get(url).status_code == 403, (user, url)
        if user != personas.outsider:
            assert client.get(API).status_code == 403
            assert client.get(f"{API}due/").status_code == 403
            assert client.get(f"{API}{acr.pk}/").status_code == 404


def test_the_commissioners_office_reads_only(client, personas, reviewer, in_care):
    acr = make_acr(in_care.case, in_care.child, date(2026, 5, 20), reviewer)
    client.force_login(make_commissioner())
    assert client.get(reverse("quality:acr_due")).status_code == 200
    assert client.get(reverse("quality:acr_detail", args=[acr.pk])).status_code == 200
    new = f"{reverse('quality:acr_new')}?case={in_care.case.pk}&child={in_care.child.pk}"
    assert client.get(new).status_code == 403
    assert client.get(API).json()["count"] == 1
    body = {
        "case": in_care.case.pk,
        "child": in_care.child.pk,
        "held_on": "2026-11-19",
        "participants": "X",
        "findings": "Y",
    }
    assert client.post(API, body).status_code == 403


def test_the_due_page_lists_overdue_and_upcoming_per_office(client, personas, reviewer, in_care):
    other = make_case(personas.other_unit, personas.other_caseworker)
    later = make_child_in_care(other, date(2026, 11, 1))  # due May 2027
    client.force_login(reviewer)
    page = client.get(reverse("quality:acr_due")).content.decode()
    assert in_care.child.full_name in page and "Overdue since" in page
    assert later.child.full_name not in page  # not due yet: only with show=all
    everyone = client.get(reverse("quality:acr_due"), {"show": "all"}).content.decode()
    assert later.child.full_name in everyone
    office = client.get(
        reverse("quality:acr_due"), {"office": personas.other_office.pk, "show": "all"}
    ).content.decode()
    assert in_care.child.full_name not in office and later.child.full_name in office


def test_record_an_acr_on_the_page(client, reviewer, in_care):
    client.force_login(reviewer)
    url = f"{reverse('quality:acr_new')}?case={in_care.case.pk}&child={in_care.child.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_on": "2026-12-01", "participants": "X", "findings": "x"})
    assert response.status_code == 200
    assert "not a future day" in response.content.decode()
    response = client.post(
        url,
        {
            "held_on": "2026-11-18",
            "participants": "Facilitator\nMother\nFather",
            "parents_participated": "on",
            "findings": "Reunification on track.",
        },
    )
    acr = AdministrativeCaseReview.objects.get()
    assert response.status_code == 302 and acr.parents_participated and acr.recorded_by == reviewer
    detail = client.get(reverse("quality:acr_detail", args=[acr.pk])).content.decode()
    assert "Reunification on track." in detail and "Father" in detail
    stranger = make_case(in_care.case.unit, in_care.case.primary_worker)
    wrong = f"{reverse('quality:acr_new')}?case={stranger.pk}&child={in_care.child.pk}"
    assert client.get(wrong).status_code == 404


def test_api_create_list_and_due(client, personas, reviewer, in_care):
    client.force_login(reviewer)
    due = client.get(f"{API}due/").json()
    assert due["count"] == 1
    row = due["results"][0]
    assert (row["child"], row["due_on"], row["state"]) == (
        in_care.child.pk,
        "2026-11-01",
        "overdue",
    )
    bad = client.post(
        API,
        {
            "case": in_care.case.pk,
            "child": in_care.child.pk,
            "held_on": "2026-11-19",
            "participants": "",
            "findings": "",
        },
    )
    assert bad.status_code == 400 and {"participants", "findings"} <= set(bad.json())
    made = client.post(
        API,
        {
            "case": in_care.case.pk,
            "child": in_care.child.pk,
            "held_on": "2026-11-19",
            "participants": "Facilitator",
            "findings": "Fine",
            "parents_participated": False,
        },
    )
    assert made.status_code == 201, made.json()
    assert client.get(f"{API}due/").json()["count"] == 0
    assert client.get(f"{API}due/", {"show": "all"}).json()["results"][0]["due_on"] == "2027-05-19"
    assert client.get(API, {"child": in_care.child.pk}).json()["count"] == 1
    assert client.get(f"{API}due/", {"show": "soon"}).status_code == 400


def test_due_lists_run_a_fixed_number_of_queries(
    client, personas, reviewer, in_care, django_assert_max_num_queries
):
    client.force_login(reviewer)

    def grow():
        for n in range(4):
            case = make_case(personas.unit, personas.caseworker)
            placement = make_child_in_care(case, date(2026, 1, 1 + n), end=date(2026, 2, 1))
            make_child_in_care(case, date(2026, 3, 1), child=placement.child)
            make_acr(case, placement.child, date(2026, 4, 1), reviewer)

    grow()
    urls = [reverse("quality:acr_due") + "?show=all", f"{API}due/?show=all", API]
    for url in urls:
        client.get(url)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for _ in range(3):
        grow()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
