"""Linking an FTDM to its placement after the fact: an FTDM held before the child moves
is usually recorded before the placement is, and counts for the placement's rule once
linked. The service, the pages (the meeting's and the placement's) and the API."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.models import FamilyMeeting
from casework.services import meetings as services
from tests.casework.factories_meetings import NOW, family_case, local, meeting_row, place

Kind, Status = FamilyMeeting.Kind, FamilyMeeting.Status
API = "/api/casework/meetings/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    """Leo's FTDM was held on Monday morning, before anyone recorded his placement with
    the Kelly family that afternoon."""
    family = family_case(personas)
    family.ftdm = meeting_row(
        family.case,
        Kind.FTDM,
        personas.caseworker,
        local(2026, 11, 23, 9, 0),
        status=Status.HELD,
        child=family.child,
        safety_discussion="No unsupervised contact with the father.",
    )
    family.placement = place(family.case, family.child, date(2026, 11, 23))
    return family


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


# --- the service -----------------------------------------------------------------------------


def test_a_held_ftdm_linked_later_counts_for_its_placement(personas, family):
    meeting = services.meeting_link_placement(
        meeting=family.ftdm, actor=personas.caseworker, version=1, placement=family.placement
    )
    assert meeting.placement == family.placement and meeting.version == 2
    assert meeting.status == Status.HELD and meeting.decisions == "Agreed the plan."
    history = meeting.history.order_by("-history_id").first()
    assert (
        history.history_user == personas.caseworker and history.placement_id == family.placement.pk
    )


def test_the_link_comes_off_with_none(personas, family):
    services.meeting_link_placement(
        meeting=family.ftdm, actor=personas.caseworker, version=1, placement=family.placement
    )
    meeting = services.meeting_link_placement(
        meeting=family.ftdm, actor=personas.caseworker, version=2, placement=None
    )
    assert meeting.placement is None and meeting.version == 3


def test_an_unlinked_ftdm_without_a_child_takes_the_placements_child(personas, family):
    family.ftdm.child = None
    family.ftdm.save()
    meeting = services.meeting_link_placement(
        meeting=family.ftdm, actor=personas.caseworker, version=1, placement=family.placement
    )
    assert meeting.child == family.child


@pytest.mark.parametrize(
    "case",
    ["other_childs", "entered_in_error", "not_an_ftdm", "cancelled", "stale"],
)
def test_wrong_links_are_refused_and_save_nothing(personas, family, case):
    placement, version = family.placement, 1
    if case == "other_childs":
        placement = place(family.case, family.sibling, date(2026, 11, 23))
    elif case == "entered_in_error":
        placement.entered_in_error = True
        placement.save()
    elif case == "not_an_ftdm":
        FamilyMeeting.objects.filter(pk=family.ftdm.pk).update(kind=Kind.FAMILY_CONFERENCE)
    elif case == "cancelled":
        FamilyMeeting.objects.filter(pk=family.ftdm.pk).update(
            status=Status.CANCELLED, cancel_reason="Nobody came."
        )
    else:
        version = 0
    with pytest.raises(ValidationError) as raised:
        services.meeting_link_placement(
            meeting=family.ftdm, actor=personas.caseworker, version=version, placement=placement
        )
    key = {"cancelled": "__all__", "stale": "version"}.get(case, "placement")
    assert key in raised.value.message_dict
    fresh = FamilyMeeting.objects.get(pk=family.ftdm.pk)
    assert fresh.placement_id is None and fresh.version == 1


# --- the pages -------------------------------------------------------------------------------


def test_the_worker_links_the_held_ftdm_from_the_placement_page(client, personas, family):
    client.force_login(personas.caseworker)
    case_page = client.get(url("case_detail", family.case.pk))
    assert "or link one already held" in case_page.text

    page = client.get(url("placement_detail", family.placement.pk))
    assert "Overdue:</strong> FTDM for Leo&#x27;s placement overdue" in page.text
    assert "Link to this placement" in page.text
    response = client.post(
        url("meeting_placement", family.ftdm.pk),
        {"placement": family.placement.pk, "version": 1, "back": "placement"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("placement_detail", family.placement.pk)
    family.ftdm.refresh_from_db()
    assert family.ftdm.placement == family.placement

    page = client.get(url("placement_detail", family.placement.pk))
    assert "Held on time:</strong> FTDM for Leo&#x27;s placement" in page.text
    assert "Link to this placement" not in page.text
    case_page = client.get(url("case_detail", family.case.pk))
    assert "Held on time" in case_page.text


def test_the_worker_links_it_from_the_meeting_page(client, personas, family):
    client.force_login(personas.caseworker)
    detail = client.get(url("meeting_detail", family.ftdm.pk))
    assert "Link it to the placement" in detail.text
    form = client.get(url("meeting_placement", family.ftdm.pk))
    assert "The Kelly family" in form.text
    response = client.post(
        url("meeting_placement", family.ftdm.pk),
        {"placement": family.placement.pk, "version": 1},
    )
    assert response["Location"] == url("meeting_detail", family.ftdm.pk)
    detail = client.get(url("meeting_detail", family.ftdm.pk))
    assert "Change the link" in detail.text and "with The Kelly family" in detail.text


def test_a_link_made_on_an_older_version_is_refused_with_the_reason(client, personas, family):
    services.meeting_link_placement(
        meeting=family.ftdm, actor=personas.supervisor, version=1, placement=family.placement
    )
    client.force_login(personas.caseworker)
    response = client.post(
        url("meeting_placement", family.ftdm.pk), {"placement": "", "version": 1}
    )
    assert response.status_code == 400
    assert "Someone else changed this meeting" in response.text
    family.ftdm.refresh_from_db()
    assert family.ftdm.placement == family.placement


def test_only_the_childs_placements_are_offered(client, personas, family):
    place(family.case, family.sibling, date(2026, 11, 20), caregiver="The Ortiz family")
    client.force_login(personas.caseworker)
    form = client.get(url("meeting_placement", family.ftdm.pk))
    assert "The Kelly family" in form.text and "The Ortiz family" not in form.text


def test_a_meeting_that_is_not_an_ftdm_has_no_placement_page(client, personas, family):
    FamilyMeeting.objects.filter(pk=family.ftdm.pk).update(kind=Kind.FAMILY_CONFERENCE)
    client.force_login(personas.caseworker)
    response = client.get(url("meeting_placement", family.ftdm.pk))
    assert response["Location"] == url("meeting_detail", family.ftdm.pk)
    detail = client.get(url("meeting_detail", family.ftdm.pk))
    assert "Link it to the placement" not in detail.text


@pytest.mark.parametrize("who,api", [("other_caseworker", 404), ("outsider", 403)])
def test_someone_outside_the_case_is_refused_and_links_nothing(client, personas, family, who, api):
    """404 for a case not theirs; the API answers 403 to an account with no role."""
    client.force_login(getattr(personas, who))
    responses = [
        client.get(url("meeting_placement", family.ftdm.pk)),
        client.post(
            url("meeting_placement", family.ftdm.pk),
            {"placement": family.placement.pk, "version": 1},
        ),
    ]
    assert [response.status_code for response in responses] == [404, 404]
    response = client.post(
        f"{API}{family.ftdm.pk}/placement/",
        {"placement": family.placement.pk, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == api
    family.ftdm.refresh_from_db()
    assert family.ftdm.placement is None


# --- the API ---------------------------------------------------------------------------------


def test_the_api_links_and_refuses_a_placement_from_elsewhere(client, personas, family):
    client.force_login(personas.caseworker)
    other = family_case(personas)
    elsewhere = place(other.case, other.child, date(2026, 11, 23))
    path = f"{API}{family.ftdm.pk}/placement/"
    response = client.post(
        path, {"placement": elsewhere.pk, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "placement" in response.json()
    response = client.post(path, {"version": 1}, content_type="application/json")
    assert response.status_code == 400 and "placement" in response.json()

    response = client.post(
        path, {"placement": family.placement.pk, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["placement"] == family.placement.pk
    assert response.json()["version"] == 2
    due = client.get(f"{API}due/?case={family.case.pk}").json()
    ftdm = next(row for row in due if row["kind"] == "ftdm")
    assert ftdm["state"] == "held" and ftdm["held_meeting"] == family.ftdm.pk


def test_a_held_meeting_is_linked_but_not_otherwise_changed(client, personas, family):
    client.force_login(personas.caseworker)
    for name in ("meeting_edit", "meeting_record", "meeting_cancel"):
        response = client.get(url(name, family.ftdm.pk), follow=True)
        assert response.redirect_chain == [(url("meeting_detail", family.ftdm.pk), 302)]
        assert "This meeting is held; it can no longer be changed." in response.text
