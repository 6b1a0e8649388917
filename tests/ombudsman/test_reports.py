"""The Ombudsman's reports: the numbers on a small set worked out by hand, the CSV
downloads, who may read the page, and a fixed number of queries."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agency import periods
from agency.calendar import BusinessCalendar, ct_holidays
from agency.demo import DEMO_PASSWORD
from agency.roles import Role
from ombudsman import deadlines, reports, services
from ombudsman.models import Inquiry
from tests.browser import SCREENS, log_in, serious_accessibility_violations
from tests.factories import make_region, make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

pytestmark = pytest.mark.django_db

URL = reverse("ombudsman:reports")
MARCH = "?period=month&month=2026-03"


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


# Wednesday 1 April 2026, 10:00 in Connecticut.
NOW = local(2026, 4, 1, 10, 0)


@pytest.fixture(autouse=True)
def now(request, time_machine):
    if request.node.get_closest_marker("browser"):
        return  # the live server and the browser run on the real clock
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(db):
    return make_ombudsman()


@pytest.fixture
def lead(db):
    return make_ombudsman(lead=True)


@pytest.fixture
def regions(db):
    return make_region(code="RA", name="Region A"), make_region(code="RB", name="Region B")


def respond(inquiry, user, at):
    return services.inquiry_respond(
        inquiry=inquiry, actor=user, method="phone", summary="Called back.", responded_at=at
    )


def resolve(inquiry, user, at, time_machine):
    time_machine.move_to(at, tick=False)
    services.inquiry_resolve(inquiry=inquiry, actor=user, outcome="referred", summary="Done.")
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def march(staff, regions, time_machine):
    """Six inquiries received in March 2026 (local time), two around it."""
    ra, rb = regions
    a = make_inquiry(staff, received_at=local(2026, 3, 2, 10, 0), region=ra)
    respond(a, staff, local(2026, 3, 3, 9, 0))  # due Wed 4 March: met, 1 business day
    resolve(a, staff, local(2026, 3, 10, 12, 0), time_machine)  # 6 business days
    b = make_inquiry(
        staff,
        received_at=local(2026, 3, 6, 18, 0),  # Friday evening: counts from Monday 9
        channel="email",
        source_type="legislator",
        kind="complaint",
        region=ra,
    )
    respond(b, staff, local(2026, 3, 12, 10, 0))  # due Wed 11 March: missed, 3 days
    c = make_inquiry(
        staff,
        received_at=local(2026, 3, 16, 11, 0),
        channel="letter",
        kind="complaint",
        region=rb,
        urgency="immediate",
    )
    respond(c, staff, local(2026, 3, 16, 14, 0))  # due 15:00: met, 0 days
    resolve(c, staff, local(2026, 3, 18, 9, 0), time_machine)  # 2 business days
    make_inquiry(  # d: due Tue 24 March, no response: overdue
        staff, received_at=local(2026, 3, 20, 10, 0), channel="web", source_type="foster_parent"
    )
    make_inquiry(  # e: due Thu 2 April: waiting, not yet due; an open systemic issue
        staff,
        received_at=local(2026, 3, 31, 16, 0),
        kind="information_referral",
        scope="systemic",
        region=rb,
        subject="Transport to visits is cancelled across the region",
    )
    make_inquiry(  # g: 23:30 on 31 March is 03:30 UTC on 1 April, still March here
        None,
        received_at=local(2026, 3, 31, 23, 30),
        channel="web",
        source_type="other",
        kind="commissioner_correspondence",
    )
    # Around March: February (an open systemic issue from before) and April.
    make_inquiry(
        staff,
        received_at=local(2026, 2, 27, 10, 0),
        scope="systemic",
        subject='=HYPERLINK("http://bad.example")',
    )
    make_inquiry(staff, received_at=local(2026, 2, 28, 23, 59))  # Saturday, in February
    make_inquiry(staff, received_at=local(2026, 4, 1, 9, 0))


def counts(table) -> dict[str, int]:
    return {row.code: row.count for row in table.rows if row.count}


# --- the numbers ---------------------------------------------------------------------------


def test_march_volume_by_source_channel_kind_and_region(staff, march):
    report = reports.report(staff, periods.month_period(2026, 3), now=NOW)

    assert report.total == 6
    assert counts(report.table("source")) == {
        "client": 3,
        "legislator": 1,
        "foster_parent": 1,
        "other": 1,
    }
    assert counts(report.table("channel")) == {"phone": 2, "email": 1, "letter": 1, "web": 2}
    assert counts(report.table("kind")) == {
        "inquiry": 2,
        "complaint": 2,
        "information_referral": 1,
        "commissioner_correspondence": 1,
    }
    assert counts(report.table("region")) == {"RA": 2, "RB": 2, "": 2}
    source = report.table("source")
    assert [row.code for row in source.rows[:1]] == ["client"]
    assert source.rows[0].percent == "50%"
    assert source.summary == "6 inquiries; the largest source is Client with 3 (50%)."
    # Every category is listed, with zeros, so months compare line by line.
    assert len(source.rows) == len(Inquiry.SourceType.choices)


def test_march_timeliness(staff, march):
    timeliness = reports.report(staff, periods.month_period(2026, 3), now=NOW).timeliness

    assert (timeliness.met, timeliness.missed, timeliness.overdue, timeliness.waiting) == (
        2,
        1,
        1,
        2,
    )
    assert round(timeliness.met_share, 1) == 66.7
    assert timeliness.table.summary == (
        "67% of the 3 initial responses logged were on time (2 within the deadline, 1 "
        "after). 3 still waiting, 1 of them overdue."
    )


def test_march_medians_in_business_days(staff, march):
    report = reports.report(staff, periods.month_period(2026, 3), now=NOW)

    # To the initial response: 1, 3 and 0 business days.
    assert (report.to_response.days, report.to_response.count) == (1, 3)
    assert report.to_response.display == "1 business day"
    # To the resolution: 6 and 2 business days.
    assert (report.to_resolution.days, report.to_resolution.count) == (4, 2)


def test_the_year_counts_every_month(staff, march):
    report = reports.report(staff, periods.year_period(2026), now=NOW)

    assert report.total == 9
    by_month = {row.month.month: row for row in report.months}
    assert [by_month[m].received for m in (1, 2, 3, 4, 5)] == [0, 2, 6, 1, 0]
    assert (by_month[3].met, by_month[3].missed, by_month[3].waiting) == (2, 1, 3)
    assert by_month[3].met_percent == "67"
    assert by_month[2].met_percent == ""


def test_open_systemic_issues_are_listed_whenever_received(staff, march):
    report = reports.report(staff, periods.month_period(2026, 3), now=NOW)

    assert [i.subject for i in report.systemic] == [
        '=HYPERLINK("http://bad.example")',
        "Transport to visits is cancelled across the region",
    ]
    assert report.systemic_count == 2


def test_a_resolved_systemic_issue_is_no_longer_open(staff, time_machine):
    inquiry = make_inquiry(staff, scope="systemic", received_at=local(2026, 3, 30, 9, 0))
    respond(inquiry, staff, local(2026, 3, 30, 10, 0))
    resolve(inquiry, staff, local(2026, 3, 31, 9, 0), time_machine)

    assert reports.report(staff, periods.month_period(2026, 3), now=NOW).systemic_count == 0


def test_an_empty_month(staff):
    report = reports.report(staff, periods.month_period(2026, 1), now=NOW)

    assert report.total == 0
    assert report.timeliness.met_share is None
    assert report.to_response.days is None
    assert report.table("channel").summary == "No inquiries were received in this period."


@pytest.mark.parametrize(
    ("pairs", "median"),
    [
        ([], None),
        ([(3, 1)], 3),
        ([(0, 1), (1, 1), (3, 1)], 1),
        ([(2, 1), (6, 1)], 4),
        ([(1, 5), (9, 1)], 1),
        ([(1, 2), (2, 2)], 1.5),
        ([(5, 0), (2, 3)], 2),
    ],
)
def test_weighted_median(pairs, median):
    assert reports.weighted_median(pairs) == median


def test_the_business_day_counter_agrees_with_the_clock():
    cal = BusinessCalendar(holidays=ct_holidays(), closures={date(2026, 3, 4): "Storm"})
    counter = reports.BusinessDayCounter(cal, date(2026, 1, 1), date(2027, 1, 31))
    days = [date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * n for n in range(0, 390, 11)]
    for start in days:
        for end in days:
            expected = deadlines.business_days_taken(
                cal,
                timezone.make_aware(datetime.combine(start, datetime.min.time())),
                timezone.make_aware(datetime.combine(end, datetime.min.time())),
            )
            assert counter.between(start, end) == expected, (start, end)


@pytest.mark.parametrize(
    ("query", "kind", "first", "error"),
    [
        ({}, "month", date(2026, 4, 1), False),
        ({"period": "month", "month": "2026-03"}, "month", date(2026, 3, 1), False),
        ({"period": "year", "year": "2025"}, "year", date(2025, 1, 1), False),
        ({"period": "year"}, "year", date(2026, 1, 1), False),
        ({"period": "month", "month": "2026-13"}, "month", date(2026, 4, 1), True),
        ({"period": "month", "month": "March"}, "month", date(2026, 4, 1), True),
        ({"period": "year", "year": "2999"}, "month", date(2026, 4, 1), True),
        ({"period": "decade"}, "month", date(2026, 4, 1), True),
    ],
)
def test_reading_the_period(query, kind, first, error):
    period, message = periods.period_from(query, date(2026, 4, 1))

    assert (period.kind, period.first, bool(message)) == (kind, first, error)


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_charts_tables_and_summaries(client, staff, march):
    client.force_login(staff)

    response = client.get(URL + MARCH)

    assert response.status_code == 200
    page = response.text
    assert '<h2 id="period">March 2026</h2>' in page
    assert "67% of the 3 initial responses logged were on time" in page
    assert "Transport to visits is cancelled across the region" in page
    assert page.count("<caption") >= 7  # timeliness, medians, four volume tables, systemic
    assert 'aria-hidden="true"' in page  # the bars repeat the tables' numbers
    assert "format=csv&amp;table=source" in page
    assert "Month by month" not in page  # only in a year's report


def test_the_year_page_has_the_months(client, staff, march):
    client.force_login(staff)

    response = client.get(URL + "?period=year&year=2026")

    assert response.status_code == 200
    assert "Month by month" in response.text
    assert '<th scope="row">March 2026</th><td class="text-right">6</td>' in response.text


def test_a_period_that_cannot_be_read_shows_this_month_and_says_so(client, staff):
    client.force_login(staff)

    response = client.get(URL + "?period=month&month=2026-13")

    assert response.status_code == 200
    assert "That period could not be read" in response.text
    assert "April 2026" in response.text


# --- CSV -----------------------------------------------------------------------------------


def download(client, query) -> list[list[str]]:
    response = client.get(URL + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_of_the_channel_table(client, staff, march):
    client.force_login(staff)

    response = client.get(URL + MARCH + "&format=csv&table=channel")
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert response["Content-Disposition"] == (
        'attachment; filename="ombudsman-channel-2026-03.csv"'
    )
    assert rows[0] == ["Channel", "Code", "Inquiries", "Share (%)"]
    assert ["Phone", "phone", "2", "33.3"] in rows
    assert ["Fax", "fax", "0", "0.0"] in rows
    assert rows[-1] == ["Total", "", "6", "100.0"]


def test_csv_of_the_timeliness_table(client, staff, march):
    client.force_login(staff)

    rows = download(client, MARCH + "&format=csv&table=sla")

    assert rows[1:] == [
        ["Answered within the deadline", "met", "2", "33.3"],
        ["Answered after the deadline", "missed", "1", "16.7"],
        ["Still waiting, overdue", "overdue", "1", "16.7"],
        ["Still waiting, not yet due", "waiting", "2", "33.3"],
        ["Total", "", "6", "100.0"],
    ]


def test_csv_of_the_months_of_a_year(client, staff, march):
    client.force_login(staff)

    rows = download(client, "?period=year&year=2026&format=csv&table=months")

    assert rows[0][0] == "Month"
    assert ["2026-03", "6", "2", "1", "3", "67"] in rows
    assert len(rows) == 13


def test_csv_of_the_systemic_list_never_starts_a_cell_with_a_formula(client, staff, march):
    client.force_login(staff)

    rows = download(client, MARCH + "&format=csv&table=systemic")

    assert rows[0] == ["Reference", "Subject", "Region", "Received", "Status", "Assigned to"]
    assert rows[1][1] == '\'=HYPERLINK("http://bad.example")'
    assert rows[1][3] == "2026-02-27 10:00"
    assert rows[2][1:3] == ["Transport to visits is cancelled across the region", "Region B"]


@pytest.mark.parametrize("table", ["people", ""])
def test_csv_of_an_unknown_table_is_not_found(client, staff, table):
    client.force_login(staff)

    assert client.get(URL + f"{MARCH}&format=csv&table={table}").status_code == 404


def test_months_csv_only_for_a_year(client, staff):
    client.force_login(staff)

    assert client.get(URL + MARCH + "&format=csv&table=months").status_code == 404


# --- who may read it -----------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "outsider"])
def test_other_staff_are_refused(client, personas, persona):
    client.force_login(getattr(personas, persona))

    assert client.get(URL).status_code == 403
    assert client.get(URL + "?format=csv&table=source").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.AREA_ADMINISTRATOR, Role.ORE_ANALYST, Role.SYSTEM_ADMINISTRATOR]
)
def test_other_roles_are_refused(client, role):
    client.force_login(make_user(role))

    assert client.get(URL).status_code == 403


def test_the_lead_reads_the_report(client, lead, march):
    client.force_login(lead)

    response = client.get(URL + MARCH)

    assert response.status_code == 200
    assert "Transport to visits" in response.text


def test_the_commissioners_office_reads_the_numbers_but_no_inquiry(client, march):
    client.force_login(make_user(Role.COMMISSIONERS_OFFICE))

    response = client.get(URL + MARCH)

    assert response.status_code == 200
    assert "67% of the 3 initial responses logged were on time" in response.text
    assert "Transport to visits" not in response.text
    assert "OMB-2026-" not in response.text
    assert download(client, MARCH + "&format=csv&table=source")[-1] == ["Total", "", "6", "100.0"]
    assert client.get(URL + MARCH + "&format=csv&table=systemic").status_code == 403


# --- a fixed number of queries -------------------------------------------------------------


def queries(client, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL + query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", [MARCH, "?period=year&year=2026"])
def test_the_page_runs_the_same_queries_for_ten_or_a_hundred_inquiries(
    client, staff, regions, time_machine, query
):
    client.force_login(staff)

    def add(n):
        for k in range(n):
            inquiry = make_inquiry(
                staff,
                received_at=local(2026, 3, 1 + k % 28, 9 + k % 8, 0),
                scope="systemic" if k % 3 == 0 else "case_related",
                region=regions[k % 2],
                channel=Inquiry.Channel.values[k % 6],
            )
            if k % 2:
                respond(inquiry, staff, inquiry.received_at.replace(hour=17))
                if k % 4 == 1:
                    resolve(inquiry, staff, local(2026, 3, 31, 12, 0), time_machine)

    queries(client, query)  # the session's first request loads more than the page
    add(10)
    few = queries(client, query)
    add(90)
    many = queries(client, query)

    assert few == many
    assert many <= 16


# --- in the browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.usefixtures("role_groups")
@pytest.mark.django_db(transaction=True)
def test_the_lead_reads_the_report_in_the_browser(page, live_server):
    lead = make_ombudsman(lead=True, username="dana")
    lead.set_password(DEMO_PASSWORD)
    lead.save()
    for channel in ("phone", "phone", "email"):
        make_inquiry(lead, channel=channel, scope="systemic")
    today = timezone.localdate()

    log_in(page, live_server, "dana")
    page.goto(f"{live_server.url}{URL}")

    assert page.get_by_role("heading", level=1).inner_text() == "Ombudsman reports"
    assert page.get_by_role("heading", level=2, name=today.strftime("%B %Y")).is_visible()
    channel_table = page.get_by_role("table", name=re.compile("Inquiries by channel"))
    assert "Phone" in channel_table.get_by_role("row").nth(1).inner_text()
    assert serious_accessibility_violations(page) == []

    # USWDS draws the radio button on its label; people click the label.
    page.locator('label[for="period-year"]').click()
    assert page.get_by_label("One calendar year").is_checked()
    page.get_by_label("Year", exact=True).select_option(str(today.year))
    page.get_by_role("button", name="Show the report").click()

    assert page.get_by_role("heading", level=2, name=str(today.year)).is_visible()
    assert page.get_by_role("heading", name="Month by month").is_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "ombudsman-reports-year.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download inquiries by channel (CSV)").click()
    assert download.value.suggested_filename == f"ombudsman-channel-{today.year}.csv"
