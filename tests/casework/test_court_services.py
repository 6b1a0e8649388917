"""Court work through the services: petitions (a termination petition answers the
15-of-22-months flag), hearings and the court report's due day, outcomes and the next
hearing, version checks; the caseload's court items; the reminder sweep."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from agency.models import Notification
from casework.models import CourtHearing, CourtPetition, PermanencyDecision
from casework.selectors import court as selectors
from casework.selectors import rules
from casework.selectors.placements import placement_flags
from casework.services import court as services
from tests.casework.factories_meetings import NOW, TODAY, family_case, local, place

Kind = CourtHearing.Kind


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return family_case(personas)


def schedule(family, actor, **fields) -> CourtHearing:
    return services.hearing_schedule(
        **{
            "case": family.case,
            "actor": actor,
            "kind": Kind.PERMANENCY,
            "scheduled_for": local(2026, 12, 10, 9, 30),
            "court": "Superior Court for Juvenile Matters, Hartford",
        }
        | fields
    )


def file_tpr(family, actor, **fields) -> CourtPetition:
    return services.petition_file(
        **{
            "case": family.case,
            "actor": actor,
            "child": family.child,
            "kind": CourtPetition.Kind.TPR,
            "filed_on": date(2026, 11, 20),
            "court": "Superior Court for Juvenile Matters, Hartford",
            "docket_number": "H12-CP26-000123-A",
        }
        | fields
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- the court report's due day --------------------------------------------------------------


def test_the_court_report_is_due_ten_days_before_the_hearing(personas, family):
    hearing = schedule(family, personas.caseworker)

    hearing.refresh_from_db()
    assert hearing.report_due_on == date(2026, 11, 30)
    assert (hearing.status, hearing.version) == ("scheduled", 1)
    assert hearing.history.get().history_user == personas.caseworker


def test_the_due_day_follows_the_hearings_local_date_and_the_rules(personas, family):
    settings = rules()
    settings.court_report_lead_days = 14
    settings.save()
    # 00:30 Eastern on 10 Dec is still 9 Dec in no time zone but Eastern's own.
    hearing = schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 10, 0, 30))
    assert hearing.report_due_on == date(2026, 11, 26)


def test_moving_the_hearing_moves_the_report_and_an_older_version_is_refused(personas, family):
    hearing = schedule(family, personas.caseworker)

    services.hearing_update(
        hearing=hearing,
        actor=personas.caseworker,
        version=1,
        scheduled_for=local(2027, 1, 14, 9, 30),
    )
    hearing.refresh_from_db()
    assert (hearing.report_due_on, hearing.version) == (date(2027, 1, 4), 2)

    with pytest.raises(ValidationError) as excinfo:
        services.hearing_update(
            hearing=hearing, actor=personas.supervisor, version=1, court="Another court"
        )
    assert "Someone else changed this hearing" in errors_of(excinfo)["version"][0]
    hearing.refresh_from_db()
    assert hearing.court == "Superior Court for Juvenile Matters, Hartford"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"court": "  "}, "court", "Name the court"),
        ({"scheduled_for": None}, "scheduled_for", "Say when the hearing is"),
        ({"kind": "tea"}, "kind", "Choose the kind of hearing."),
    ],
)
def test_a_hearing_without_a_court_or_time_is_refused_and_nothing_saved(
    personas, family, fields, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        schedule(family, personas.caseworker, **fields)
    assert errors_of(excinfo)[field][0].startswith(message)
    assert not CourtHearing.objects.exists()


def test_the_petition_heard_belongs_to_the_case_and_names_the_child(personas, family):
    petition = file_tpr(family, personas.caseworker)
    other = family_case(personas)
    hearing = schedule(family, personas.caseworker, kind=Kind.TPR_TRIAL, petition=petition)
    assert hearing.child == family.child

    with pytest.raises(ValidationError) as excinfo:
        services.hearing_schedule(
            case=other.case,
            actor=personas.caseworker,
            kind=Kind.TPR_TRIAL,
            scheduled_for=local(2027, 2, 1, 9, 0),
            court="Hartford",
            petition=petition,
        )
    assert errors_of(excinfo)["petition"] == ["Choose a petition of this case."]


# --- outcomes --------------------------------------------------------------------------------


def test_recording_the_outcome_schedules_and_links_the_next_hearing(personas, family):
    hearing = schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 23, 9, 30))

    services.hearing_record(
        hearing=hearing,
        actor=personas.caseworker,
        version=1,
        status=CourtHearing.Status.HELD,
        outcome="Permanency plan approved: reunification, concurrent guardianship.",
        next_hearing={"kind": Kind.REVIEW, "scheduled_for": local(2027, 3, 2, 10, 0)},
    )

    hearing.refresh_from_db()
    following = hearing.next_hearing
    assert (hearing.status, hearing.version) == ("held", 2)
    assert (following.kind, following.court, following.report_due_on) == (
        Kind.REVIEW,
        hearing.court,
        date(2027, 2, 20),
    )
    assert following.previous_hearing == hearing


def test_a_continued_hearing_needs_its_new_date_and_a_future_one_cannot_be_held(personas, family):
    past = schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 23, 9, 30))
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_record(
            hearing=past,
            actor=personas.caseworker,
            version=1,
            status=CourtHearing.Status.CONTINUED,
            outcome="Father's attorney asked for time.",
        )
    assert errors_of(excinfo)["next_scheduled_for"] == ["Say when the hearing was continued to."]

    ahead = schedule(family, personas.caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_record(
            hearing=ahead,
            actor=personas.caseworker,
            version=1,
            status=CourtHearing.Status.HELD,
            outcome="Approved.",
        )
    assert "has not happened yet" in errors_of(excinfo)["status"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_record(
            hearing=past,
            actor=personas.caseworker,
            version=1,
            status=CourtHearing.Status.CONTINUED,
            outcome="Continued.",
            next_hearing={"kind": Kind.REVIEW, "scheduled_for": local(2026, 11, 1, 9, 0)},
        )
    assert errors_of(excinfo)["next_scheduled_for"] == ["The next hearing comes after this one."]
    assert CourtHearing.objects.count() == 2
    assert set(CourtHearing.objects.values_list("status", flat=True)) == {"scheduled"}


def test_the_report_filed_late_and_cancelled_hearings_need_none(personas, family):
    hearing = schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 30, 9, 0))
    assert hearing.report_due_on == date(2026, 11, 20)

    with pytest.raises(ValidationError) as excinfo:
        services.hearing_report_filed(
            hearing=hearing, actor=personas.caseworker, version=1, filed_on=date(2026, 11, 25)
        )
    assert errors_of(excinfo)["report_filed_on"] == ["This is in the future."]
    services.hearing_report_filed(
        hearing=hearing, actor=personas.caseworker, version=1, filed_on=date(2026, 11, 23)
    )
    hearing.refresh_from_db()
    state = selectors.report_state(hearing, today=TODAY, reminder_days=5)
    assert (state.state, state.text) == (
        "filed_late",
        "Filed late on 23 Nov 2026 (due 20 Nov 2026)",
    )

    cancelled = schedule(family, personas.caseworker)
    services.hearing_record(
        hearing=cancelled,
        actor=personas.caseworker,
        version=1,
        status=CourtHearing.Status.CANCELLED,
        outcome="Case transferred to another court.",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.hearing_report_filed(
            hearing=cancelled, actor=personas.caseworker, version=2, filed_on=TODAY
        )
    assert errors_of(excinfo)[NON_FIELD_ERRORS] == [
        "This hearing was cancelled: no court report is due."
    ]


# --- petitions and the 15-of-22-months rule --------------------------------------------------


def test_filing_a_tpr_petition_answers_the_15_of_22_flag_in_the_same_step(personas, family):
    place(family.case, family.child, date(2025, 2, 1))  # in care 21 months
    assert placement_flags([family.case], today=TODAY) == {
        family.case.pk: ["Leo: 15 of 22 months in care — petition or compelling reason needed"]
    }

    petition = file_tpr(family, personas.caseworker)

    decision = PermanencyDecision.objects.get()
    assert (decision.kind, decision.petition, decision.decided_on, decision.child) == (
        "petition_filed",
        petition,
        date(2026, 11, 20),
        family.child,
    )
    assert "docket H12-CP26-000123-A" in decision.note
    assert placement_flags([family.case], today=TODAY) == {}
    [row] = selectors.case_court_context(family.case, user=personas.caseworker, today=TODAY)[
        "court_fifteen"
    ]
    assert (row.state, row.answer, row.petition) == ("answered", decision, petition)


def test_other_petitions_do_not_answer_the_flag(personas, family):
    place(family.case, family.child, date(2025, 2, 1))
    file_tpr(family, personas.caseworker, kind=CourtPetition.Kind.COMMITMENT)
    assert not PermanencyDecision.objects.exists()
    [row] = selectors.case_court_context(family.case, user=personas.caseworker, today=TODAY)[
        "court_fifteen"
    ]
    assert (row.state, row.met_since) == ("needed", date(2026, 5, 3))


def test_a_bad_petition_saves_neither_petition_nor_decision(personas, family):
    with pytest.raises(ValidationError) as excinfo:
        file_tpr(family, personas.caseworker, court="", filed_on=date(2026, 12, 1))
    assert set(errors_of(excinfo)) == {"court", "filed_on"}
    assert not CourtPetition.objects.exists()
    assert not PermanencyDecision.objects.exists()


def test_a_decision_and_a_new_filing_day_follow_the_petition(personas, family):
    petition = file_tpr(family, personas.caseworker)
    with pytest.raises(ValidationError) as excinfo:
        services.petition_update(
            petition=petition, actor=personas.caseworker, version=1, status="granted"
        )
    assert errors_of(excinfo)["decided_on"] == ["Say when the court decided."]

    services.petition_update(
        petition=petition, actor=personas.caseworker, version=1, filed_on=date(2026, 11, 18)
    )
    assert PermanencyDecision.objects.get().decided_on == date(2026, 11, 18)
    services.petition_update(
        petition=petition,
        actor=personas.caseworker,
        version=2,
        status="granted",
        decided_on=date(2026, 11, 23),
    )
    petition.refresh_from_db()
    assert (petition.status, petition.decided_on, petition.version) == (
        "granted",
        date(2026, 11, 23),
        3,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.petition_update(petition=petition, actor=personas.caseworker, version=2, note="x")
    assert "version" in errors_of(excinfo)


# --- the caseload ----------------------------------------------------------------------------


def test_court_reports_due_says_due_overdue_and_not_recorded(personas, family):
    soon = schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 8, 9, 0))
    late = schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 30, 9, 0))
    schedule(family, personas.caseworker, scheduled_for=local(2027, 1, 30, 9, 0))  # later
    past = schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 20, 9, 0))
    assert (soon.report_due_on, late.report_due_on, past.report_due_on) == (
        date(2026, 11, 28),
        date(2026, 11, 20),
        date(2026, 11, 10),
    )

    assert selectors.court_reports_due([family.case], today=TODAY) == {
        family.case.pk: [
            "Permanency plan hearing of 20 Nov: outcome not recorded",
            "Court report overdue (due 20 Nov, permanency plan hearing 30 Nov)",
            "Court report due 28 Nov (permanency plan hearing 8 Dec)",
        ]
    }
    services.hearing_report_filed(
        hearing=late, actor=personas.caseworker, version=1, filed_on=TODAY
    )
    assert "Court report overdue" not in " ".join(
        selectors.court_reports_due([family.case], today=TODAY)[family.case.pk]
    )


def test_court_reports_due_reads_a_page_in_two_queries(personas, django_assert_num_queries):
    cases = []
    for n in range(5):
        family = family_case(personas)
        schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 1 + n, 9, 0))
        cases.append(family.case)
    rules()
    with django_assert_num_queries(2):
        due = selectors.court_reports_due(cases, today=TODAY)
    assert len(due) == 5


# --- reminders -------------------------------------------------------------------------------


def test_report_reminders_once_per_threshold_and_again_when_the_hearing_moves(
    personas, family, time_machine
):
    hearing = schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 6, 9, 0))
    assert hearing.report_due_on == date(2026, 11, 26)  # within 5 days

    assert services.court_report_reminders_send(today=TODAY) == 1
    assert services.court_report_reminders_send(today=TODAY) == 0
    notice = Notification.objects.get()
    assert notice.recipient == personas.caseworker
    assert notice.subject.startswith("Court report due 26 Nov: ")
    assert "permanency plan hearing on 6 Dec 2026" in notice.body

    time_machine.move_to(local(2026, 11, 27, 8, 0), tick=False)
    assert services.court_report_reminders_send(today=date(2026, 11, 27)) == 2
    assert {n.recipient for n in Notification.objects.filter(kind="court_report_overdue")} == {
        personas.caseworker,
        personas.supervisor,
    }
    hearing.refresh_from_db()
    services.hearing_update(
        hearing=hearing,
        actor=personas.caseworker,
        version=hearing.version,
        scheduled_for=local(2026, 12, 2, 9, 0),
    )
    assert services.court_report_reminders_send(today=date(2026, 11, 27)) == 2  # new due day
    assert services.court_report_reminders_send(today=date(2026, 11, 27)) == 0


def test_no_reminder_for_filed_reports_past_hearings_or_closed_cases(personas, family):
    filed = schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 1, 9, 0))
    services.hearing_report_filed(
        hearing=filed, actor=personas.caseworker, version=1, filed_on=TODAY
    )
    schedule(family, personas.caseworker, scheduled_for=local(2026, 11, 20, 9, 0))  # past
    other = family_case(personas)
    services.hearing_schedule(
        case=other.case,
        actor=personas.caseworker,
        kind=Kind.REVIEW,
        scheduled_for=local(2026, 12, 1, 9, 0),
        court="Hartford",
    )
    other.case.status, other.case.closed_on = "closed", TODAY
    other.case.save()

    assert services.court_report_reminders_send(today=TODAY) == 0


def test_upcoming_hearings_cover_the_report_window(personas, family):
    hearing = schedule(family, personas.caseworker, scheduled_for=local(2026, 12, 20, 9, 0))
    assert hearing.report_due_on - TODAY == timedelta(days=16)
    assert services.court_report_reminders_send(today=TODAY) == 0
