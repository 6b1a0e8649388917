"""The ORE catalog and reports in the API: search and filters, pagination like the other
lists, 400 with a field map, the reports as JSON, 403 for everyone but ORE staff."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from agency.roles import Role
from quality.models import DataRequest
from tests.factories import make_user
from tests.quality.factories_data_catalog import add_deliverable, make_request

NOW = "2026-02-10 10:00:00-05:00"
EASTERN = ZoneInfo("America/New_York")
CATALOG = "/api/quality/data-request-catalog/"
REPORTS = "/api/quality/data-request-reports/"
Category = DataRequest.Category
Status = DataRequest.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def analyst(personas):
    return make_user(Role.ORE_ANALYST, location=personas.central, username="analyst")


@pytest.fixture
def api(analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    return client


def when(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


def refs(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [row["reference"] for row in response.data["results"]]


def test_catalog_rows_with_their_deliverables(api, analyst):
    item = make_request(
        analyst,
        title="Kin placements by region",
        organization="Bureau of Child Welfare",
        received_at=when(2026, 1, 5, 9),
        delivered_at=when(2026, 1, 23, 16),
        catalog_number="ORE-C-2026-007",
        category=Category.LEGISLATIVE,
        date_needed=date(2026, 1, 30),
    )
    file = add_deliverable(item, "kin.csv")
    response = api.get(CATALOG)
    assert response.data["count"] == 1
    row = response.data["results"][0]
    assert row["reference"] == item.reference and row["catalog_number"] == "ORE-C-2026-007"
    assert row["category"] == "legislative" and row["category_label"] == "Legislative"
    assert row["status"] == "delivered" and row["status_label"] == "Delivered"
    assert row["business_days_to_delivery"] == 13  # Martin Luther King Day is a holiday
    assert row["date_needed"] == "2026-01-30"
    assert row["page_url"] == f"/quality/data-requests/{item.pk}/"
    assert row["deliverables"] == [
        {
            "id": file.pk,
            "name": "kin.csv",
            "size": 2048,
            "uploaded_at": response.data["results"][0]["deliverables"][0]["uploaded_at"],
            "download_url": f"/quality/data-requests/{item.pk}/files/{file.pk}/",
        }
    ]
    assert "search_document" not in row and "purpose" not in row


def test_catalog_search_and_filters(api, analyst):
    stability = make_request(
        analyst,
        purpose="Placement stability for teenagers in congregate care.",
        category=Category.RESEARCH,
        status=Status.IRB_REVIEW,
        organization="University of Connecticut",
        received_at=when(2025, 12, 31, 23, 30),
    )
    kinship = make_request(
        analyst, organization="Legal Affairs", delivered_at=when(2026, 1, 20, 12),
        received_at=when(2026, 1, 5, 9),
    )  # fmt: skip
    add_deliverable(kinship, "Kinship_Tables.xlsx")
    assert refs(api.get(CATALOG, {"q": "Teenagers congregate"})) == [stability.reference]
    assert refs(api.get(CATALOG, {"q": "kinship_tables"})) == [kinship.reference]
    assert refs(api.get(CATALOG, {"category": "research"})) == [stability.reference]
    assert refs(api.get(CATALOG, {"status": "delivered"})) == [kinship.reference]
    assert refs(api.get(CATALOG, {"organization": "Legal Affairs"})) == [kinship.reference]
    assert refs(api.get(CATALOG, {"year": 2025})) == [stability.reference]
    assert refs(api.get(CATALOG)) == [kinship.reference, stability.reference]


def test_catalog_is_paginated_like_the_other_lists(api, analyst):
    for day in range(1, 28):
        make_request(analyst, received_at=when(2026, 1, day, 9))
    first = api.get(CATALOG)
    assert first.data["count"] == 27 and len(first.data["results"]) == 25
    assert first.data["next"].endswith("?page=2")
    assert len(api.get(CATALOG, {"page": 2}).data["results"]) == 2


def test_catalog_filters_that_cannot_be_read_answer_400(api):
    response = api.get(CATALOG, {"category": "flood", "status": "lost", "year": "soon"})
    assert response.status_code == 400
    assert set(response.data) == {"category", "status", "year"}


def test_reports_as_json(api, analyst):
    make_request(analyst, received_at=when(2025, 3, 3, 10), delivered_at=when(2025, 3, 14, 15),
                 date_needed=date(2025, 3, 14))  # fmt: skip
    make_request(analyst, received_at=when(2025, 3, 3, 11), delivered_at=when(2025, 3, 31, 12),
                 hold_business_days=5, date_needed=date(2025, 3, 28))  # fmt: skip
    make_request(analyst, category=Category.RESEARCH, received_at=when(2025, 1, 6, 10),
                 delivered_at=when(2025, 2, 14, 15))  # fmt: skip
    response = api.get(REPORTS, {"year": 2025})
    assert response.status_code == 200
    data = response.data
    assert data["year"] == 2025 and data["first_day"] == "2025-01-01"
    received = data["received"]
    assert received["total"] == 3 and len(received["months"]) == 12
    assert received["months"][1] == {
        "month": "2025-02",
        "counts": dict.fromkeys(
            ["ad_hoc", "foia", "legislative", "federal_reporting", "research", "other", ""], 0
        ),
        "total": 0,
    }
    assert received["months"][2]["counts"]["ad_hoc"] == 2
    assert received["totals"]["foia"] == 0 and received["categories"][""] == "Not yet cataloged"
    medians = data["median_to_delivery"]
    assert medians["overall"] == {
        "category": "",
        "label": "All categories",
        "median_business_days": 15.0,  # 9, 15 (20 less 5 on hold), 27
        "requests": 3,
    }
    by_category = {row["category"]: row for row in medians["by_category"]}
    assert by_category["ad_hoc"]["median_business_days"] == 12.0
    assert by_category["foia"]["median_business_days"] is None
    assert by_category["foia"]["requests"] == 0
    on_time = data["delivered_by_date_needed"]["overall"]
    assert on_time["delivered_by_date_needed"] == 1
    assert on_time["delivered_with_date_needed"] == 2
    assert on_time["percent"] == 50.0


def test_reports_default_to_this_year_and_refuse_a_year_that_cannot_be_read(api):
    assert api.get(REPORTS).data["year"] == 2026
    for year in ("2027", "1999", "soon"):
        response = api.get(REPORTS, {"year": year})
        assert response.status_code == 400 and "year" in response.data


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "opm", "ombudsman", "outsider"])
def test_only_ore_staff_use_the_catalog_api(personas, analyst, who):
    make_request(analyst)
    user = (
        make_user(Role.PERFORMANCE_MANAGEMENT, location=personas.central)
        if who == "opm"
        else getattr(personas, who)
    )
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(CATALOG).status_code == 403
    assert client.get(REPORTS).status_code == 403


def test_anonymous_gets_403_or_401(db):
    client = APIClient()
    assert client.get(CATALOG).status_code in (401, 403)
    assert client.get(REPORTS).status_code in (401, 403)


def test_superusers_use_the_catalog_api(db):
    client = APIClient()
    client.force_authenticate(make_user(None, is_superuser=True))
    assert client.get(CATALOG).status_code == 200
    assert client.get(REPORTS).status_code == 200


def test_catalog_api_queries_do_not_grow_with_the_data(api, analyst, django_assert_max_num_queries):
    item = make_request(analyst, delivered_at=when(2026, 1, 20, 12))
    add_deliverable(item, "a.csv")
    api.get(CATALOG)
    with django_assert_max_num_queries(10) as first:
        api.get(CATALOG)
    for day in range(1, 30):
        item = make_request(analyst, delivered_at=when(2026, 1, 20, 12),
                            received_at=when(2025, 12, 1, 9))  # fmt: skip
        add_deliverable(item, f"{day}.csv")
        add_deliverable(item, f"{day}.pdf")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = api.get(CATALOG)
    assert len(response.data["results"]) == 25
