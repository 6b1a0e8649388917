"""The significant-event pages through HTTP: who may open them (403 for roles without
the permission, 404 for an event the user may not see), recording from a case page,
correcting with a version check, the report and its CSV, and the list's query count."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from agency import clock
from agency.models import Notification
from agency.roles import Role
from casework.models import CaseMember
from quality.models import SignificantEvent
from quality.services.events import event_update
from tests.casework.factories import add_member, make_case, make_person
from tests.factories import make_user
from tests.quality.factories_events import make_event, notify, record_event

NOW = "2026-11-23 10:00:00-05:00"
EASTERN = ZoneInfo("America/New_York")
Kind = SignificantEvent.Kind


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


@pytest.fixture
def child(case):
    return add_member(case, CaseMember.Role.CHILD, make_person(first_name="Mia")).person


@pytest.fixture
def reviewer(personas):
    return make_user(Role.QUALITY_REVIEWER, location=personas.central, username="reviewer")


@pytest.fixture
def commissioner(personas):
    return make_user(Role.COMMISSIONERS_OFFICE, location=personas.central, username="cco")


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'")


def form_data(**fields) -> dict:
    return {
        "kind": Kind.SERIOUS_OCCURRENCE,
        "occurred_at": "2026-11-22T21:30",
        "work_location": "",
        "facility": "Licensed foster home",
        "description": "The youth left placement overnight.",
        "reporter": "Foster parent",
        **fields,
    }


# --- recording ---------------------------------------------------------------------------


def test_record_from_a_case_page_names_people_and_notifies(
    client, personas, case, child, commissioner, django_capture_on_commit_callbacks
):
    notify(commissioner, Kind.NEAR_FATALITY)
    client.force_login(personas.caseworker)
    url = reverse("quality:event_new") + f"?case={case.pk}"
    page = client.get(url)
    assert page.status_code == 200
    text = main_text(page)
    assert case.number in text and child.full_name in text
    assert f'value="{personas.office.pk}" selected' in page.content.decode()  # the case's office
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            form_data(
                kind=Kind.NEAR_FATALITY, work_location=personas.office.pk, persons=[child.pk]
            ),
        )
    event = SignificantEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:event", args=[event.pk])
    assert event.case == case and list(event.persons.all()) == [child]
    assert event.occurred_at == datetime(2026, 11, 22, 21, 30, tzinfo=EASTERN)
    assert Notification.objects.filter(recipient=commissioner, kind="significant_event").exists()


def test_record_without_a_case_links_one_by_number(client, personas, case):
    client.force_login(personas.caseworker)
    response = client.post(reverse("quality:event_new"), form_data(case_number=case.number))
    assert response.status_code == 302
    assert SignificantEvent.objects.get().case == case


def test_record_refuses_a_case_number_the_user_cannot_see(client, personas):
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    client.force_login(personas.caseworker)
    response = client.post(reverse("quality:event_new"), form_data(case_number=hidden.number))
    assert response.status_code == 200
    assert "No case you may see has this number." in main_text(response)
    assert not SignificantEvent.objects.exists()


def test_service_errors_show_beside_the_fields_and_keep_the_input(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("quality:event_new"),
        form_data(occurred_at="2026-11-24T09:00", facility="", description="Kept text"),
    )
    assert response.status_code == 200
    text = main_text(response)
    assert "cannot be in the future" in text
    assert "Say where it happened" in text
    assert "Kept text" in response.content.decode()
    assert not SignificantEvent.objects.exists()


def test_recording_from_a_case_the_user_cannot_see_is_404(client, personas):
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    client.force_login(personas.caseworker)
    assert client.get(reverse("quality:event_new") + f"?case={hidden.pk}").status_code == 404


@pytest.mark.parametrize("who", ["ombudsman", "outsider"])
def test_roles_without_the_permission_cannot_record(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("quality:event_new")).status_code == 403
    assert client.post(reverse("quality:event_new"), form_data()).status_code == 403
    assert not SignificantEvent.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("quality:events"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the event page and editing -----------------------------------------------------------


def test_event_page_shows_details_and_history(client, personas, case, child, reviewer):
    event = record_event(personas.caseworker, case=case, persons=[child])
    event_update(event=event, actor=reviewer, version=1, reporter="Police officer")
    client.force_login(personas.caseworker)
    response = client.get(reverse("quality:event", args=[event.pk]))
    assert response.status_code == 200
    text = main_text(response)
    assert event.reference in text and child.full_name in text and "Police officer" in text
    assert "Recorded" in text and "Changed: Reported by" in text
    assert reverse("quality:event_edit", args=[event.pk]) in response.content.decode()


def test_event_page_is_404_for_someone_who_may_not_see_it(client, personas):
    event = record_event(personas.caseworker)
    for user in (personas.other_caseworker, personas.ombudsman, personas.outsider):
        client.force_login(user)
        assert client.get(reverse("quality:event", args=[event.pk])).status_code == 404
        assert client.get(reverse("quality:event_edit", args=[event.pk])).status_code == 404
    assert client.get(reverse("quality:event", args=[999_999])).status_code == 404


def test_edit_saves_through_the_version_check(client, personas, case, child):
    event = record_event(personas.caseworker, case=case)
    client.force_login(personas.caseworker)
    url = reverse("quality:event_edit", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200 and child.full_name in main_text(page)
    data = form_data(
        occurred_at="2026-11-23T10:00",
        case_number=case.number,
        persons=[child.pk],
        reporter="Police officer",
        version=1,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.reporter == "Police officer" and event.version == 2
    assert list(event.persons.all()) == [child]
    # The same form sent again was read at version 1: refused, input kept.
    data["reporter"] = "Someone else"
    stale = client.post(url, data)
    assert stale.status_code == 200
    assert "Someone else changed this event" in main_text(stale)
    event.refresh_from_db()
    assert event.reporter == "Police officer"


def test_a_viewer_who_did_not_record_it_may_not_edit(client, personas, reviewer):
    event = record_event(reviewer, work_location=personas.office)
    client.force_login(personas.supervisor)  # sees it (at their location) but cannot change it
    assert client.get(reverse("quality:event", args=[event.pk])).status_code == 200
    assert client.get(reverse("quality:event_edit", args=[event.pk])).status_code == 403
    client.force_login(reviewer)
    assert client.get(reverse("quality:event_edit", args=[event.pk])).status_code == 200


# --- the list -------------------------------------------------------------------------------


def test_list_shows_what_the_user_may_see_and_filters(client, personas, case):
    mine = record_event(personas.caseworker, case=case, kind=Kind.CHILD_FATALITY)
    hidden = record_event(personas.other_caseworker)
    client.force_login(personas.caseworker)
    text = main_text(client.get(reverse("quality:events")))
    assert mine.reference in text and hidden.reference not in text
    filtered = main_text(client.get(reverse("quality:events"), {"kind": Kind.NEAR_FATALITY}))
    assert mine.reference not in filtered and "No events match these filters." in filtered


@pytest.mark.parametrize("who", ["ombudsman", "outsider"])
def test_list_is_403_for_roles_without_events(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("quality:events")).status_code == 403


def test_list_queries_do_not_grow_with_the_data(
    client, personas, case, django_assert_max_num_queries
):
    client.force_login(personas.caseworker)
    url = reverse("quality:events")

    def add(n):
        for _ in range(n):
            make_event(personas.caseworker, occurred_at=clock.now(), case=case,
                       work_location=personas.office)  # fmt: skip

    add(2)
    client.get(url)  # warms the content-type cache and the session's activity stamp
    with django_assert_max_num_queries(10) as first:
        client.get(url)
    add(40)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 42
    assert len(response.context["page"].object_list) == 25


# --- the report -----------------------------------------------------------------------------


@pytest.fixture
def november(personas, reviewer):
    def event(day, kind=Kind.SERIOUS_OCCURRENCE, **fields):
        make_event(reviewer, occurred_at=datetime(2026, 11, day, 12, tzinfo=EASTERN), kind=kind,
                   **fields)  # fmt: skip

    event(2, work_location=personas.office)
    event(3, Kind.CHILD_FATALITY, work_location=personas.office)
    event(4, Kind.EMERGENCY_SAFETY_INTERVENTION, facility="=Riverview")
    event(5, work_location=personas.other_office)


def test_report_page_tables_and_summary(client, personas, reviewer, november):
    client.force_login(reviewer)
    response = client.get(reverse("quality:event_report"), {"period": "month", "month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Significant events in November 2026 by place" in html
    assert '<th scope="row">' in html and '<th scope="col"' in html
    text = main_text(response)
    assert "4 significant events in November 2026" in text
    assert "the most at Hartford Area Office (2)" in text


def test_report_csv(client, personas, reviewer, november):
    client.force_login(reviewer)
    response = client.get(
        reverse("quality:event_report"), {"period": "year", "year": "2026", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "significant-events-places-2026.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    labels = [label for _, label in SignificantEvent.Kind.choices]
    assert rows[0] == ["Place", *labels, "Total"]
    assert rows[1] == ["Hartford Area Office", "1", "0", "0", "1", "0", "2"]
    assert rows[2][0] == "'=Riverview"  # never a formula
    assert rows[-1] == ["Total", "1", "0", "1", "2", "0", "4"]
    months = client.get(
        reverse("quality:event_report"),
        {"period": "month", "month": "2026-11", "format": "csv", "table": "months"},
    )
    month_rows = list(csv.reader(io.StringIO(months.content.decode())))
    assert month_rows[0][0] == "Month" and len(month_rows) == 13
    assert month_rows[-1][0] == "2026-11" and month_rows[-1][-1] == "4"


def test_area_administrator_reads_their_office(client, personas, november):
    admin = make_user(Role.AREA_ADMINISTRATOR, location=personas.other_office)
    client.force_login(admin)
    response = client.get(reverse("quality:event_report"), {"month": "2026-11"})
    assert response.status_code == 200
    assert response.context["report"].total == 1


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "ombudsman", "outsider"])
def test_report_is_403_for_other_roles(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(reverse("quality:event_report")).status_code == 403
    response = client.get(reverse("quality:event_report"), {"format": "csv"})
    assert response.status_code == 403


def test_report_with_an_unreadable_period_shows_this_month(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("quality:event_report"), {"period": "month", "month": "x"})
    assert response.status_code == 200
    assert "could not be read" in main_text(response)
    assert response.context["period"].slug == f"{clock.today():%Y-%m}"


def test_commissioner_may_record_and_read_but_not_edit_others_events(
    client, personas, commissioner
):
    event = record_event(personas.caseworker, occurred_at=clock.now() - timedelta(days=1))
    client.force_login(commissioner)
    assert client.get(reverse("quality:events")).status_code == 200
    assert client.get(reverse("quality:event", args=[event.pk])).status_code == 200
    assert client.get(reverse("quality:event_edit", args=[event.pk])).status_code == 403
    assert client.get(reverse("quality:event_new")).status_code == 200
