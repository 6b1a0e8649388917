"""The family meeting pages, through HTTP: who may open them, what they show, what they
save; the case page's section, the caseload's items, the meetings page and admin."""

import html
import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import FamilyMeeting, MeetingParticipant, RecordView
from casework.services import meetings as services
from tests.casework.factories_meetings import NOW, family_case, local, meeting_row, place
from tests.factories import make_user

Kind = FamilyMeeting.Kind


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    family = family_case(personas)
    family.placement = place(family.case, family.child, date(2026, 11, 22), emergency=True)
    return family


@pytest.fixture
def meeting(personas, family):
    meeting = services.meeting_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=Kind.FTDM,
        placement=family.placement,
        scheduled_for=local(2026, 11, 24, 9, 0),
        location="Hartford Area Office",
    )
    services.meeting_invite(
        meeting=meeting,
        actor=personas.caseworker,
        invitees=[{"person": family.mother, "relation": "mother"}],
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def case_pages(family, meeting):
    """(name, URL, method) of every page bound to a case or a meeting."""
    case, pk = family.case.pk, meeting.pk
    participant = meeting.participants.get().pk
    return [
        ("case_meetings", url("case_meetings", case), "get"),
        ("meeting_new", url("meeting_new", case), "get"),
        ("meeting_new", url("meeting_new", case), "post"),
        ("meeting_detail", url("meeting_detail", pk), "get"),
        ("meeting_edit", url("meeting_edit", pk), "get"),
        ("meeting_edit", url("meeting_edit", pk), "post"),
        ("meeting_invite", url("meeting_invite", pk), "get"),
        ("meeting_invite", url("meeting_invite", pk), "post"),
        ("meeting_record", url("meeting_record", pk), "get"),
        ("meeting_record", url("meeting_record", pk), "post"),
        ("meeting_cancel", url("meeting_cancel", pk), "get"),
        ("meeting_cancel", url("meeting_cancel", pk), "post"),
        ("meeting_placement", url("meeting_placement", pk), "get"),
        ("meeting_placement", url("meeting_placement", pk), "post"),
        ("meeting_participant_remove", url("meeting_participant_remove", participant), "post"),
    ]


WRITES = {
    "meeting_new",
    "meeting_edit",
    "meeting_invite",
    "meeting_record",
    "meeting_cancel",
    "meeting_participant_remove",
    "meeting_placement",
}
# What a forbidden POST would change, were it let through.
FORM = {
    "kind": Kind.FAMILY_CONFERENCE,
    "scheduled_for": "2026-12-01T10:00",
    "held_at": "2026-11-24T09:00",
    "decisions": "x",
    "safety_discussion": "x",
    "cancel_reason": "x",
    "other_name": "Someone",
    "other_relation": "provider",
    "invited_on": "2026-11-24",
    "version": "2",
}


def unchanged(meeting):
    fresh = FamilyMeeting.objects.get(pk=meeting.pk)
    return (
        FamilyMeeting.objects.count() == 1
        and fresh.status == "scheduled"
        and fresh.version == meeting.version
        and fresh.participants.count() == 1
    )


# --- who may open what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, family, meeting):
    for _name, path, method in [
        *case_pages(family, meeting),
        ("meeting_list", url("meeting_list"), "get"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404_and_change_nothing(client, personas, family, meeting, who):
    client.force_login(getattr(personas, who))
    for name, path, method in case_pages(family, meeting):
        response = getattr(client, method)(path, FORM) if method == "post" else client.get(path)
        assert response.status_code == 404, (name, method)
    assert unchanged(meeting)


@pytest.mark.parametrize("role", [Role.QUALITY_REVIEWER, Role.AREA_ADMINISTRATOR])
def test_readers_see_the_meetings_but_change_nothing(client, personas, family, meeting, role):
    location = personas.central if role == Role.QUALITY_REVIEWER else personas.office
    client.force_login(make_user(role, location=location))
    for name, path, method in case_pages(family, meeting):
        response = getattr(client, method)(path, FORM) if method == "post" else client.get(path)
        expected = 403 if name in WRITES else 200
        assert response.status_code == expected, (name, method)
    assert unchanged(meeting)


def test_the_meetings_page_is_for_casework_roles(client, personas):
    for who in ("outsider", "ombudsman"):
        client.force_login(getattr(personas, who))
        assert client.get(url("meeting_list")).status_code == 403


def test_another_units_caseworker_does_not_see_the_case_on_the_meetings_page(
    client, personas, family, meeting
):
    client.force_login(personas.other_caseworker)
    response = client.get(url("meeting_list") + "?scope=unit")
    assert response.status_code == 200
    assert family.case.number not in response.text


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("meeting_detail", "Family Team Decision Making 24 Nov 2026 · {number} · Hearth"),
        ("meeting_edit", "Change the meeting · {number} · Hearth"),
        ("meeting_invite", "Invite people · Family Team Decision Making · {number} · Hearth"),
        ("meeting_record", "Record the meeting · {number} · Hearth"),
        ("meeting_cancel", "Cancel the meeting · {number} · Hearth"),
    ],
)
def test_the_worker_opens_the_meeting_pages(as_caseworker, family, meeting, name, title):
    response = as_caseworker.get(url(name, meeting.pk))
    assert response.status_code == 200
    assert page_title(response) == title.format(number=family.case.number)


def test_opening_a_meeting_is_logged_and_shows_who_is_invited(as_caseworker, family, meeting):
    response = as_caseworker.get(url("meeting_detail", meeting.pk))
    assert "Ana Rivera" in response.text
    assert "No one from the father&#x27;s side is invited" in response.text
    assert RecordView.objects.filter(case=family.case, channel="page").exists()


# --- the flow through the pages --------------------------------------------------------------


def test_schedule_invite_and_record_an_ftdm_through_the_pages(as_caseworker, personas, family):
    new = as_caseworker.get(
        url("meeting_new", family.case.pk)
        + f"?kind=ftdm&child={family.child.pk}&placement={family.placement.pk}"
    )
    assert 'value="ftdm" selected' in new.text
    response = as_caseworker.post(
        url("meeting_new", family.case.pk),
        {
            "kind": "ftdm",
            "child": family.child.pk,
            "placement": family.placement.pk,
            "scheduled_for": "2026-11-24T08:30",
            "location": "Hartford Area Office",
            "facilitator": personas.supervisor.pk,
            "purpose": "Decide where Leo lives.",
        },
    )
    meeting = FamilyMeeting.objects.get()
    assert response["Location"] == url("meeting_invite", meeting.pk)
    assert meeting.facilitator == personas.supervisor

    invite = as_caseworker.get(url("meeting_invite", meeting.pk))
    assert "Raul Rivera" in invite.text and "(Father)" in invite.text
    response = as_caseworker.post(
        url("meeting_invite", meeting.pk),
        {
            "people": [family.mother.pk, family.father.pk],
            "other_name": "Coach Diaz",
            "other_relation": "natural_support",
            "invited_on": "2026-11-23",
            "version": "1",
        },
    )
    assert response["Location"] == url("meeting_detail", meeting.pk)
    assert sorted(meeting.participants.values_list("relation", flat=True)) == [
        "father",
        "mother",
        "natural_support",
    ]

    mother = meeting.participants.get(relation="mother")
    response = as_caseworker.post(
        url("meeting_record", meeting.pk),
        {
            "held_at": "2026-11-24T08:30",
            "attended": [mother.pk],
            "decisions": "Leo stays with the Kelly family for now.",
            "safety_discussion": "Father's violence; no unsupervised contact.",
            "conditions_for_return": "Father completes the program.",
            "version": "2",
        },
    )
    assert response["Location"] == url("meeting_detail", meeting.pk)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    page = as_caseworker.get(url("meeting_detail", meeting.pk))
    assert "Father completes the program." in page.text
    assert "Did not come" in page.text
    assert "<p>None recorded.</p>" in page.text  # no changes to the plan were given

    case_page = as_caseworker.get(url("case_detail", family.case.pk))
    assert "Held on time" in case_page.text


def test_recording_without_a_time_shows_the_error_and_saves_nothing(as_caseworker, meeting):
    response = as_caseworker.post(
        url("meeting_record", meeting.pk),
        {"held_at": "", "decisions": "Agreed.", "safety_discussion": "x", "version": "2"},
    )
    assert response.status_code == 400
    assert "Say when the meeting was held." in response.text
    assert "Agreed." in response.text  # the input is kept
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_at) == ("scheduled", None)


def test_an_ftdm_recorded_without_its_safety_discussion_is_refused(as_caseworker, meeting):
    response = as_caseworker.post(
        url("meeting_record", meeting.pk),
        {"held_at": "2026-11-24T09:00", "decisions": "Agreed.", "version": "2"},
    )
    assert response.status_code == 400
    assert "Record the safety discussion" in response.text
    assert FamilyMeeting.objects.get().status == "scheduled"


def test_an_edit_made_on_an_older_version_is_refused_with_the_input_kept(
    as_caseworker, personas, meeting
):
    services.meeting_update(
        meeting=meeting, actor=personas.supervisor, version=2, location="By video"
    )
    response = as_caseworker.post(
        url("meeting_edit", meeting.pk),
        {
            "kind": "ftdm",
            "child": meeting.child_id,
            "placement": meeting.placement_id,
            "scheduled_for": "2026-11-24T11:00",
            "location": "The family's home",
            "version": "2",
        },
    )
    assert response.status_code == 400
    assert "Someone else changed this meeting" in response.text
    assert "The family's home" in html.unescape(response.text)
    assert FamilyMeeting.objects.get().location == "By video"


def test_cancelling_a_meeting_and_taking_someone_off_the_invitations(as_caseworker, meeting):
    participant = meeting.participants.get()
    response = as_caseworker.post(url("meeting_participant_remove", participant.pk))
    assert response["Location"] == url("meeting_detail", meeting.pk)
    assert not MeetingParticipant.objects.exists()

    response = as_caseworker.post(url("meeting_cancel", meeting.pk), {"version": "2"})
    assert response.status_code == 400
    assert "Say why the meeting is cancelled." in response.text
    response = as_caseworker.post(
        url("meeting_cancel", meeting.pk), {"cancel_reason": "Mother ill.", "version": "3"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Mother ill.")
    # A cancelled meeting takes no more changes.
    response = as_caseworker.get(url("meeting_record", meeting.pk))
    assert response["Location"] == url("meeting_detail", meeting.pk)


def test_scheduling_with_bad_input_shows_field_errors_and_saves_nothing(as_caseworker, family):
    response = as_caseworker.post(
        url("meeting_new", family.case.pk), {"kind": "shared_planning", "scheduled_for": ""}
    )
    assert response.status_code == 400
    assert "Say when the meeting is (date and time)." in response.text
    response = as_caseworker.post(
        url("meeting_new", family.case.pk),
        {"kind": "shared_planning", "scheduled_for": "2026-12-01T10:00"},
    )
    assert response.status_code == 400
    assert "A shared planning meeting is about one child: choose the child." in response.text
    assert not FamilyMeeting.objects.exists()


# --- the case page and the caseload ----------------------------------------------------------


def test_the_case_page_shows_due_meetings_with_their_rule_in_words(as_caseworker, personas, family):
    place(family.case, family.sibling, date(2026, 5, 1))
    meeting_row(family.case, Kind.FAMILY_CONFERENCE, personas.caseworker, local(2026, 11, 12, 10))

    page = as_caseworker.get(url("case_detail", family.case.pk)).text

    assert "FTDM for Leo&#x27;s emergency placement due 25 Nov" in page
    assert "counted from the end of the day Leo was placed (22 Nov 2026)" in page
    assert "Shared planning meeting for Mia overdue (due 28 Oct)" in page
    assert "the first shared planning meeting is due after 180 days in care" in page
    assert "Not recorded:" in page and "Family conference of Thu 12 Nov 2026" in page
    schedule = (
        f"{url('meeting_new', family.case.pk)}?kind=ftdm&amp;child={family.child.pk}"
        f"&amp;placement={family.placement.pk}"
    )
    assert schedule in page


def test_the_caseload_lists_meetings_due_and_not_recorded(as_caseworker, personas, family):
    meeting_row(family.case, Kind.FAMILY_CONFERENCE, personas.caseworker, local(2026, 11, 12, 10))
    page = html.unescape(as_caseworker.get(url("caseload")).text)
    assert "FTDM for Leo's emergency placement due 25 Nov" in page
    assert "Family conference of 12 Nov not recorded" in page

    in_home = family_case(personas, case_type="in_home", opened_on=date(2026, 10, 1))
    page = html.unescape(as_caseworker.get(url("caseload")).text)
    assert "Case-planning meeting overdue (due 31 Oct)" in page
    assert in_home.case.number in page


def test_the_caseload_drops_a_meeting_once_held_and_keeps_that(as_caseworker, personas, family):
    assert "FTDM for Leo's emergency placement due 25 Nov" in html.unescape(
        as_caseworker.get(url("caseload")).text
    )
    meeting = services.meeting_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=Kind.FTDM,
        placement=family.placement,
        scheduled_for=local(2026, 11, 24, 8, 0),
    )
    services.meeting_record(
        meeting=meeting,
        actor=personas.caseworker,
        version=1,
        held_at=local(2026, 11, 24, 8, 0),
        decisions="Leo stays with the Kellys.",
        safety_discussion="Discussed.",
    )
    # The kept "what is due" row was marked stale by the save and is recomputed.
    page = html.unescape(as_caseworker.get(url("caseload")).text)
    assert "FTDM for Leo" not in page
    assert "FTDM for Leo" not in html.unescape(as_caseworker.get(url("caseload")).text)


def test_the_supervisors_unit_view_lists_them_too(client, personas, family):
    client.force_login(personas.supervisor)
    page = html.unescape(client.get(url("caseload") + "?scope=unit").text)
    assert "FTDM for Leo's emergency placement due 25 Nov" in page


# --- lists and their query counts ------------------------------------------------------------


def _fill(personas, n):
    for k in range(n):
        family = family_case(personas)
        placement = place(family.case, family.child, date(2026, 5, 1) + timedelta(days=k))
        meeting_row(family.case, Kind.FTDM, personas.caseworker, local(2026, 4, 30, 9),
                    status="held", child=family.child, placement=placement)  # fmt: skip
        meeting_row(family.case, Kind.CHILD_FAMILY_TEAM, personas.caseworker,
                    local(2026, 12, 1, 9))  # fmt: skip
        meeting_row(family.case, Kind.FAMILY_CONFERENCE, personas.caseworker,
                    local(2026, 11, 2, 9))  # fmt: skip


def test_the_meetings_page_lists_due_scheduled_and_late_in_fixed_queries(
    client, personas, django_assert_max_num_queries
):
    _fill(personas, 1)
    client.force_login(personas.supervisor)
    client.get(url("meeting_list"))  # warm caches (content types, rules)
    with django_assert_max_num_queries(20) as one:
        page = client.get(url("meeting_list"))
    assert "Shared planning meeting for Leo overdue (due 28 Oct)" in page.text
    assert "Child and family team meeting" in page.text
    assert "Family conference of Mon 2 Nov 2026" in page.text
    _fill(personas, 12)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url("meeting_list"))
    assert page.text.count("Shared planning meeting for Leo overdue") == 13


def test_a_cases_meetings_page_runs_fixed_queries(
    as_caseworker, personas, family, django_assert_max_num_queries
):
    meeting_row(family.case, Kind.FAMILY_CONFERENCE, personas.caseworker, local(2026, 11, 2, 9))
    as_caseworker.get(url("case_meetings", family.case.pk))
    with django_assert_max_num_queries(20) as one:
        as_caseworker.get(url("case_meetings", family.case.pk))
    for day in range(1, 20):
        meeting_row(family.case, Kind.FAMILY_CONFERENCE, personas.caseworker,
                    local(2026, 10, day, 9), status="held")  # fmt: skip
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = as_caseworker.get(url("case_meetings", family.case.pk))
    assert page.text.count("Family conference") >= 20


# --- admin -----------------------------------------------------------------------------------


def test_admin_shows_meetings_with_their_participants_read_only(client, meeting):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    listing = client.get("/admin/casework/familymeeting/?q=" + meeting.case.number)
    change = client.get(f"/admin/casework/familymeeting/{meeting.pk}/change/")
    history = client.get(f"/admin/casework/familymeeting/{meeting.pk}/history/")
    assert listing.status_code == change.status_code == history.status_code == 200
    assert meeting.case.number in listing.text
    assert "Ana Rivera" in change.text
    assert 'name="_save"' not in change.text
    assert client.get("/admin/casework/familymeeting/add/").status_code == 403
    assert client.get(f"/admin/casework/familymeeting/{meeting.pk}/delete/").status_code == 403
