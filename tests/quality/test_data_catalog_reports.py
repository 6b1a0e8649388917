"""The ORE data-request reports on a hand-built year with known answers: requests
received per month by category (a month with none, a category with none, a request not
yet cataloged, a request received late on New Year's Eve), the median business days to
delivery (a request on hold, whose count leaves the hold out; an even number of
requests), and the share delivered by the date needed (one late, one delivered late in
the evening of the day needed); the page, its CSV, who may read it, and its queries."""

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agency import clock
from agency.periods import year_period
from agency.roles import Role
from quality.models import DataRequest
from quality.selectors.data_catalog import data_request_report, weighted_median
from tests.factories import make_user
from tests.quality.factories_data_catalog import make_request

NOW = "2026-02-10 10:00:00-05:00"
EASTERN = ZoneInfo("America/New_York")
URL = "/quality/data-requests/reports/"
Category = DataRequest.Category
Status = DataRequest.Status
COLUMNS = ["ad_hoc", "foia", "legislative", "federal_reporting", "research", "other", ""]


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def when(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


@pytest.fixture
def analyst(personas):
    return make_user(Role.ORE_ANALYST, location=personas.central, username="analyst")


@pytest.fixture
def requests(analyst):
    """Two years of requests; the numbers in the tests below follow from them."""
    made = {}

    def add(name, **fields):
        made[name] = make_request(analyst, **fields)

    # 2024: received and delivered in December, on the day needed.
    add("old", category=Category.OTHER, received_at=when(2024, 12, 16, 9),
        delivered_at=when(2024, 12, 20, 9), date_needed=date(2024, 12, 20))  # fmt: skip
    # 2025. January: research, delivered in February (Martin Luther King Day and
    # Lincoln's Birthday are not business days), no date needed.
    add("research", category=Category.RESEARCH, received_at=when(2025, 1, 6, 10),
        delivered_at=when(2025, 2, 14, 15))  # fmt: skip
    # February: none. March: two ad hoc requests and one declined.
    add("on_time", received_at=when(2025, 3, 3, 10), delivered_at=when(2025, 3, 14, 15),
        date_needed=date(2025, 3, 14))  # fmt: skip
    add("on_hold", received_at=when(2025, 3, 3, 11), delivered_at=when(2025, 3, 31, 12),
        hold_business_days=5, date_needed=date(2025, 3, 28))  # fmt: skip
    add("declined", category=Category.OTHER, status=Status.DECLINED,
        received_at=when(2025, 3, 20, 9))  # fmt: skip
    # June: legislative, delivered at 23:30 on the day needed (the next day in UTC).
    add("evening", category=Category.LEGISLATIVE, received_at=when(2025, 6, 2, 9),
        delivered_at=when(2025, 6, 5, 23, 30), date_needed=date(2025, 6, 5))  # fmt: skip
    # July: not yet cataloged.
    add("new", received_at=when(2025, 7, 15, 9))
    # December 31 at 23:30 (January 1 in UTC); delivered in 2026, a day late.
    add("new_years_eve", category=Category.FEDERAL_REPORTING,
        received_at=when(2025, 12, 31, 23, 30), delivered_at=when(2026, 1, 9, 12),
        date_needed=date(2026, 1, 8))  # fmt: skip
    return made


def test_business_days_to_delivery_leave_the_hold_out(requests):
    days = {name: r.business_days_to_delivery for name, r in requests.items()}
    assert days["research"] == 27  # 29 weekdays less two state holidays
    assert days["on_time"] == 9
    assert days["on_hold"] == 15  # 20 business days, 5 of them waiting for a project scope
    assert days["evening"] == 3
    assert days["new_years_eve"] == 6  # January 1 is a holiday


def test_requests_received_per_month_by_category(requests):
    report = data_request_report(year_period(2025), today=clock.today())
    table = report.received
    assert [value for value, _ in table.columns] == COLUMNS
    assert table.columns[-1] == ("", "Not yet cataloged")
    assert [m.month for m in table.months] == [date(2025, m, 1) for m in range(1, 13)]
    by_month = {m.month.month: (m.counts, m.total) for m in table.months}
    assert by_month[1] == ([0, 0, 0, 0, 1, 0, 0], 1)
    assert by_month[2] == ([0] * 7, 0)  # a month with no requests
    assert by_month[3] == ([2, 0, 0, 0, 0, 1, 0], 3)
    assert by_month[6] == ([0, 0, 1, 0, 0, 0, 0], 1)
    assert by_month[7] == ([0, 0, 0, 0, 0, 0, 1], 1)
    assert by_month[12] == ([0, 0, 0, 1, 0, 0, 0], 1)  # local time, not UTC
    assert table.totals == [2, 0, 1, 1, 1, 1, 1]  # FOIA: an empty category
    assert table.total == 7
    assert report.received_summary == (
        "7 requests received in 2025 (Ad hoc: 2; Legislative: 1; Federal reporting: 1; "
        "Research: 1; Other: 1; Not yet cataloged: 1); the most in March 2025 (3)."
    )


def test_this_year_shows_the_months_so_far(requests):
    report = data_request_report(year_period(2026), today=clock.today())
    assert [m.label for m in report.received.months] == ["January 2026", "February 2026"]
    assert report.received.total == 0
    assert report.received_summary == "No data requests were received in 2026."


def test_median_business_days_to_delivery(requests):
    report = data_request_report(year_period(2025), today=clock.today())
    overall = report.median_overall
    assert (overall.days, overall.count) == (12, 4)  # 3, 9, 15, 27: halfway between 9 and 15
    assert overall.display == "12 business days"
    medians = {row.category: (row.days, row.count, row.display) for row in report.medians}
    assert medians == {
        "ad_hoc": (12, 2, "12 business days"),
        "foia": (None, 0, "—"),
        "legislative": (3, 1, "3 business days"),
        "federal_reporting": (None, 0, "—"),
        "research": (27, 1, "27 business days"),
        "other": (None, 0, "—"),
    }
    assert report.median_summary == (
        "Half the 4 requests delivered in 2025 took 12 business days or fewer, not counting "
        "time waiting for a project scope."
    )
    later = data_request_report(year_period(2026), today=clock.today()).median_overall
    assert (later.days, later.count) == (6, 1)


def test_share_delivered_by_the_date_needed(requests):
    report = data_request_report(year_period(2025), today=clock.today())
    overall = report.on_time_overall
    assert (overall.on_time, overall.total, overall.display) == (2, 3, "67%")
    rows = {row.category: (row.on_time, row.total, row.display) for row in report.on_time}
    assert rows["ad_hoc"] == (1, 2, "50%")  # the request on hold came after its date
    assert rows["legislative"] == (1, 1, "100%")  # the local day of delivery counts
    assert rows["research"] == (0, 0, "—")  # delivered, but with no date needed
    assert report.on_time_summary == (
        "Of the 3 requests delivered in 2025 with a date needed, 2 (67%) came on or before "
        "that date."
    )
    later = data_request_report(year_period(2026), today=clock.today())
    overall = later.on_time_overall
    assert (overall.on_time, overall.total, overall.display) == (0, 1, "0%")
    assert later.on_time_summary == (
        "The one request delivered in 2026 with a date needed came after that date."
    )


def test_a_year_with_nothing_delivered(db):
    report = data_request_report(year_period(2023), today=clock.today())
    assert report.median_overall.display == "—" and report.median_overall.count == 0
    assert report.on_time_overall.display == "—"
    assert len(report.received.months) == 12 and report.received.total == 0
    assert report.median_summary == "No data request was delivered in 2023."
    assert report.on_time_summary == "No data request delivered in 2023 had a date needed."


@pytest.mark.parametrize(
    ("pairs", "median"),
    [
        ([], None),
        ([(5, 1)], 5),
        ([(3, 1), (9, 1)], 6),
        ([(9, 1), (3, 2)], 3),
        ([(1, 2), (10, 2)], 5.5),
        ([(4, 0), (8, 1)], 8),
    ],
)
def test_weighted_median(pairs, median):
    assert weighted_median(pairs) == median


# --- the page --------------------------------------------------------------------------------


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'")


def test_reports_page(client, analyst, requests):
    client.force_login(analyst)
    response = client.get(URL, {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Data requests received in 2025 by month (rows) and category" in html
    assert '<option value="2025" selected>' in html
    text = main_text(response)
    assert "the most in March 2025 (3)" in text
    assert "February 2025 0 0 0 0 0 0 0 0" in text  # the month with none, and its total
    assert "All categories 12 business days 4" in text
    assert "FOIA (with Legal Affairs) — 0" in text
    assert "All categories 2 3 67%" in text
    assert "less the business days spent waiting for a project scope" in text
    assert "Requests without a date needed are not counted." in text


def test_reports_default_to_this_year(client, analyst, requests):
    client.force_login(analyst)
    response = client.get(URL)
    assert response.context["period"].first == date(2026, 1, 1)
    assert [y for y in response.context["years"]] == [2026, 2025, 2024]
    assert "Data requests: reports for 2026" in main_text(response)


@pytest.mark.parametrize("year", ["2027", "1999", "soon"])
def test_a_year_that_cannot_be_read_shows_this_year(client, analyst, year):
    client.force_login(analyst)
    response = client.get(URL, {"year": year})
    assert response.status_code == 200
    assert response.context["period"].first.year == 2026
    assert "That year could not be read; 2026 is shown." in main_text(response)


def test_reports_csv(client, analyst, requests):
    client.force_login(analyst)
    response = client.get(URL, {"year": 2025, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "ore-data-requests-received-2025.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Month", "Ad hoc", "FOIA (with Legal Affairs)", "Legislative", "Federal reporting",
        "Research", "Other", "Not yet cataloged", "Total",
    ]  # fmt: skip
    assert len(rows) == 14
    assert rows[2] == ["2025-02", "0", "0", "0", "0", "0", "0", "0", "0"]
    assert rows[3] == ["2025-03", "2", "0", "0", "0", "0", "1", "0", "3"]
    assert rows[-1] == ["Total", "2", "0", "1", "1", "1", "1", "1", "7"]
    delivery = client.get(URL, {"year": 2025, "format": "csv", "table": "delivery"})
    assert "ore-data-requests-delivery-2025.csv" in delivery["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(delivery.content.decode())))
    assert rows[1] == ["Ad hoc", "2", "12", "2", "1", "50.0"]
    assert rows[2] == ["FOIA (with Legal Affairs)", "0", "", "0", "0", ""]
    assert rows[-1] == ["Total", "4", "12", "3", "2", "66.7"]


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "opm", "ombudsman", "outsider"])
def test_only_ore_staff_read_the_reports(client, personas, who):
    user = (
        make_user(Role.PERFORMANCE_MANAGEMENT, location=personas.central)
        if who == "opm"
        else getattr(personas, who)
    )
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_superusers_read_the_reports(client, db):
    client.force_login(make_user(None, is_superuser=True))
    assert client.get(URL).status_code == 200


def test_report_queries_do_not_grow_with_the_data(client, analyst, django_assert_max_num_queries):
    client.force_login(analyst)
    client.get(URL, {"year": 2025})  # warms the caches
    with django_assert_max_num_queries(12) as first:
        client.get(URL, {"year": 2025})
    for month in range(1, 13):
        for category in Category.values:
            make_request(
                analyst,
                category=category,
                received_at=when(2025, month, 3, 9),
                delivered_at=when(2025, month, 20, 9),
                date_needed=date(2025, month, 19),
            )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(URL, {"year": 2025})
    assert response.context["report"].received.total == 72
