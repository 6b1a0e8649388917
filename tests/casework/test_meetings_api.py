"""The family meetings API (/api/casework/meetings/), through HTTP."""

from datetime import date

import pytest

from agency.roles import Role
from casework.models import FamilyMeeting, MeetingParticipant, RecordView
from casework.services import meetings as services
from tests.casework.factories_meetings import NOW, family_case, local, place
from tests.factories import make_user

API = "/api/casework/meetings/"


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
        kind="ftdm",
        placement=family.placement,
        scheduled_for=local(2026, 11, 24, 9, 0),
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


def endpoints(family, meeting):
    pk = meeting.pk
    participant = meeting.participants.get().pk
    return [
        ("get", f"{API}{pk}/"),
        ("patch", f"{API}{pk}/"),
        ("post", f"{API}{pk}/participants/"),
        ("delete", f"{API}{pk}/participants/{participant}/"),
        ("post", f"{API}{pk}/record/"),
        ("post", f"{API}{pk}/cancel/"),
        ("post", f"{API}{pk}/placement/"),
        ("get", f"{API}due/?case={family.case.pk}"),
    ]


BODY = {
    "version": 2,
    "location": "Elsewhere",
    "held_at": "2026-11-24T09:00:00-05:00",
    "decisions": "x",
    "safety_discussion": "x",
    "reason": "x",
    "invitees": [{"name": "X", "relation": "provider"}],
    "placement": None,
}


def call(client, method, path, body=None):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


def unchanged(meeting):
    fresh = FamilyMeeting.objects.get(pk=meeting.pk)
    return (fresh.version, fresh.status, MeetingParticipant.objects.count()) == (2, "scheduled", 1)


# --- who may call what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_caseworker", "ombudsman"])
def test_callers_outside_the_case_get_404_and_change_nothing(
    client, personas, family, meeting, who
):
    client.force_login(getattr(personas, who))
    for method, path in endpoints(family, meeting):
        assert call(client, method, path, BODY).status_code == 404, (method, path)
    assert client.get(API).json()["count"] == 0
    body = {"case": family.case.pk, "kind": "family_conference",
            "scheduled_for": "2026-12-01T10:00:00-05:00"}  # fmt: skip
    assert call(client, "post", API, body).status_code == 404
    assert unchanged(meeting)


def test_accounts_without_a_role_and_anonymous_callers_are_refused(client, personas, meeting):
    assert client.get(API).status_code in (401, 403)
    client.force_login(personas.outsider)
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{meeting.pk}/").status_code == 403


def test_readers_get_the_meetings_and_403_on_writes(client, personas, family, meeting):
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    for method, path in endpoints(family, meeting):
        expected = 200 if method == "get" else 403
        assert call(client, method, path, BODY).status_code == expected, (method, path)
    assert unchanged(meeting)


# --- reading ---------------------------------------------------------------------------------


def test_listing_and_reading_a_meeting_with_its_participants(as_caseworker, family, meeting):
    listing = as_caseworker.get(API + f"?case={family.case.pk}&kind=ftdm&status=scheduled")
    assert listing.json()["count"] == 1
    answer = as_caseworker.get(f"{API}{meeting.pk}/").json()
    assert (answer["kind"], answer["status"], answer["version"]) == ("ftdm", "scheduled", 2)
    assert answer["child_name"] == "Leo Rivera"
    assert [p["relation"] for p in answer["participants"]] == ["mother"]
    assert RecordView.objects.filter(case=family.case, channel="api").exists()
    assert as_caseworker.get(API + "?status=held").json()["count"] == 0


def test_the_due_rules_of_a_case(as_caseworker, family):
    answer = as_caseworker.get(f"{API}due/?case={family.case.pk}").json()
    [ftdm] = [d for d in answer if d["kind"] == "ftdm"]
    assert ftdm["state"] == "due_soon"
    assert ftdm["due_on"] == "2026-11-25"
    assert ftdm["placement"] == family.placement.pk
    assert ftdm["rule"].startswith("An emergency placement: the FTDM is due within 72 hours")
    assert as_caseworker.get(f"{API}due/").status_code == 400


def test_the_list_runs_a_fixed_number_of_queries(
    as_caseworker, personas, family, meeting, django_assert_max_num_queries
):
    as_caseworker.get(API)
    with django_assert_max_num_queries(12) as one:
        as_caseworker.get(API)
    for n in range(8):
        other = services.meeting_schedule(
            case=family.case,
            actor=personas.caseworker,
            kind="family_conference",
            scheduled_for=local(2026, 12, 1 + n, 9, 0),
        )
        services.meeting_invite(
            meeting=other,
            actor=personas.caseworker,
            invitees=[{"person": family.father, "relation": "father"}],
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert as_caseworker.get(API).json()["count"] == 9


# --- writing ---------------------------------------------------------------------------------


def test_schedule_invite_record_through_the_api(as_caseworker, personas, family):
    response = call(
        as_caseworker,
        "post",
        API,
        {
            "case": family.case.pk,
            "kind": "ftdm",
            "placement": family.placement.pk,
            "scheduled_for": "2026-11-24T08:00:00-05:00",
            "facilitator": personas.supervisor.pk,
        },
    )
    assert response.status_code == 201, response.json()
    meeting = response.json()
    assert (meeting["child"], meeting["facilitator"]) == (family.child.pk, personas.supervisor.pk)

    response = call(
        as_caseworker,
        "post",
        f"{API}{meeting['id']}/participants/",
        {
            "version": 1,
            "invitees": [
                {"person": family.father.pk, "relation": "father"},
                {"name": "Grandma Flores", "relation": "paternal_family"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    father = next(p for p in response.json()["participants"] if p["relation"] == "father")

    response = call(
        as_caseworker,
        "post",
        f"{API}{meeting['id']}/record/",
        {
            "version": 2,
            "held_at": "2026-11-24T08:00:00-05:00",
            "attended": [father["id"]],
            "decisions": "Leo stays in foster care.",
            "safety_discussion": "Discussed the threats.",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "held"
    attended = {p["name"]: p["attended"] for p in response.json()["participants"]}
    assert attended == {"Raul Rivera": True, "Grandma Flores": False}


def test_a_meeting_recorded_without_a_time_is_400_and_nothing_saved(as_caseworker, meeting):
    response = call(
        as_caseworker,
        "post",
        f"{API}{meeting.pk}/record/",
        {"version": 2, "decisions": "Agreed.", "safety_discussion": "x"},
    )
    assert response.status_code == 400
    assert response.json() == {"held_at": ["Say when the meeting was held."]}
    assert unchanged(meeting)


def test_bad_input_is_400_with_a_field_map(as_caseworker, personas, family):
    other = family_case(personas)
    response = call(
        as_caseworker,
        "post",
        API,
        {"case": family.case.pk, "kind": "ftdm", "scheduled_for": None, "child": other.child.pk},
    )
    assert response.status_code == 400
    assert response.json() == {"child": [f"Not a child on this case: person {other.child.pk}."]}
    response = call(as_caseworker, "post", API, {"case": family.case.pk, "kind": "dance"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "scheduled_for"}
    response = call(
        as_caseworker,
        "post",
        API,
        {"case": family.case.pk, "kind": "shared_planning", "scheduled_for": None},
    )
    assert response.json() == {
        "scheduled_for": ["Say when the meeting is (date and time)."],
        "child": ["A shared planning meeting is about one child: choose the child."],
    }
    assert not FamilyMeeting.objects.exists()


def test_a_patch_on_an_older_version_is_refused(as_caseworker, meeting):
    response = call(as_caseworker, "patch", f"{API}{meeting.pk}/", {"location": "Home"})
    assert response.status_code == 400
    assert "version" in response.json()
    response = call(
        as_caseworker, "patch", f"{API}{meeting.pk}/", {"version": 2, "location": "Home"}
    )
    assert response.status_code == 200
    assert (response.json()["location"], response.json()["version"]) == ("Home", 3)
    response = call(
        as_caseworker, "patch", f"{API}{meeting.pk}/", {"version": 2, "location": "Office"}
    )
    assert response.status_code == 400
    assert "Someone else changed this meeting" in response.json()["version"][0]
    assert FamilyMeeting.objects.get().location == "Home"


def test_removing_a_participant_and_cancelling(as_caseworker, meeting):
    participant = meeting.participants.get()
    response = call(as_caseworker, "delete", f"{API}{meeting.pk}/participants/{participant.pk}/")
    assert response.status_code == 200
    assert response.json()["participants"] == []
    response = call(
        as_caseworker, "post", f"{API}{meeting.pk}/cancel/", {"version": 3, "reason": ""}
    )
    assert response.json() == {"cancel_reason": ["Say why the meeting is cancelled."]}
    response = call(
        as_caseworker, "post", f"{API}{meeting.pk}/cancel/", {"version": 3, "reason": "Snow."}
    )
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
