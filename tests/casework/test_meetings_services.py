"""Family meetings through the services: scheduling, invitations, recording,
cancelling, version checks; the due rules on real rows; the reminder sweep."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from agency.models import Notification
from agency.roles import Role
from casework.models import FamilyMeeting, MeetingParticipant
from casework.selectors import meetings as selectors
from casework.selectors import rules
from casework.services import meetings as services
from tests.casework.factories_meetings import NOW, TODAY, family_case, local, meeting_row, place
from tests.factories import make_user

Kind = FamilyMeeting.Kind
Relation = MeetingParticipant.Relation


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return family_case(personas)


def schedule(family, actor, **fields) -> FamilyMeeting:
    return services.meeting_schedule(
        **{
            "case": family.case,
            "actor": actor,
            "kind": Kind.FAMILY_CONFERENCE,
            "scheduled_for": local(2026, 11, 30, 14, 0),
            "location": "Hartford Area Office, room 2",
            "purpose": "Plan the holidays with the family.",
        }
        | fields
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- scheduling ------------------------------------------------------------------------------


def test_scheduling_an_ftdm_for_a_placement_links_the_child_and_keeps_who(personas, family):
    placement = place(family.case, family.child, date(2026, 11, 22), emergency=True)

    meeting = schedule(
        family,
        personas.caseworker,
        kind=Kind.FTDM,
        placement=placement,
        facilitator=personas.supervisor,
    )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.child, meeting.version) == ("scheduled", family.child, 1)
    assert meeting.recorded_by == personas.caseworker
    assert meeting.history.get().history_user == personas.caseworker


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "picnic"}, "kind", "Choose the kind of meeting."),
        ({"scheduled_for": None}, "scheduled_for", "Say when the meeting is (date and time)."),
        ({"kind": Kind.FTDM}, "child", "An FTDM is about one child: choose the child."),
        ({"kind": Kind.SHARED_PLANNING}, "child", "A shared planning meeting is about one"),
        ({"location": "x" * 201}, "location", "Keep the place to 200 characters."),
    ],
)
def test_bad_details_are_refused_field_by_field_and_nothing_is_saved(
    personas, family, fields, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, **fields)

    assert errors_of(excinfo)[field][0].startswith(message)
    assert not FamilyMeeting.objects.exists()


def test_the_child_and_placement_must_belong_to_the_case(personas, family):
    other = family_case(personas)
    elsewhere = place(other.case, other.child, date(2026, 11, 1))
    mias = place(family.case, family.sibling, date(2026, 11, 1))

    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, kind=Kind.FTDM, child=other.child)
    assert "is not a child on case" in errors_of(excinfo)["child"][0]
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, kind=Kind.FTDM, placement=elsewhere)
    assert errors_of(excinfo)["placement"] == ["Choose a placement of this case."]
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, kind=Kind.FTDM, child=family.child, placement=mias)
    assert errors_of(excinfo)["placement"] == ["This placement is not Leo's."]
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, placement=mias)
    assert errors_of(excinfo)["placement"] == [
        "Only a Family Team Decision Making meeting has a placement."
    ]
    assert not FamilyMeeting.objects.exists()


def test_the_facilitator_is_casework_staff(personas, family):
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, facilitator=personas.ombudsman)
    assert errors_of(excinfo)["facilitator"] == ["Choose a member of casework staff to facilitate."]


def test_a_closed_case_takes_no_new_meeting(personas, family):
    family.case.status, family.case.closed_on = "closed", TODAY
    family.case.save()
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker)
    assert errors_of(excinfo)[NON_FIELD_ERRORS] == [f"Case {family.case.number} is closed."]


# --- changing, inviting ----------------------------------------------------------------------


def test_an_edit_on_an_older_version_is_refused_and_keeps_the_other_change(personas, family):
    meeting = schedule(family, personas.caseworker)
    services.meeting_update(
        meeting=meeting, actor=personas.supervisor, version=1, location="By video"
    )

    with pytest.raises(ValidationError) as excinfo:
        services.meeting_update(
            meeting=meeting, actor=personas.caseworker, version=1, location="The family's home"
        )

    assert "Someone else changed this meeting" in errors_of(excinfo)["version"][0]
    meeting.refresh_from_db()
    assert (meeting.location, meeting.version) == ("By video", 2)


def test_linking_an_ftdm_to_its_placement_later_satisfies_the_rule(personas, family):
    # The FTDM is held before the placement, which is recorded afterwards.
    meeting = schedule(
        family, personas.caseworker, kind=Kind.FTDM, child=family.child,
        scheduled_for=local(2026, 11, 20, 9, 0),
    )  # fmt: skip
    services.meeting_record(
        meeting=meeting,
        actor=personas.caseworker,
        version=1,
        held_at=local(2026, 11, 20, 9, 0),
        decisions="Place with the Kelly family.",
        safety_discussion="Father's violence: no contact until the assessment.",
    )
    placement = place(family.case, family.child, date(2026, 11, 21))
    assert _ftdm_state(family) == "overdue"

    meeting.refresh_from_db()
    with pytest.raises(ValidationError):  # held: no more changes through the schedule form
        services.meeting_update(
            meeting=meeting, actor=personas.caseworker, version=2, placement=placement
        )
    FamilyMeeting.objects.filter(pk=meeting.pk).update(placement=placement)
    assert _ftdm_state(family) == "held"


def _ftdm_state(family) -> str:
    dues, _ = selectors.meeting_dues([family.case], today=TODAY)[family.case.pk]
    return next(d.state for d in dues.dues if d.kind == "ftdm")


def test_inviting_people_on_the_case_and_others_all_or_nothing(personas, family):
    meeting = schedule(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.meeting_invite(
            meeting=meeting,
            actor=personas.caseworker,
            version=1,
            invitees=[
                {"person": family.mother, "relation": Relation.MOTHER},
                {"name": "", "relation": Relation.PROVIDER},
            ],
        )
    assert errors_of(excinfo)["invitees"] == ["Give the name of the person invited."]
    assert not MeetingParticipant.objects.exists()

    services.meeting_invite(
        meeting=meeting,
        actor=personas.caseworker,
        version=1,
        invitees=[
            {"person": family.mother, "relation": Relation.MOTHER},
            {"name": "Dr. Lee, Family Support Center", "relation": Relation.PROVIDER},
        ],
    )
    assert sorted(meeting.participants.values_list("name", "relation", "invited_on")) == [
        ("Ana Rivera", "mother", TODAY),
        ("Dr. Lee, Family Support Center", "provider", TODAY),
    ]
    meeting.refresh_from_db()
    assert meeting.version == 2
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_invite(
            meeting=meeting,
            actor=personas.caseworker,
            invitees=[{"person": family.mother, "relation": Relation.MOTHER}],
        )
    assert errors_of(excinfo)["invitees"] == ["Ana Rivera is already invited."]


def test_someone_not_on_the_case_is_invited_by_name_only(personas, family):
    meeting = schedule(family, personas.caseworker)
    stranger = family_case(personas).mother
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_invite(
            meeting=meeting,
            actor=personas.caseworker,
            invitees=[{"person": stranger, "relation": Relation.MOTHER}],
        )
    assert errors_of(excinfo)["invitees"] == [f"Ana Rivera is not on case {family.case.number}."]


def test_the_invitation_form_offers_the_family_with_their_relation_and_hints(personas, family):
    rows = selectors.invitable_members(family.case, today=TODAY)
    by_name = {r.person.first_name: r for r in rows}
    assert (by_name["Ana"].relation, by_name["Ana"].ticked) == ("mother", True)
    assert (by_name["Raul"].relation, by_name["Rosa"].relation) == ("father", "maternal_family")
    assert (by_name["Leo"].relation, by_name["Leo"].note) == ("child", "age 10")
    assert by_name["Leo"].ticked is False  # under 12: the worker decides
    assert selectors.family_side_hints(["mother", "maternal_family"]) == [
        "No one from the father's side is invited: invite the father or paternal family "
        "(identify and locate a father who is not on the case)."
    ]
    assert selectors.family_side_hints(["paternal_family", "mother"]) == []


# --- recording and cancelling ----------------------------------------------------------------


def test_recording_a_meeting_keeps_attendance_and_what_was_decided(personas, family):
    meeting = schedule(family, personas.caseworker, kind=Kind.SHARED_PLANNING, child=family.child)
    mother, _father = services.meeting_invite(
        meeting=meeting,
        actor=personas.caseworker,
        version=1,
        invitees=[
            {"person": family.mother, "relation": Relation.MOTHER},
            {"person": family.father, "relation": Relation.FATHER},
        ],
    )

    services.meeting_record(
        meeting=meeting,
        actor=personas.caseworker,
        version=2,
        held_at=local(2026, 11, 23, 14, 0),
        attended=[mother.pk],
        decisions="Reunification stays the goal; concurrent plan guardianship.",
        safety_discussion="No active threat while the mother attends treatment.",
        conditions_for_return="Six months sober; stable housing.",
        plan_changes="Add weekend visits.",
    )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.version) == ("held", 3)
    assert meeting.conditions_for_return == "Six months sober; stable housing."
    assert dict(meeting.participants.values_list("name", "attended")) == {
        "Ana Rivera": True,
        "Raul Rivera": False,
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"held_at": None}, "held_at", "Say when the meeting was held."),
        ({"held_at": local(2026, 11, 25, 9, 0)}, "held_at", "This is in the future"),
        ({"decisions": "  "}, "decisions", "Record what was decided."),
        ({"safety_discussion": ""}, "safety_discussion", "Record the safety discussion"),
        ({"attended": [99999]}, "attended", "Mark only people invited to this meeting."),
    ],
)
def test_a_bad_record_is_refused_and_the_meeting_stays_scheduled(
    personas, family, fields, field, message
):
    meeting = schedule(family, personas.caseworker, kind=Kind.FTDM, child=family.child)
    services.meeting_invite(
        meeting=meeting,
        actor=personas.caseworker,
        invitees=[{"person": family.mother, "relation": Relation.MOTHER}],
    )
    values = {
        "held_at": local(2026, 11, 23, 14, 0),
        "attended": [],
        "decisions": "Placement with the aunt.",
        "safety_discussion": "Discussed.",
    } | fields

    with pytest.raises(ValidationError) as excinfo:
        services.meeting_record(meeting=meeting, actor=personas.caseworker, version=2, **values)

    assert errors_of(excinfo)[field][0].startswith(message)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_at, meeting.version) == ("scheduled", None, 2)
    assert list(meeting.participants.values_list("attended", flat=True)) == [None]


def test_a_record_form_opened_before_an_invitation_is_refused(personas, family):
    meeting = schedule(family, personas.caseworker)
    services.meeting_invite(
        meeting=meeting,
        actor=personas.supervisor,
        invitees=[{"person": family.mother, "relation": Relation.MOTHER}],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_record(
            meeting=meeting,
            actor=personas.caseworker,
            version=1,
            held_at=local(2026, 11, 23, 14, 0),
            decisions="Agreed.",
        )
    assert "version" in errors_of(excinfo)


def test_cancelling_needs_a_reason_and_a_cancelled_meeting_cannot_be_recorded(personas, family):
    meeting = schedule(family, personas.caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_cancel(meeting=meeting, actor=personas.caseworker, version=1, reason=" ")
    assert errors_of(excinfo)["cancel_reason"] == ["Say why the meeting is cancelled."]

    services.meeting_cancel(
        meeting=meeting, actor=personas.caseworker, version=1, reason="Mother in hospital."
    )
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_record(
            meeting=meeting,
            actor=personas.caseworker,
            version=2,
            held_at=local(2026, 11, 23, 14, 0),
            decisions="Agreed.",
        )
    assert "only a scheduled meeting can be changed" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


# --- the due rules on real rows --------------------------------------------------------------


def test_a_held_shared_planning_meeting_moves_the_next_one_six_months_on(personas, family):
    place(family.case, family.child, date(2026, 5, 1))  # 180 days: 28 Oct 2026
    assert selectors.meetings_due([family.case], today=TODAY) == {
        family.case.pk: [
            "FTDM for Leo's placement overdue (due 1 May)",
            "Shared planning meeting for Leo overdue (due 28 Oct)",
        ]
    }
    meeting = schedule(
        family, personas.caseworker, kind=Kind.SHARED_PLANNING, child=family.child,
        scheduled_for=local(2026, 11, 23, 10, 0),
    )  # fmt: skip
    services.meeting_cancel(
        meeting=meeting, actor=personas.caseworker, version=1, reason="Court date moved."
    )
    assert (
        "Shared planning meeting for Leo overdue (due 28 Oct)"
        in (selectors.meetings_due([family.case], today=TODAY)[family.case.pk])
    )
    meeting = schedule(
        family, personas.caseworker, kind=Kind.SHARED_PLANNING, child=family.child,
        scheduled_for=local(2026, 11, 23, 10, 0),
    )  # fmt: skip
    services.meeting_record(
        meeting=meeting,
        actor=personas.caseworker,
        version=1,
        held_at=local(2026, 11, 23, 10, 0),
        decisions="Goal unchanged.",
        safety_discussion="Discussed.",
    )
    dues, _ = selectors.meeting_dues([family.case], today=TODAY)[family.case.pk]
    spm = next(d for d in dues.dues if d.kind == "shared_planning")
    assert (spm.due_on, spm.state) == (date(2027, 5, 23), "later")
    assert selectors.meetings_due([family.case], today=TODAY) == {
        family.case.pk: ["FTDM for Leo's placement overdue (due 1 May)"]
    }


def test_the_rules_numbers_come_from_the_casework_rules(personas, family):
    place(family.case, family.child, date(2026, 8, 1))
    settings = rules()
    settings.shared_planning_first_days = 90
    settings.save()
    dues, _ = selectors.meeting_dues([family.case], today=TODAY)[family.case.pk]
    spm = next(d for d in dues.dues if d.kind == "shared_planning")
    assert spm.due_on == date(2026, 10, 30)


def test_meetings_due_reads_a_page_of_cases_in_three_queries(personas, django_assert_num_queries):
    cases = []
    for n in range(6):
        family = family_case(personas)
        place(family.case, family.child, date(2026, 5, 1) + timedelta(days=n), emergency=n % 2)
        meeting_row(family.case, Kind.CHILD_FAMILY_TEAM, personas.caseworker, local(2026, 11, 1))
        cases.append(family.case)
    rules()  # created with the defaults on first use
    with django_assert_num_queries(3):
        due = selectors.meetings_due(cases, today=TODAY)
    assert len(due) == 6
    assert all("Child and family team meeting of 1 Nov not recorded" in v for v in due.values())


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_once_to_the_worker_then_overdue_also_to_the_supervisor(
    personas, family, time_machine
):
    place(family.case, family.child, date(2026, 6, 1))  # shared planning due 28 Nov
    meeting_row(
        family.case, Kind.FTDM, personas.caseworker, local(2026, 5, 30, 9, 0),
        status="held", child=family.child, placement=family.case.placements.get(),
    )  # fmt: skip

    assert services.meeting_reminders_send(today=TODAY) == 1
    assert services.meeting_reminders_send(today=TODAY) == 0  # safe to run twice
    [notice] = Notification.objects.all()
    assert notice.recipient == personas.caseworker
    assert notice.subject == (
        f"Shared planning meeting for Leo due 28 Nov: {family.case.number} {family.case.name}"
    )
    assert notice.link == f"/casework/cases/{family.case.pk}/#meetings"

    time_machine.move_to(local(2026, 11, 30, 8, 0), tick=False)
    assert services.meeting_reminders_send(today=date(2026, 11, 30)) == 2
    assert services.meeting_reminders_send(today=date(2026, 11, 30)) == 0
    overdue = Notification.objects.filter(kind="meeting_overdue")
    assert {n.recipient for n in overdue} == {personas.caseworker, personas.supervisor}


def test_reminders_skip_closed_cases_and_ended_placements(personas, family):
    other = family_case(personas)
    place(other.case, other.child, date(2026, 3, 1), end_date=date(2026, 6, 1))
    place(family.case, family.child, date(2026, 3, 1))
    family.case.status, family.case.closed_on = "closed", TODAY
    family.case.save()

    assert services.meeting_reminders_send(today=TODAY) == 0


def test_reminders_of_another_worker_go_to_them(personas):
    worker = make_user(Role.CASEWORKER, unit=personas.unit)
    family = family_case(personas, primary_worker=worker, case_type="in_home")
    family.case.opened_on = TODAY - timedelta(days=28)  # case-planning meeting due in 2 days
    family.case.save()

    assert services.meeting_reminders_send(today=TODAY) == 1
    assert Notification.objects.get().recipient == worker
