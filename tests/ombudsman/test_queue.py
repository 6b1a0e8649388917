"""The inquiry queue, through HTTP: tabs, filters, search, sort, pages, the lead's bulk
assignment, who may open it, and a query count that does not grow with the queue."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse

from agency import clock
from agency.roles import Role
from agency.selectors import business_calendar
from ombudsman import deadlines, services
from ombudsman.models import Inquiry
from tests.factories import make_region, make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

NOW = "2026-11-23 10:00:00-05:00"  # a Monday morning
EASTERN = ZoneInfo("America/New_York")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(personas):
    return personas.ombudsman


@pytest.fixture
def lead(personas):
    return make_ombudsman(lead=True, location=personas.central, username="lead")


@pytest.fixture
def commissioner(personas):
    return make_user(Role.COMMISSIONERS_OFFICE, location=personas.central, username="cco")


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#x27;", "'")


def references(response) -> list[str]:
    """The references listed on the page, in order."""
    return re.findall(r'<a [^>]*href="/ombudsman/inquiries/\d+/">(OMB-[\w-]+)</a>', response.text)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


QUEUE = "/ombudsman/"


# --- who may open it -------------------------------------------------------------------------


def test_queue_url_names():
    assert reverse("ombudsman:queue") == QUEUE
    assert reverse("ombudsman:queue_assign") == "/ombudsman/assign/"


def test_anonymous_is_sent_to_log_in(client, db):
    for response in (client.get(QUEUE), client.post(reverse("ombudsman:queue_assign"))):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["outsider", "caseworker", "supervisor"])
def test_other_roles_get_403(client, personas, now, who):
    inquiry = make_inquiry(actor=personas.ombudsman)
    client.force_login(getattr(personas, who))

    assert client.get(QUEUE).status_code == 403
    response = client.post(
        reverse("ombudsman:queue_assign"),
        {"inquiries": [inquiry.pk], "assignee": personas.ombudsman.pk},
    )
    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


def test_only_the_lead_assigns_in_bulk(client, staff, commissioner, now):
    inquiry = make_inquiry(actor=staff)
    for user in (staff, commissioner):
        client.force_login(user)
        response = client.post(
            reverse("ombudsman:queue_assign"), {"inquiries": [inquiry.pk], "assignee": staff.pk}
        )
        assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


def test_commissioners_office_sees_its_correspondence_only_and_reads_it(
    client, staff, commissioner, now
):
    letter = make_inquiry(
        actor=staff, kind=Inquiry.Kind.COMMISSIONER_CORRESPONDENCE, subject="Senator's letter"
    )
    make_inquiry(actor=staff, subject="A parent's call")
    client.force_login(commissioner)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert references(response) == [letter.reference]
    text = main_text(response)
    assert "A parent's call" not in text
    assert "My inquiries" not in text and "Record an inquiry" not in text
    assert "queue_assign" not in text and 'name="inquiries"' not in response.text
    assert "Take" not in text
    # Asking for another tab changes nothing.
    assert references(client.get(QUEUE + "?view=unassigned")) == [letter.reference]


# --- tabs --------------------------------------------------------------------------------------


def test_staff_start_on_their_own_inquiries_and_the_lead_on_all(client, staff, lead, now):
    mine = make_inquiry(actor=staff, subject="Mine")
    services.inquiry_assign(inquiry=mine, assignee=staff, actor=staff)
    theirs = make_inquiry(actor=staff, subject="Someone else's")
    services.inquiry_assign(inquiry=theirs, assignee=lead, actor=lead)
    loose = make_inquiry(actor=staff, subject="Nobody's")

    client.force_login(staff)
    default = client.get(QUEUE)
    unassigned = client.get(QUEUE + "?view=unassigned")
    everything = client.get(QUEUE + "?view=all")
    client.force_login(lead)
    lead_default = client.get(QUEUE)

    assert references(default) == [mine.reference]
    assert "My inquiries (1 open)" in main_text(default)
    assert "Unassigned (1 open)" in main_text(default) and "All (3 open)" in main_text(default)
    assert references(unassigned) == [loose.reference]
    assert set(references(everything)) == {mine.reference, theirs.reference, loose.reference}
    assert set(references(lead_default)) == {mine.reference, theirs.reference, loose.reference}


def test_staff_take_an_unassigned_inquiry_from_the_queue(client, staff, now):
    inquiry = make_inquiry(actor=staff)
    client.force_login(staff)
    back = QUEUE + "?view=unassigned&sort=reference"

    page = client.get(back)
    response = client.post(reverse("ombudsman:inquiry_take", args=[inquiry.pk]), {"next": back})

    assert f'Take<span class="usa-sr-only"> {inquiry.reference}</span>' in page.text
    assert response.status_code == 302 and response["Location"] == back
    inquiry.refresh_from_db()
    assert inquiry.assignee == staff
    # An outside address is not followed.
    other = make_inquiry(actor=staff)
    away = client.post(
        reverse("ombudsman:inquiry_take", args=[other.pk]), {"next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("ombudsman:inquiry", args=[other.pk])


# --- what a row says ---------------------------------------------------------------------------


def test_rows_say_the_sla_state_in_words_and_colour(client, lead, staff, now):
    overdue = make_inquiry(actor=staff, received_at=local(2026, 11, 18, 10), subject="Old")
    today = make_inquiry(actor=staff, received_at=local(2026, 11, 19, 10), subject="Today")
    fresh = make_inquiry(actor=staff, subject="Fresh")
    met = make_inquiry(actor=staff, received_at=local(2026, 11, 20, 9), subject="Answered")
    services.inquiry_respond(inquiry=met, actor=staff, method="phone", summary="Called back.")
    client.force_login(lead)

    response = client.get(QUEUE)

    # Waiting ones first, most urgent first; the answered one last.
    assert references(response) == [
        overdue.reference,
        today.reference,
        fresh.reference,
        met.reference,
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", response.text, re.S)[1:]
    row_text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in rows]
    assert "Overdue" in row_text[0] and "Overdue by 2 business hours" in row_text[0]
    assert "hearth-sla--overdue bg-secondary-dark" in rows[0]
    assert "Due today" in row_text[1] and "7 business hours left" in row_text[1]
    assert "hearth-sla--due_today bg-gold text-ink" in rows[1]
    assert "On track" in row_text[2] and "2 business days 7 hours left" in row_text[2]
    assert "Met" in row_text[3] and "hearth-sla--met bg-green" in rows[3]
    assert "Fri 20 Nov 2026, 17:00" in row_text[0]  # the due time
    assert "Client" in row_text[0] and "by phone" in row_text[0]
    assert "Unassigned" in row_text[0] and staff.get_full_name() in row_text[3]


# --- filters, search, sort, pages --------------------------------------------------------------


@pytest.fixture
def mixed(staff, lead, now):
    """A few inquiries that differ in every filtered column."""
    region = make_region(name="Western")
    rows = {
        "overdue": make_inquiry(
            actor=staff, received_at=local(2026, 11, 18, 10), contact_name="Maria Ortega"
        ),
        "immediate": make_inquiry(
            actor=staff, urgency="immediate", channel="email", source_type="legislator"
        ),
        "letter": make_inquiry(
            actor=staff, channel="letter", region=region, kind="complaint", subject="Respite"
        ),
        "closed": make_inquiry(actor=staff, description="Asks about the transport voucher."),
    }
    services.inquiry_assign(inquiry=rows["letter"], assignee=staff, actor=lead)
    services.inquiry_respond(inquiry=rows["closed"], actor=staff, method="email", summary="Sent.")
    services.inquiry_resolve(
        inquiry=rows["closed"], actor=staff, outcome="information_provided", summary="Answered."
    )
    services.inquiry_close(inquiry=rows["closed"], actor=staff)
    rows["region"] = region
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["overdue", "immediate", "letter"]),
        ("status=any", ["overdue", "immediate", "letter", "closed"]),
        ("status=closed", ["closed"]),
        ("status=assigned", ["letter"]),
        ("sla=overdue", ["overdue"]),
        ("sla=on_track", ["letter"]),
        ("sla=due_today", ["immediate"]),
        ("sla=met&status=any", ["closed"]),
        ("urgency=immediate", ["immediate"]),
        ("source_type=legislator", ["immediate"]),
        ("channel=letter", ["letter"]),
        ("kind=complaint", ["letter"]),
        ("q=ortega", ["overdue"]),
        ("q=RESPITE", ["letter"]),
        ("q=transport+voucher&status=any", ["closed"]),
    ],
)
def test_filters_and_search(client, lead, mixed, query, expected):
    client.force_login(lead)
    response = client.get(f"{QUEUE}?view=all&{query}")
    assert response.status_code == 200
    assert references(response) == [mixed[key].reference for key in expected]


def test_filter_by_region_assignee_and_reference(client, lead, staff, mixed):
    client.force_login(lead)
    by_region = client.get(f"{QUEUE}?region={mixed['region'].pk}")
    by_assignee = client.get(f"{QUEUE}?assignee={staff.pk}")
    by_reference = client.get(f"{QUEUE}?q={mixed['immediate'].reference.lower()}")
    assert references(by_region) == [mixed["letter"].reference]
    assert references(by_assignee) == [mixed["letter"].reference]
    assert references(by_reference) == [mixed["immediate"].reference]
    assert "Clear filters" in main_text(by_region)
    assert "No inquiries match these filters." in main_text(client.get(f"{QUEUE}?q=nobody"))


def test_an_invalid_filter_says_so_and_lists_everything(client, lead, mixed):
    client.force_login(lead)
    response = client.get(f"{QUEUE}?region=999999&sla=soon")
    assert "Select a valid choice" in main_text(response)
    assert len(references(response)) == 3


def test_sorts(client, lead, staff, now):
    old = make_inquiry(actor=staff, received_at=local(2026, 11, 18, 10))
    new = make_inquiry(actor=staff)
    urgent = make_inquiry(actor=staff, urgency="immediate", received_at=local(2026, 11, 23, 9))
    client.force_login(lead)

    def order(sort):
        return references(client.get(f"{QUEUE}?sort={sort}"))

    assert order("due") == [old.reference, urgent.reference, new.reference]
    assert order("-due") == [new.reference, urgent.reference, old.reference]
    assert order("received") == [new.reference, urgent.reference, old.reference]
    assert order("reference") == sorted([old.reference, new.reference, urgent.reference])


def test_pages_of_25_keep_the_filters(client, lead, staff, now):
    for n in range(27):
        make_inquiry(actor=staff, subject=f"Visit question {n}")
    client.force_login(lead)

    first = client.get(f"{QUEUE}?view=all&q=visit")
    second = client.get(f"{QUEUE}?view=all&q=visit&page=2")

    assert len(references(first)) == 25 and len(references(second)) == 2
    assert "27 inquiries, page 1 of 2" in main_text(first)
    assert 'href="?view=all&amp;q=visit&amp;page=2"' in first.text


def test_reports_link_is_the_leads_only(client, lead, staff, now):
    try:
        reports = reverse("ombudsman:reports")
    except NoReverseMatch:
        reports = None
    client.force_login(staff)
    assert "Reports" not in main_text(client.get(QUEUE))
    client.force_login(lead)
    lead_page = client.get(QUEUE)
    if reports:
        assert f'href="{reports}"' in lead_page.text
    else:
        assert "Reports" not in main_text(lead_page)


# --- bulk assignment ---------------------------------------------------------------------------


def test_lead_assigns_several_and_hears_which_were_skipped(client, lead, staff, now):
    first, second = make_inquiry(actor=staff), make_inquiry(actor=staff)
    done = make_inquiry(actor=staff)
    services.inquiry_respond(inquiry=done, actor=staff, method="phone", summary="Called.")
    services.inquiry_resolve(inquiry=done, actor=staff, outcome="referred", summary="Referred.")
    client.force_login(lead)
    back = QUEUE + "?view=unassigned"

    page = client.get(back)
    response = client.post(
        reverse("ombudsman:queue_assign"),
        {"inquiries": [first.pk, second.pk, done.pk], "assignee": staff.pk, "next": back},
    )
    followed = client.get(response["Location"])

    assert f'value="{first.pk}"' in page.text and "Assign the ticked inquiries to" in page.text
    assert response.status_code == 302 and response["Location"] == back
    for inquiry in (first, second):
        inquiry.refresh_from_db()
        assert inquiry.assignee == staff and inquiry.status == Inquiry.Status.ASSIGNED
    done.refresh_from_db()
    assert done.assignee == staff  # the responder, unchanged by the bulk action
    said = messages_of(followed)
    assert f"Assigned 2 inquiries to {staff.get_full_name()}." in said
    assert f"Not assigned, because they are no longer open: {done.reference} (resolved)." in said


def test_bulk_assign_needs_ticks_and_an_assignee(client, lead, staff, personas, now):
    inquiry = make_inquiry(actor=staff)
    client.force_login(lead)
    url = reverse("ombudsman:queue_assign")

    nothing = client.post(url, {"assignee": staff.pk}, follow=True)
    nobody = client.post(url, {"inquiries": [inquiry.pk]}, follow=True)
    caseworker = client.post(
        url, {"inquiries": [inquiry.pk], "assignee": personas.caseworker.pk}, follow=True
    )
    unknown = client.post(url, {"inquiries": [inquiry.pk + 999], "assignee": staff.pk}, follow=True)
    garbage = client.post(url, {"inquiries": ["x"], "assignee": staff.pk}, follow=True)

    assert "Tick at least one inquiry to assign." in messages_of(nothing)
    assert "Choose whom to assign them to." in messages_of(nobody)
    assert any("Select a valid choice" in m for m in messages_of(caseworker))
    assert "None of the ticked inquiries can be found." in messages_of(unknown)
    assert "Tick inquiries from the list." in messages_of(garbage)
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


# --- the query count does not grow with the queue ----------------------------------------------


def bulk_inquiries(count: int, *, assignee=None, region=None) -> None:
    """`count` inquiries written straight to the table (the due time from the real
    clock), to make a big queue fast."""
    cal, now = business_calendar(), clock.now()
    start = Inquiry.objects.count()
    rows = []
    for n in range(start, start + count):
        received = now - timedelta(hours=(n * 13) % 200)  # some overdue, some not
        urgency = "immediate" if n % 7 == 0 else "routine"
        due = deadlines.initial_response_due(cal, received, urgency)
        rows.append(
            Inquiry(
                reference=f"OMB-T-{n:06d}",
                channel=Inquiry.Channel.values[n % 6],
                source_type=Inquiry.SourceType.values[n % 11],
                urgency=urgency,
                kind=Inquiry.Kind.COMMISSIONER_CORRESPONDENCE
                if n % 5 == 0
                else Inquiry.Kind.INQUIRY,
                status=Inquiry.Status.ASSIGNED if n % 3 == 0 else Inquiry.Status.NEW,
                assignee=assignee if n % 3 == 0 else None,
                region=region if n % 2 else None,
                received_at=received,
                effective_received_at=due.effective_received_at,
                initial_response_due_at=due.due_at,
                subject=f"Bulk inquiry {n}",
                description="About a visit.",
                contact_name=f"Caller {n}",
                search_document=f"omb-t-{n:06d}\ncaller {n}\nbulk inquiry {n}\nabout a visit.",
            )
        )
    Inquiry.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("lead", "?view=all"),
        ("lead", "?view=all&sla=overdue&q=visit&region=REGION&sort=received"),
        ("staff", ""),
        ("staff", "?view=unassigned&page=2"),
        ("commissioner", ""),
    ],
)
def test_queue_query_count_is_the_same_for_10_and_1000_inquiries(
    client, staff, lead, commissioner, now, django_assert_max_num_queries, who, query
):
    region = make_region(name="Northern")
    query = query.replace("REGION", str(region.pk))
    user = {"lead": lead, "staff": staff, "commissioner": commissioner}[who]
    client.force_login(user)
    bulk_inquiries(10, assignee=staff, region=region)
    client.get(QUEUE + query)  # warm the session and the caches

    with django_assert_max_num_queries(20) as small:
        small_page = client.get(QUEUE + query)
    bulk_inquiries(990, assignee=staff, region=region)
    with django_assert_max_num_queries(len(small)) as big:
        big_page = client.get(QUEUE + query)

    assert len(big) == len(small), (len(small), len(big))
    assert small_page.status_code == big_page.status_code == 200
    # Both pages list rows (an empty page would skip the rows' query).
    assert references(small_page)
    assert len(references(big_page)) == 25
