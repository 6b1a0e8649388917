"""The ORE data-request pages through HTTP: who may open each (403 for the pages of a
role without them, 404 for a request that is not theirs), the DCF-5101 form and its
errors, ORE's work from the request page, the requester's view and project scope, file
downloads, and the queue's words for the clock and its query count."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from agency.roles import Role
from quality.models import DataRequest, DataRequestFile
from quality.selectors import rules
from quality.services import data_requests as services
from tests.factories import make_user
from tests.quality.factories_data_requests import (
    advance,
    csv_file,
    fresh,
    make_ore,
    make_request,
    pdf_file,
    submit,
)

EASTERN = ZoneInfo("America/New_York")
# Monday 23 November 2026, 10:00 Eastern (Thanksgiving is Thursday 26).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN)
Status = DataRequest.Status
QUEUE = "/quality/data-requests/"
MINE = "/quality/data-requests/mine/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lead(db):
    return make_ore(lead=True, username="orelead", first_name="Sam", last_name="Patel")


@pytest.fixture
def analyst(db):
    return make_ore(username="analyst", first_name="Kim", last_name="Ng")


@pytest.fixture
def sysadmin(db):
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="sysadmin")


@pytest.fixture
def mine(personas):
    """The caseworker's request, with an attachment."""
    return submit(personas.caseworker, attachments=[pdf_file()])


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'")


def url(name: str, r: DataRequest, *extra) -> str:
    return reverse(f"quality:{name}", args=[r.pk, *extra])


def form_data(**fields) -> dict:
    return {
        "requester_name": "Casey Rivera",
        "organization": "Hartford Area Office",
        "requester_email": "casey@hearth.example",
        "title": "Kinship placements by region",
        "purpose": "Plan the kinship navigator program.",
        "questions": "How many children entering care went first to relatives?",
        "format": "spreadsheet",
        "date_needed": "2026-12-18",
        **fields,
    }


# --- who may open what -------------------------------------------------------------------------


def test_the_urls_are_the_agreed_ones(db):
    assert reverse("quality:data_requests") == QUEUE
    assert reverse("quality:my_data_requests") == MINE
    assert reverse("quality:data_request", args=[7]) == "/quality/data-requests/7/"
    assert reverse("quality:data_request_file", args=[7, 3]) == "/quality/data-requests/7/files/3/"


@pytest.mark.parametrize(
    ("who", "queue", "mine", "new", "enter"),
    [
        ("caseworker", 403, 200, 200, 403),
        ("supervisor", 403, 200, 200, 403),
        ("ombudsman", 403, 200, 200, 403),
        ("outsider", 403, 403, 403, 403),
        ("sysadmin", 403, 403, 403, 403),
        ("analyst", 200, 200, 200, 200),
    ],
)
def test_pages_answer_by_role(client, personas, analyst, sysadmin, who, queue, mine, new, enter):
    users = {"analyst": analyst, "sysadmin": sysadmin}
    client.force_login(users.get(who) or getattr(personas, who))
    assert client.get(QUEUE).status_code == queue
    assert client.get(MINE).status_code == mine
    assert client.get(reverse("quality:data_request_new")).status_code == new
    assert client.get(reverse("quality:data_request_enter")).status_code == enter
    # ORE's form answers an empty post with its errors (200); anyone else is refused.
    assert client.post(reverse("quality:data_request_enter"), {}).status_code == enter


def test_anonymous_users_are_sent_to_log_in(client, mine):
    for target in (QUEUE, MINE, url("data_request", mine)):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_request_is_404_for_anyone_but_its_requester_and_ore(
    client, personas, mine, analyst, sysadmin
):
    attachment = mine.files.get()
    for user in (personas.other_caseworker, personas.supervisor, personas.outsider, sysadmin):
        client.force_login(user)
        assert client.get(url("data_request", mine)).status_code == 404
        assert client.get(url("data_request_file", mine, attachment.pk)).status_code == 404
        assert client.post(url("data_request_scope", mine), {}).status_code == 404
        assert client.post(url("data_request_catalog", mine), {}).status_code == 404
    for user in (personas.caseworker, analyst):
        client.force_login(user)
        assert client.get(url("data_request", mine)).status_code == 200
        download = client.get(url("data_request_file", mine, attachment.pk))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
        assert download["Cache-Control"] == "private, no-store"
        assert 'filename="letter.pdf"' in download["Content-Disposition"]
    client.force_login(personas.caseworker)
    assert client.get(reverse("quality:data_request", args=[999_999])).status_code == 404
    assert client.get(url("data_request_file", mine, 999_999)).status_code == 404


@pytest.mark.parametrize(
    "action",
    ["catalog", "approve", "decline", "request_scope", "irb_decision", "take", "assign",
     "start", "deliver", "close", "file", "note"],
)  # fmt: skip
def test_the_requester_may_not_work_their_own_request(client, personas, mine, action):
    client.force_login(personas.caseworker)
    assert client.post(url(f"data_request_{action}", mine), {}).status_code == 403
    assert fresh(mine).version == 1


def test_actions_are_posts_only(client, mine, analyst):
    client.force_login(analyst)
    assert client.get(url("data_request_catalog", mine)).status_code == 405


# --- asking for data ---------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_user(client, personas):
    client.force_login(personas.caseworker)
    html = client.get(reverse("quality:data_request_new")).content.decode()
    assert f'value="{personas.caseworker.get_full_name()}"' in html
    assert 'value="Hartford Area Office"' in html
    assert f'value="{personas.caseworker.email}"' in html
    assert "up to 25 MB each" in html


def test_a_member_of_staff_submits_a_request_and_follows_it(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("quality:data_request_new"),
        form_data(attachments=[csv_file("cohort.csv")], is_research="on"),
    )
    r = DataRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("data_request", r)
    assert r.requester == personas.caseworker and r.is_research
    assert r.files.get().name == "cohort.csv"
    page = client.get(url("data_request", r))
    text = main_text(page)
    assert f"{r.reference}: Kinship placements by region" in text
    assert "Received" in text and "the ad hoc target until ORE catalogs the request" in text
    assert "Due 15 Dec 2026 (15 business days left)" in text  # Thanksgiving skipped
    assert "Work on this request" not in text  # no ORE actions for the requester
    listing = main_text(client.get(MINE))
    assert r.reference in listing and "Received" in listing


def test_a_request_with_no_purpose_shows_the_error_and_saves_nothing(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("quality:data_request_new"), form_data(purpose=""))
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"] == ["Say why the data are needed."]
    assert "Say why the data are needed." in main_text(response)
    assert not DataRequest.objects.exists()


def test_a_date_needed_in_the_past_is_shown_beside_the_field(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(reverse("quality:data_request_new"), form_data(date_needed="2026-11-20"))
    assert response.context["form"].errors["date_needed"] == [
        "The date needed cannot be in the past (before 23 Nov 2026)."
    ]
    assert not DataRequest.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1), content_type="text/csv"),
         "big.csv is 1.0 MB; the limit is 1 MB."),
        (SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload"),
         "run.exe: files of this type are not accepted"),
    ],
)  # fmt: skip
def test_a_bad_attachment_shows_the_error_and_saves_nothing(
    client, personas, settings, upload, message
):
    office_rules = rules()
    office_rules.ore_max_file_mb = 1
    office_rules.save()
    client.force_login(personas.caseworker)
    response = client.post(reverse("quality:data_request_new"), form_data(attachments=[upload]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["attachments"][0].startswith(message)
    assert "Choose the files again" in form.non_field_errors()[0]
    assert not DataRequest.objects.exists() and not DataRequestFile.objects.exists()


def test_ore_enters_an_external_request(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("quality:data_request_enter"),
        form_data(
            requester_name="Leah Goldberg",
            organization="Hartford Courant",
            requester_email="",
            requester_address="285 Broad Street, Hartford",
            channel="mail",
            received_at="2026-11-20T14:30",
        ),
    )
    r = DataRequest.objects.get()
    assert response.status_code == 302
    assert r.requester is None and r.channel == "mail" and r.entered_by == analyst
    assert r.received_at == datetime(2026, 11, 20, 14, 30, tzinfo=EASTERN)
    text = main_text(client.get(url("data_request", r)))
    assert "Leah Goldberg (outside the agency)" in text and "entered by Kim Ng" in text


def test_an_external_request_received_in_the_future_is_refused(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("quality:data_request_enter"),
        form_data(channel="email", received_at="2026-11-24T09:00"),
    )
    assert response.context["form"].errors["received_at"] == [
        "The time received cannot be in the future."
    ]
    assert not DataRequest.objects.exists()


# --- ORE's work on the request page ------------------------------------------------------------


def post_action(client, r, name, **data):
    fresh_request = fresh(r)
    prefix = name.replace("_", "-")
    body = {f"{prefix}-{key}": value for key, value in data.items()}
    body.setdefault(f"{prefix}-version", fresh_request.version)
    return client.post(url(f"data_request_{name}", r), body)


def test_an_analyst_takes_a_request_from_receipt_to_delivery(client, personas, mine, analyst):
    client.force_login(analyst)
    page = client.get(url("data_request", mine))
    assert [a["name"] for a in page.context["actions"]] == ["catalog", "file", "note"]

    assert post_action(client, mine, "catalog", category="foia").status_code == 302
    assert fresh(mine).status == Status.CATALOGED and fresh(mine).target_business_days == 4
    page = client.get(url("data_request", mine))
    assert [a["name"] for a in page.context["actions"]] == [
        "approve", "request_scope", "decline", "file", "note",
    ]  # fmt: skip
    assert post_action(client, mine, "approve").status_code == 302
    page = client.get(url("data_request", mine))
    names = [a["name"] for a in page.context["actions"]]
    assert "take" in names and "assign" not in names  # not the lead
    assert post_action(client, mine, "take").status_code == 302
    assert fresh(mine).analyst == analyst
    assert post_action(client, mine, "start").status_code == 302
    response = client.post(
        url("data_request_deliver", mine),
        {
            "deliver-version": fresh(mine).version,
            "deliver-note": "Tables by region.",
            "deliver-files": [csv_file("tables.csv")],
        },
    )
    assert response.status_code == 302
    r = fresh(mine)
    assert r.status == Status.DELIVERED
    assert post_action(client, mine, "close").status_code == 302
    assert fresh(mine).status == Status.CLOSED

    client.force_login(personas.caseworker)
    text = main_text(client.get(url("data_request", mine)))
    assert "Closed" in text and "Tables by region." in text and "tables.csv" in text
    assert "Delivered 23 Nov 2026, on time" in text


def test_a_refused_action_shows_its_errors_and_keeps_the_input(client, mine, analyst):
    client.force_login(analyst)
    post_action(client, mine, "catalog", category="ad_hoc")
    response = post_action(client, mine, "decline", reason="")
    assert response.status_code == 200
    bound = next(a for a in response.context["actions"] if a["name"] == "decline")
    assert bound["open"] and bound["form"].errors["reason"] == [
        "Give the reason; the requester sees it."
    ]
    stale = post_action(client, mine, "approve", version=1)
    assert stale.status_code == 200
    assert services.STALE_MESSAGE in main_text(stale)
    assert fresh(mine).status == Status.CATALOGED


def test_an_action_that_no_longer_applies_says_so(client, mine, analyst):
    client.force_login(analyst)
    response = post_action(client, mine, "close")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "That action no longer applies to this request." in main_text(follow)


def test_only_the_lead_assigns_others(client, mine, lead, analyst):
    r = advance(mine, lead, Status.APPROVED)
    client.force_login(analyst)
    assert post_action(client, r, "assign", analyst=analyst.pk).status_code == 403
    client.force_login(lead)
    page = client.get(url("data_request", r))
    names = [a["name"] for a in page.context["actions"]]
    assert "assign" in names and "take" in names
    assert post_action(client, r, "assign", analyst=analyst.pk).status_code == 302
    assert fresh(r).analyst == analyst and fresh(r).status == Status.ASSIGNED


def test_internal_notes_stay_with_ore(client, personas, mine, analyst):
    client.force_login(analyst)
    assert post_action(client, mine, "note", note="Check with Legal Affairs.").status_code == 302
    assert "Check with Legal Affairs." in main_text(client.get(url("data_request", mine)))
    client.force_login(personas.caseworker)
    assert "Check with Legal Affairs." not in main_text(client.get(url("data_request", mine)))


# --- the project scope -------------------------------------------------------------------------


def test_the_requester_sends_the_scope_ore_asked_for(client, personas, mine, analyst, time_machine):
    client.force_login(analyst)
    post_action(client, mine, "catalog", category="ad_hoc")
    post_action(client, mine, "request_scope", what_ore_needs="The cohort and the years.")
    time_machine.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=EASTERN), tick=False)

    client.force_login(personas.caseworker)
    page = client.get(url("data_request", mine))
    text = main_text(page)
    assert [a["name"] for a in page.context["actions"]] == ["scope"]
    assert "What ORE needs from you" in text and "The cohort and the years." in text
    assert "Clock stopped since 23 Nov 2026, waiting for a project scope (4 business days" in text
    assert "received_at" not in page.context["actions"][0]["form"].fields  # ORE's field only
    assert client.get(MINE).status_code == 200

    refused = post_action(client, mine, "scope", objectives="")
    assert refused.status_code == 200 and "Give the project's objectives" in main_text(refused)
    assert post_action(client, mine, "scope", objectives="Entries by year.").status_code == 302
    r = fresh(mine)
    # Hold: 24, 25, 27 and 30 November (Thanksgiving skipped).
    assert r.status == Status.CATALOGED and r.hold_business_days == 4
    assert r.due_on == date(2026, 12, 21)
    text = main_text(client.get(url("data_request", mine)))
    assert "4 business days waiting for a project scope" in text
    assert "moved back 4 business days for time on hold" in text

    client.force_login(personas.other_caseworker)
    assert post_action(client, mine, "scope", objectives="x").status_code == 404


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_shows_the_clock_in_words_and_filters(client, personas, lead, analyst):
    overdue = make_request(
        personas.caseworker, title="Late one", status=Status.IN_PROGRESS, category="ad_hoc",
        due_on=date(2026, 11, 19), analyst=analyst,
    )  # fmt: skip
    soon = make_request(
        personas.caseworker, title="Soon one", status=Status.CATALOGED, category="foia",
        due_on=date(2026, 11, 25),
    )  # fmt: skip
    held = make_request(
        personas.caseworker, title="Held one", status=Status.SCOPE_REQUESTED, category="ad_hoc",
        due_on=date(2026, 11, 20), on_hold_since=datetime(2026, 11, 18, 9, tzinfo=EASTERN),
    )  # fmt: skip
    done = make_request(
        personas.caseworker, title="Done one", status=Status.CLOSED, category="ad_hoc",
        due_on=date(2026, 11, 1),
    )  # fmt: skip
    client.force_login(analyst)
    text = main_text(client.get(QUEUE))
    assert "Overdue since 19 Nov 2026 (2 business days)" in text
    assert "Due soon: 25 Nov 2026 (2 business days left)" in text
    assert "Clock stopped since 18 Nov 2026, waiting for a project scope (3 business days" in text
    assert done.reference not in text and "3 requests" in text

    filtered = main_text(client.get(QUEUE, {"overdue": "on"}))
    assert overdue.reference in filtered and soon.reference not in filtered
    assert held.reference not in filtered  # the clock is stopped
    mine_only = main_text(client.get(QUEUE, {"mine": "on"}))
    assert overdue.reference in mine_only and soon.reference not in mine_only
    closed = main_text(client.get(QUEUE, {"status": "closed"}))
    assert done.reference in closed and overdue.reference not in closed
    assert done.reference in main_text(client.get(QUEUE, {"status": "all"}))


def test_the_queue_links_to_the_catalog_and_the_reports_once_they_exist(client, analyst):
    client.force_login(analyst)
    html = client.get(QUEUE).content.decode()
    assert reverse("quality:data_request_enter") in html
    for name in ("quality:data_catalog", "quality:data_request_reports"):
        try:
            target = reverse(name)
        except NoReverseMatch:
            continue  # built by the catalog's own work; linked as soon as it lands
        assert f'href="{target}"' in html


def test_the_queue_runs_a_fixed_number_of_queries(
    client, personas, analyst, django_assert_max_num_queries
):
    client.force_login(analyst)

    def add(n):
        for i in range(n):
            make_request(
                personas.caseworker, status=Status.IN_PROGRESS, category="ad_hoc",
                analyst=analyst if i % 2 else None, due_on=date(2026, 11, 20 + i % 10),
            )  # fmt: skip

    add(1)
    client.get(QUEUE)  # warms the content-type cache and the session's activity stamp
    with django_assert_max_num_queries(12) as first:
        response = client.get(QUEUE)
    assert len(response.context["page"].object_list) == 1
    add(29)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(QUEUE)
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25


def test_my_requests_list_only_mine_in_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    other = make_request(personas.other_caseworker, title="Not mine", category="")
    make_request(personas.caseworker, title="Mine 1")
    client.force_login(personas.caseworker)
    client.get(MINE)
    with django_assert_max_num_queries(12) as first:
        response = client.get(MINE)
    for _ in range(29):
        make_request(personas.caseworker)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(MINE)
    assert response.context["page"].paginator.count == 30
    assert other.reference not in main_text(response)
