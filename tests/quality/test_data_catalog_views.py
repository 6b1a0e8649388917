"""The ORE data-request catalog page through HTTP: search over requests and
deliverables, each filter, pagination that keeps the filters, the CSV of the filtered
catalog, who may open it (ORE staff; 403 for everyone else), and a query count that
does not grow with the catalog."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agency.roles import Role
from quality.models import DataRequest
from quality.services.data_requests import data_request_submit
from tests.factories import make_user
from tests.quality.factories_data_catalog import add_deliverable, make_request

NOW = "2026-02-10 10:00:00-05:00"
EASTERN = ZoneInfo("America/New_York")
URL = "/quality/data-requests/catalog/"
Category = DataRequest.Category
Status = DataRequest.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def analyst(personas):
    return make_user(Role.ORE_ANALYST, location=personas.central, username="analyst")


@pytest.fixture
def ore(client, analyst):
    client.force_login(analyst)
    return client


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'")


def references(response) -> list[str]:
    return [item.reference for item in response.context["page"].object_list]


def when(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


def test_the_urls_the_queue_links_to():
    assert reverse("quality:data_catalog") == URL
    assert reverse("quality:data_request_reports") == "/quality/data-requests/reports/"


# --- search and filters ----------------------------------------------------------------------


def test_search_finds_a_request_by_words_in_its_purpose(ore, analyst):
    wanted = make_request(
        analyst, purpose="To study placement stability for teenagers in congregate care."
    )
    make_request(analyst, purpose="Counts of adoptions finalized by county.")
    response = ore.get(URL, {"q": "  Congregate TEENAGERS "})
    assert response.status_code == 200
    assert references(response) == [wanted.reference]
    assert "1 request matches" in main_text(response)
    # Every word must appear: one missing word finds nothing.
    assert references(ore.get(URL, {"q": "congregate adoptions"})) == []


def test_search_finds_a_request_by_a_deliverable_file_name(ore, analyst):
    wanted = make_request(analyst, delivered_at=when(2026, 1, 20, 15))
    add_deliverable(wanted, "Kinship_Placements_FY2025.xlsx")
    other = make_request(analyst, delivered_at=when(2026, 1, 21, 15))
    add_deliverable(other, "Adoptions_FY2025.xlsx")
    response = ore.get(URL, {"q": "kinship_placements"})
    assert references(response) == [wanted.reference]
    html = response.content.decode()
    file = wanted.files.get()
    assert f'href="/quality/data-requests/{wanted.pk}/files/{file.pk}/"' in html
    assert f'href="/quality/data-requests/{wanted.pk}/"' in html
    assert "Kinship_Placements_FY2025.xlsx" in html


def test_a_request_submitted_through_the_service_is_found(ore, personas):
    submitted = data_request_submit(
        actor=personas.caseworker,
        title="Sibling placements",
        purpose="How often are siblings placed together in their first placement?",
        questions="By region, for the last three years.",
    )
    assert references(ore.get(URL, {"q": "siblings together"})) == [submitted.reference]
    assert references(ore.get(URL, {"q": personas.caseworker.last_name})) == [submitted.reference]


def test_each_filter(ore, analyst):
    foia = make_request(
        analyst,
        category=Category.FOIA,
        status=Status.IN_PROGRESS,
        organization="Legal Affairs",
        received_at=when(2025, 12, 31, 23, 30),  # still 2025 in Hartford (2026 in UTC)
    )
    research = make_request(
        analyst,
        category=Category.RESEARCH,
        status=Status.IRB_REVIEW,
        organization="University of Connecticut",
        received_at=when(2026, 1, 5, 9),
    )
    fresh = make_request(analyst, organization="Legal Affairs", received_at=when(2026, 2, 2, 9))

    assert references(ore.get(URL, {"category": Category.FOIA})) == [foia.reference]
    assert references(ore.get(URL, {"status": Status.IRB_REVIEW})) == [research.reference]
    assert references(ore.get(URL, {"status": Status.RECEIVED})) == [fresh.reference]
    assert references(ore.get(URL, {"organization": "Legal Affairs"})) == [
        fresh.reference,
        foia.reference,
    ]
    assert references(ore.get(URL, {"year": 2025})) == [foia.reference]
    assert references(ore.get(URL, {"year": 2026})) == [fresh.reference, research.reference]
    both = ore.get(URL, {"organization": "Legal Affairs", "year": 2026})
    assert references(both) == [fresh.reference]
    # Newest first with no filter; the selects offer what occurs.
    everything = ore.get(URL)
    assert references(everything) == [fresh.reference, research.reference, foia.reference]
    form = everything.context["form"]
    assert [value for value, _ in form.fields["organization"].choices] == [
        "",
        "Legal Affairs",
        "University of Connecticut",
    ]
    assert [value for value, _ in form.fields["year"].choices] == ["", 2026, 2025]


def test_a_filter_value_that_does_not_occur_is_a_field_error(ore, analyst):
    make_request(analyst, organization="Legal Affairs")
    response = ore.get(URL, {"organization": "Nobody", "category": "flood"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organization", "category"}
    assert "Please correct the fields marked below." in main_text(response)


def test_rows_show_what_the_catalog_promises(ore, analyst):
    item = make_request(
        analyst,
        title="Kin placements by region",
        organization="Bureau of Child Welfare",
        received_at=when(2026, 1, 5, 9),
        delivered_at=when(2026, 1, 23, 16),
        catalog_number="ORE-C-2026-007",
        category=Category.LEGISLATIVE,
        status=Status.CLOSED,
        delivery_link="https://reports.example.org/kin",
    )
    add_deliverable(item, "kin.csv")
    text = main_text(ore.get(URL))
    for shown in (
        item.reference,
        "Catalog ORE-C-2026-007",
        "Kin placements by region",
        "Bureau of Child Welfare",
        "Legislative",
        "Closed",
        "5 Jan 2026",
        "23 Jan 2026",
        "kin.csv",
        "Delivery link",
    ):
        assert shown in text, shown


def test_pagination_keeps_the_filters(ore, analyst):
    for day in range(1, 31):
        make_request(analyst, organization="Legal Affairs", received_at=when(2026, 1, day, 9))
    for day in range(1, 4):
        make_request(analyst, organization="Office of Policy", received_at=when(2026, 2, day, 9))
    first = ore.get(URL, {"organization": "Legal Affairs"})
    assert first.context["page"].paginator.count == 30
    assert len(references(first)) == 25
    html = first.content.decode()
    assert 'href="?organization=Legal+Affairs&amp;page=2"' in html
    second = ore.get(URL, {"organization": "Legal Affairs", "page": 2})
    assert len(references(second)) == 5
    assert "page 2 of 2" in main_text(second)
    assert 'href="?organization=Legal+Affairs&amp;page=1"' in second.content.decode()
    assert "Office of Policy" not in " ".join(i.organization for i in second.context["page"])


# --- CSV -------------------------------------------------------------------------------------


def test_csv_of_the_filtered_catalog(ore, analyst):
    item = make_request(
        analyst,
        title="=HYPERLINK(evil)",
        organization="Legal Affairs",
        received_at=when(2025, 12, 31, 23, 30),
        delivered_at=when(2026, 1, 9, 22, 0),
        date_needed=datetime(2026, 1, 9).date(),
        category=Category.FOIA,
    )
    add_deliverable(item, "foia-response.pdf")
    add_deliverable(item, "foia-tables.xlsx")
    make_request(analyst, organization="Office of Policy")
    response = ore.get(URL, {"organization": "Legal Affairs", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "ore-data-request-catalog-2026-02-10.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Reference", "Catalog number", "Title"]
    assert len(rows) == 2  # the filter holds
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Reference"] == item.reference
    assert row["Title"] == "'=HYPERLINK(evil)"  # never a formula
    assert row["Category"] == "FOIA (with Legal Affairs)"
    assert row["Status"] == "Delivered"
    assert row["Received"] == "2025-12-31"  # the local day
    assert row["Delivered"] == "2026-01-09"
    assert row["Date needed"] == "2026-01-09"
    assert row["Business days to delivery"] == "6"  # Jan 2, 5, 6, 7, 8, 9
    assert row["Deliverables"] == "foia-response.pdf; foia-tables.xlsx"


def test_the_page_links_to_the_csv_with_its_filters(ore, analyst):
    make_request(analyst, organization="Legal Affairs")
    html = ore.get(URL, {"organization": "Legal Affairs", "page": 1}).content.decode()
    assert 'href="?organization=Legal+Affairs&amp;format=csv"' in html
    assert "Download the 1 matching request (CSV)" in html


# --- who may open it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "opm", "ombudsman", "outsider"])
def test_only_ore_staff_open_the_catalog(client, personas, analyst, who):
    make_request(analyst)
    user = (
        make_user(Role.PERFORMANCE_MANAGEMENT, location=personas.central)
        if who == "opm"
        else getattr(personas, who)
    )
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_ore_and_superusers_open_the_catalog(client, analyst):
    make_request(analyst)
    client.force_login(analyst)
    assert client.get(URL).status_code == 200
    client.force_login(make_user(None, is_superuser=True))
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"format": "csv"}).status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# --- queries ---------------------------------------------------------------------------------


def test_catalog_queries_do_not_grow_with_the_data(
    ore, analyst, personas, django_assert_max_num_queries
):
    organizations = ["Legal Affairs", "Office of Policy", "University of Connecticut"]

    def add(n, start):
        for i in range(start, start + n):
            item = make_request(
                analyst,
                organization=organizations[i % 3],
                received_at=when(2024 + i % 2, 1 + i % 12, 1 + i % 28, 9),
                delivered_at=when(2026, 2, 2, 9) if i % 2 else None,
            )
            if i % 2:
                add_deliverable(item, f"tables-{i}.csv")
                add_deliverable(item, f"report-{i}.pdf")

    add(1, 1)
    ore.get(URL)  # warms the content-type cache and the session's activity stamp
    with django_assert_max_num_queries(12) as first:
        response = ore.get(URL)
    assert response.context["page"].paginator.count == 1
    add(59, 2)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = ore.get(URL, {"q": "request"})
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 25
    delivered = [i for i in response.context["page"].object_list if i.delivered_at]
    assert delivered and all(len(i.deliverables) == 2 for i in delivered)
    with django_assert_max_num_queries(len(first.captured_queries)):
        ore.get(URL, {"q": "request", "format": "csv"})
