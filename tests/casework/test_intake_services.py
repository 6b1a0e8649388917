"""Intake, differential response and initial face-to-face contacts: the rules, called
directly (casework.services.intake and casework.selectors.intake)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.models import Notification
from agency.roles import Role
from casework.models import (
    Allegation,
    Case,
    CaseMember,
    CaseworkRules,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    Person,
)
from casework.selectors import intake as selectors
from casework.services import intake as services
from casework.services.intake import ChildAllegations
from tests.casework.factories import add_member, make_case, make_person
from tests.factories import make_user

NY = ZoneInfo("America/New_York")
# Monday 23 November 2026, 14:00 Eastern (EST).
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def accept_intake(personas, **overrides) -> Intake:
    """intake_accept with a valid 72-hour, low-risk report about one new child."""
    fields = {
        "actor": personas.caseworker,
        "accepted_at": NOW - timedelta(hours=2),
        "reporter_type": Intake.ReporterType.EDUCATION,
        "reporter_name": "School nurse",
        "narrative": "The child came to school hungry three days running.",
        "response_time": Intake.ResponseTime.H72,
        "risk_level": Intake.Risk.LOW,
        "children": [
            ChildAllegations(
                first_name="Leo",
                last_name="Rivera",
                allegations=[Allegation.Kind.PHYSICAL_NEGLECT],
            )
        ],
        "unit": personas.unit,
        "worker": personas.caseworker,
        "case_name": "Rivera family",
    }
    return services.intake_accept(**(fields | overrides))


def child(first_name: str, last_name: str, allegations: list[str]) -> ChildAllegations:
    return ChildAllegations(first_name=first_name, last_name=last_name, allegations=allegations)


def other_supervisor(personas):
    """The supervisor of the other office's unit."""
    supervisor = make_user(Role.SUPERVISOR, unit=personas.other_unit, username="other_supervisor")
    personas.other_unit.supervisor = supervisor
    personas.other_unit.save(update_fields=["supervisor"])
    return supervisor


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


ROW_MODELS = (Case, Intake, Person, CaseMember, Allegation, IffContact)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


# --- the differential-response rule ---------------------------------------------------------

INV, FAR = "investigation", "family_assessment"

# (response time, risk, exceptional circumstance, expected track), written out by hand.
DRS_TABLE = [
    ("same_day", "low", False, INV),
    ("same_day", "moderate", False, INV),
    ("same_day", "high", False, INV),
    ("same_day", "very_high", False, INV),
    ("24h", "low", False, INV),
    ("24h", "moderate", False, INV),
    ("24h", "high", False, INV),
    ("24h", "very_high", False, INV),
    ("72h", "low", False, FAR),
    ("72h", "moderate", False, FAR),
    ("72h", "high", False, INV),
    ("72h", "very_high", False, INV),
    ("same_day", "low", True, INV),
    ("same_day", "moderate", True, INV),
    ("same_day", "high", True, INV),
    ("same_day", "very_high", True, INV),
    ("24h", "low", True, INV),
    ("24h", "moderate", True, INV),
    ("24h", "high", True, INV),
    ("24h", "very_high", True, INV),
    ("72h", "low", True, INV),
    ("72h", "moderate", True, INV),
    ("72h", "high", True, INV),
    ("72h", "very_high", True, INV),
]


@pytest.mark.parametrize(("response_time", "risk", "exceptional", "expected"), DRS_TABLE)
def test_recommend_track_follows_the_drs_rule(response_time, risk, exceptional, expected):
    assert (
        services.recommend_track(
            response_time=response_time,
            risk_level=risk,
            has_exceptional_circumstance=exceptional,
        )
        == expected
    )


def test_the_drs_table_covers_every_combination_once():
    combos = {(r, k, e) for r, k, e, _ in DRS_TABLE}
    assert len(combos) == len(DRS_TABLE) == 3 * 4 * 2


# --- IFF due times ---------------------------------------------------------------------------

DEFAULT_RULES = SimpleNamespace(iff_hours_24h=24, iff_hours_72h=72)

# (accepted at, response time, due at), wall-clock Eastern unless said otherwise.
DUE_TABLE = [
    # Same day: 23:59:59 on the local date of acceptance, however early or late.
    pytest.param(ny(2026, 6, 10, 0, 5), "same_day", ny(2026, 6, 10, 23, 59, 59), id="sd-00:05"),
    pytest.param(ny(2026, 6, 10, 23, 30), "same_day", ny(2026, 6, 10, 23, 59, 59), id="sd-23:30"),
    # 03:30 UTC on the 11th is still 23:30 on the 10th in New York.
    pytest.param(
        datetime(2026, 6, 11, 3, 30, tzinfo=UTC),
        "same_day",
        ny(2026, 6, 10, 23, 59, 59),
        id="sd-local-date-not-utc",
    ),
    pytest.param(ny(2026, 3, 8, 0, 5), "same_day", ny(2026, 3, 8, 23, 59, 59), id="sd-dst-day"),
    pytest.param(ny(2026, 6, 10, 10, 0), "24h", ny(2026, 6, 11, 10, 0), id="24h"),
    pytest.param(ny(2026, 6, 10, 10, 0), "72h", ny(2026, 6, 13, 10, 0), id="72h"),
    # Clocks go forward at 02:00 on Sunday 8 March 2026: 24 real hours end at 11:00 EDT.
    pytest.param(ny(2026, 3, 7, 10, 0), "24h", ny(2026, 3, 8, 11, 0), id="24h-spring-forward"),
    pytest.param(ny(2026, 3, 6, 10, 0), "72h", ny(2026, 3, 9, 11, 0), id="72h-spring-forward"),
    # Clocks go back at 02:00 on Sunday 1 November 2026: 24 real hours end at 09:00 EST.
    pytest.param(ny(2026, 10, 31, 10, 0), "24h", ny(2026, 11, 1, 9, 0), id="24h-fall-back"),
    pytest.param(ny(2026, 10, 30, 12, 0), "72h", ny(2026, 11, 2, 11, 0), id="72h-fall-back"),
]


@pytest.mark.parametrize(("accepted_at", "response_time", "due_at"), DUE_TABLE)
def test_iff_due_at(accepted_at, response_time, due_at):
    result = services.iff_due_at(
        accepted_at=accepted_at, response_time=response_time, rules=DEFAULT_RULES
    )

    assert result == due_at
    assert result.astimezone(NY).utcoffset() == due_at.utcoffset()


@pytest.mark.parametrize(
    ("accepted_at", "response_time", "due_at"),
    [
        pytest.param(ny(2026, 6, 10, 10, 0), "24h", ny(2026, 6, 12, 10, 0), id="24h-as-48h"),
        pytest.param(ny(2026, 3, 7, 10, 0), "24h", ny(2026, 3, 9, 11, 0), id="48h-across-dst"),
        pytest.param(ny(2026, 6, 10, 10, 0), "72h", ny(2026, 6, 14, 10, 0), id="72h-as-96h"),
        pytest.param(ny(2026, 6, 10, 10, 0), "same_day", ny(2026, 6, 10, 23, 59, 59), id="same"),
    ],
)
def test_iff_due_at_follows_the_configured_windows(accepted_at, response_time, due_at):
    rules = SimpleNamespace(iff_hours_24h=48, iff_hours_72h=96)

    assert services.iff_due_at(
        accepted_at=accepted_at, response_time=response_time, rules=rules
    ) == (due_at)


def test_iff_due_at_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        services.iff_due_at(
            accepted_at=datetime(2026, 6, 10, 10, 0), response_time="24h", rules=DEFAULT_RULES
        )


def test_intake_uses_the_agencys_configured_window(personas, now):
    CaseworkRules.objects.update_or_create(pk=1, defaults={"iff_hours_24h": 48})

    intake = accept_intake(
        personas, accepted_at=ny(2026, 11, 20, 10, 0), response_time=Intake.ResponseTime.H24
    )

    assert intake.iff_contacts.get().due_at == ny(2026, 11, 22, 10, 0)


# --- accepting an intake ---------------------------------------------------------------------


def test_accepting_an_intake_opens_the_case_with_members_allegations_and_iff(personas, now):
    existing = make_person(first_name="Mia", last_name="Rivera")
    accepted_at = ny(2026, 11, 23, 9, 15)

    intake = accept_intake(
        personas,
        accepted_at=accepted_at,
        children=[
            ChildAllegations(
                first_name="Leo",
                last_name="Rivera",
                sex=Person.Sex.MALE,
                allegations=[Allegation.Kind.PHYSICAL_NEGLECT, Allegation.Kind.MEDICAL_NEGLECT],
            ),
            {"person": existing, "allegations": [Allegation.Kind.EMOTIONAL_ABUSE]},
        ],
        candidacy="",
    )

    case = intake.case
    assert case.number.startswith("C-2026-")
    assert intake.reference.startswith("INT-2026-")
    assert case.case_type == Case.Type.FAMILY_ASSESSMENT
    assert (case.unit, case.primary_worker, case.name) == (
        personas.unit,
        personas.caseworker,
        "Rivera family",
    )
    assert case.candidacy == Case.Candidacy.ACCEPTED_CARELINE
    assert case.opened_on == accepted_at.date()
    assert intake.recommended_track == intake.track == Intake.Track.FAMILY_ASSESSMENT
    assert intake.created_by == personas.caseworker
    leo = Person.objects.get(first_name="Leo")
    assert leo.sex == Person.Sex.MALE
    members = CaseMember.objects.filter(case=case)
    assert {(m.person, m.role, m.alleged_victim) for m in members} == {
        (leo, "child", True),
        (existing, "child", True),
    }
    assert set(intake.allegations.values_list("child__first_name", "kind")) == {
        ("Leo", "physical_neglect"),
        ("Leo", "medical_neglect"),
        ("Mia", "emotional_abuse"),
    }
    iffs = intake.iff_contacts.all()
    assert {iff.child for iff in iffs} == {leo, existing}
    assert {iff.due_at for iff in iffs} == {accepted_at + timedelta(hours=72)}
    assert all(iff.seen_at is None for iff in iffs)
    # The history names the worker who recorded it.
    assert case.history.get().history_user == personas.caseworker
    assert intake.history.get().history_user == personas.caseworker


def test_an_exceptional_circumstance_sends_the_intake_to_investigation(personas, now):
    circumstance = ExceptionalCircumstance.objects.filter(active=True).first()

    intake = accept_intake(personas, exceptional_circumstances=[circumstance])

    assert intake.recommended_track == intake.track == Intake.Track.INVESTIGATION
    assert intake.case.case_type == Case.Type.INVESTIGATION
    assert list(intake.exceptional_circumstances.all()) == [circumstance]


def test_the_unit_supervisor_may_be_the_assigned_worker(personas, now):
    intake = accept_intake(personas, worker=personas.supervisor, actor=personas.supervisor)

    assert intake.case.primary_worker == personas.supervisor


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"accepted_at": NOW + timedelta(minutes=5)}, "accepted_at"),
        ({"children": []}, "children"),
        ({"children": [child("Leo", "R", [])]}, "children"),
        ({"children": [child("", "", ["sexual_abuse"])]}, "children"),
        ({"children": [child("A", "B", ["made_up"])]}, "children"),
        ({"narrative": "  "}, "narrative"),
        ({"case_name": ""}, "case_name"),
        ({"response_time": "48h"}, "response_time"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"reporter_type": ""}, "reporter_type"),
        ({"candidacy": "not_a_candidacy"}, "candidacy"),
    ],
    ids=[
        "future-acceptance", "no-children", "child-without-allegation", "child-without-name",
        "unknown-allegation", "blank-narrative", "blank-case-name", "bad-response-time",
        "bad-risk", "no-reporter-type", "bad-candidacy",
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_saved(personas, now, overrides, field):
    before = row_counts()

    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, **overrides)

    assert field in error_fields(excinfo)
    assert row_counts() == before


def test_a_worker_of_another_unit_cannot_be_assigned(personas, now):
    before = row_counts()

    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, worker=personas.other_caseworker)

    assert error_fields(excinfo) == {"worker"}
    assert row_counts() == before


def test_a_worker_without_a_casework_role_cannot_be_assigned(personas, now):
    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, worker=personas.ombudsman)

    assert error_fields(excinfo) == {"worker"}


def test_a_retired_exceptional_circumstance_cannot_be_chosen(personas, now):
    retired = ExceptionalCircumstance.objects.create(name="Retired one", active=False)

    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, exceptional_circumstances=[retired])

    assert error_fields(excinfo) == {"exceptional_circumstances"}


def test_one_bad_child_among_good_ones_saves_nothing(personas, now):
    before = row_counts()
    good = ChildAllegations(first_name="Leo", last_name="Rivera", allegations=["physical_abuse"])
    bad = ChildAllegations(first_name="Mia", last_name="Rivera", allegations=[])

    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, children=[good, bad])

    assert excinfo.value.message_dict["children"] == ["Child 2: choose at least one allegation."]
    assert row_counts() == before


def test_a_caseworker_cannot_choose_another_track_than_recommended(personas, now):
    before = row_counts()

    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, track=Intake.Track.INVESTIGATION, override_reason="Gut feeling")

    assert error_fields(excinfo) == {"track"}
    assert row_counts() == before


def test_a_supervisor_choosing_another_track_must_say_why(personas, now):
    with pytest.raises(ValidationError) as excinfo:
        accept_intake(personas, actor=personas.supervisor, track=Intake.Track.INVESTIGATION)

    assert error_fields(excinfo) == {"override_reason"}


def test_a_supervisor_may_choose_another_track_with_a_reason(personas, now):
    intake = accept_intake(
        personas,
        actor=personas.supervisor,
        track=Intake.Track.INVESTIGATION,
        override_reason="Police are involved.",
    )

    assert intake.recommended_track == Intake.Track.FAMILY_ASSESSMENT
    assert intake.track == Intake.Track.INVESTIGATION
    assert intake.track_override_reason == "Police are involved."
    assert intake.track_overridden_by == personas.supervisor
    assert intake.case.case_type == Case.Type.INVESTIGATION


def test_choosing_the_recommended_track_needs_no_reason(personas, now):
    intake = accept_intake(personas, track=Intake.Track.FAMILY_ASSESSMENT)

    assert intake.track_overridden_by is None
    assert intake.track_override_reason == ""


# --- overriding the track afterwards ---------------------------------------------------------


def test_the_supervisor_overrides_the_track_and_the_case_follows(personas, now):
    intake = accept_intake(personas)

    services.intake_override_track(
        intake=intake,
        actor=personas.supervisor,
        track=Intake.Track.INVESTIGATION,
        reason="Second report this month.",
    )

    intake.refresh_from_db()
    assert intake.recommended_track == Intake.Track.FAMILY_ASSESSMENT
    assert intake.track == Intake.Track.INVESTIGATION
    assert intake.track_overridden_by == personas.supervisor
    assert intake.case.case_type == Case.Type.INVESTIGATION
    assert intake.history.first().history_user == personas.supervisor
    history = selectors.intake_track_history(intake)
    assert [(e["track"], e["reason"]) for e in history] == [
        ("Family Assessment Response", ""),
        ("Investigation", "Second report this month."),
    ]


def test_overriding_leaves_a_case_that_moved_on_alone(personas, now):
    intake = accept_intake(personas)
    Case.objects.filter(pk=intake.case_id).update(case_type=Case.Type.IN_HOME)
    intake.refresh_from_db()

    services.intake_override_track(
        intake=intake, actor=personas.supervisor, track="investigation", reason="New facts."
    )

    assert Case.objects.get(pk=intake.case_id).case_type == Case.Type.IN_HOME


def test_a_caseworker_cannot_override_the_track(personas, now):
    intake = accept_intake(personas)

    with pytest.raises(PermissionDenied):
        services.intake_override_track(
            intake=intake, actor=personas.caseworker, track="investigation", reason="Because."
        )


def test_another_units_supervisor_cannot_override_the_track(personas, now):
    intake = accept_intake(personas)

    with pytest.raises(PermissionDenied):
        services.intake_override_track(
            intake=intake, actor=other_supervisor(personas), track="investigation", reason="No."
        )


@pytest.mark.parametrize(
    ("track", "reason", "field"),
    [
        ("investigation", "  ", "reason"),
        ("family_assessment", "Same again", "track"),
        ("x", "R", "track"),
    ],
)
def test_an_override_needs_a_reason_and_a_new_track(personas, now, track, reason, field):
    intake = accept_intake(personas)

    with pytest.raises(ValidationError) as excinfo:
        services.intake_override_track(
            intake=intake, actor=personas.supervisor, track=track, reason=reason
        )

    assert field in error_fields(excinfo)
    intake.refresh_from_db()
    assert intake.track == Intake.Track.FAMILY_ASSESSMENT


# --- recording the contact -------------------------------------------------------------------


@pytest.fixture
def iff(personas, now):
    return accept_intake(personas, accepted_at=NOW - timedelta(hours=30)).iff_contacts.get()


def test_recording_the_contact(personas, iff):
    seen_at = NOW - timedelta(hours=1)

    services.iff_record_contact(iff=iff, actor=personas.caseworker, seen_at=seen_at, note="Well.")

    iff.refresh_from_db()
    assert (iff.seen_at, iff.seen_by, iff.note) == (seen_at, personas.caseworker, "Well.")
    assert iff.history.first().history_user == personas.caseworker


def test_a_contact_in_the_future_is_refused(personas, iff):
    with pytest.raises(ValidationError) as excinfo:
        services.iff_record_contact(
            iff=iff, actor=personas.caseworker, seen_at=NOW + timedelta(minutes=1)
        )

    assert error_fields(excinfo) == {"seen_at"}
    iff.refresh_from_db()
    assert iff.seen_at is None


def test_a_contact_before_the_report_was_accepted_is_refused(personas, iff):
    with pytest.raises(ValidationError, match="before the report was accepted"):
        services.iff_record_contact(
            iff=iff, actor=personas.caseworker, seen_at=NOW - timedelta(hours=31)
        )


def test_a_contact_is_recorded_once(personas, iff):
    services.iff_record_contact(iff=iff, actor=personas.caseworker, seen_at=NOW)

    with pytest.raises(ValidationError, match="already seen"):
        services.iff_record_contact(iff=iff, actor=personas.caseworker, seen_at=NOW)


# --- extensions ------------------------------------------------------------------------------


def request_extension(personas, iff, **overrides) -> IffExtension:
    fields = {
        "iff": iff,
        "actor": personas.caseworker,
        "reason": IffExtension.Reason.UNABLE_TO_LOCATE,
        "explanation": "Nobody home twice; school says the family moved.",
    }
    return services.iff_extension_request(**(fields | overrides))


def test_requesting_an_extension_tells_the_supervisor(personas, iff):
    extension = request_extension(personas, iff)

    assert extension.status == IffExtension.Status.PENDING
    assert extension.requested_by == personas.caseworker
    assert extension.requested_at == NOW
    notice = Notification.objects.get(recipient=personas.supervisor)
    assert notice.kind == "iff_extension_requested"
    assert notice.link == f"/casework/intakes/{iff.intake_id}/"


def test_only_one_extension_waits_at_a_time(personas, iff):
    request_extension(personas, iff)

    with pytest.raises(ValidationError, match="already waiting"):
        request_extension(personas, iff)

    assert iff.extensions.count() == 1


def test_no_extension_once_the_child_was_seen(personas, iff):
    services.iff_record_contact(iff=iff, actor=personas.caseworker, seen_at=NOW)
    iff.refresh_from_db()

    with pytest.raises(ValidationError, match="has been seen"):
        request_extension(personas, iff)


@pytest.mark.parametrize(
    ("overrides", "field"), [({"reason": "bored"}, "reason"), ({"explanation": " "}, "explanation")]
)
def test_an_extension_needs_an_allowed_reason_and_an_explanation(personas, iff, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        request_extension(personas, iff, **overrides)

    assert field in error_fields(excinfo)
    assert not iff.extensions.exists()


def test_the_supervisor_approves_and_the_worker_is_told(personas, iff):
    extension = request_extension(personas, iff)

    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=True, comment="Keep trying daily."
    )

    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.APPROVED
    assert (extension.decided_by, extension.decided_at) == (personas.supervisor, NOW)
    assert extension.decision_comment == "Keep trying daily."
    notice = Notification.objects.get(recipient=personas.caseworker)
    assert notice.kind == "iff_extension_decided"
    assert "approved" in notice.subject
    assert notice.link == f"/casework/intakes/{iff.intake_id}/"


def test_the_supervisor_denies(personas, iff):
    extension = request_extension(personas, iff)

    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=False, comment="Go today."
    )

    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.DENIED
    # A new request may follow a denial.
    assert request_extension(personas, iff).status == IffExtension.Status.PENDING


def test_a_decision_needs_a_comment(personas, iff):
    extension = request_extension(personas, iff)

    with pytest.raises(ValidationError) as excinfo:
        services.iff_extension_decide(
            extension=extension, actor=personas.supervisor, approve=True, comment=""
        )

    assert error_fields(excinfo) == {"comment"}
    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.PENDING


def test_a_caseworker_cannot_decide(personas, iff):
    extension = request_extension(personas, iff)

    with pytest.raises(PermissionDenied):
        services.iff_extension_decide(
            extension=extension, actor=personas.caseworker, approve=True, comment="Fine by me."
        )


def test_another_units_supervisor_cannot_decide(personas, iff):
    extension = request_extension(personas, iff)

    with pytest.raises(PermissionDenied):
        services.iff_extension_decide(
            extension=extension, actor=other_supervisor(personas), approve=True, comment="OK"
        )


def test_the_requester_cannot_decide_their_own_extension(personas, iff):
    extension = request_extension(personas, iff, actor=personas.supervisor)

    with pytest.raises(ValidationError, match="another supervisor must decide"):
        services.iff_extension_decide(
            extension=extension, actor=personas.supervisor, approve=True, comment="Approved."
        )


def test_a_decided_extension_cannot_be_decided_again(personas, iff):
    extension = request_extension(personas, iff)
    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=True, comment="Yes."
    )

    with pytest.raises(ValidationError, match="already approved"):
        services.iff_extension_decide(
            extension=extension, actor=personas.supervisor, approve=False, comment="No."
        )


# --- follow-up attempts ----------------------------------------------------------------------


def test_a_follow_up_attempt_needs_an_extension(personas, iff):
    with pytest.raises(ValidationError, match="request one first"):
        services.iff_attempt_record(
            iff=iff, actor=personas.caseworker, attempted_at=NOW, outcome="No answer."
        )

    assert not IffAttempt.objects.exists()


def test_a_denied_extension_does_not_allow_attempts(personas, iff):
    extension = request_extension(personas, iff)
    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=False, comment="Go now."
    )

    with pytest.raises(ValidationError, match="request one first"):
        services.iff_attempt_record(
            iff=iff, actor=personas.caseworker, attempted_at=NOW, outcome="No answer."
        )


@pytest.mark.parametrize("approve", [None, True], ids=["pending", "approved"])
def test_follow_up_attempts_after_an_extension(personas, iff, approve):
    extension = request_extension(personas, iff)
    if approve:
        services.iff_extension_decide(
            extension=extension, actor=personas.supervisor, approve=True, comment="OK."
        )

    attempt = services.iff_attempt_record(
        iff=iff,
        actor=personas.caseworker,
        attempted_at=NOW - timedelta(minutes=30),
        outcome="Door knock, no answer; left a card.",
    )

    assert attempt.recorded_by == personas.caseworker
    assert list(iff.attempts.all()) == [attempt]


def test_a_follow_up_attempt_in_the_future_is_refused(personas, iff):
    request_extension(personas, iff)

    with pytest.raises(ValidationError) as excinfo:
        services.iff_attempt_record(
            iff=iff,
            actor=personas.caseworker,
            attempted_at=NOW + timedelta(hours=1),
            outcome="Planned",
        )

    assert error_fields(excinfo) == {"attempted_at"}


# --- the state of an IFF ---------------------------------------------------------------------


def _set(iff, **fields):
    IffContact.objects.filter(pk=iff.pk).update(**fields)
    return IffContact.objects.prefetch_related("extensions").get(pk=iff.pk)


def test_iff_states(personas, iff):
    due = iff.due_at  # accepted 30 h ago with 72 h: due in 42 h
    assert selectors.iff_state(_set(iff), NOW) == "due"
    assert selectors.iff_state(_set(iff), due + timedelta(seconds=1)) == "overdue"
    assert selectors.iff_state(_set(iff, seen_at=due), NOW) == "seen_on_time"
    assert selectors.iff_state(_set(iff, seen_at=due + timedelta(hours=1)), NOW) == "seen_late"

    extension = request_extension(personas, _set(iff, seen_at=None))
    assert selectors.iff_state(_set(iff), due + timedelta(hours=1)) == "extension_pending"
    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=True, comment="OK."
    )
    assert selectors.iff_state(_set(iff), NOW) == "due"
    assert selectors.iff_state(_set(iff), due + timedelta(hours=1)) == "extended"
    late = _set(iff, seen_at=due + timedelta(hours=5))
    assert selectors.iff_state(late, NOW) == "seen_with_extension"


def test_iff_status_says_time_left_or_overdue(personas, iff):
    fresh = _set(iff)
    left = selectors.iff_status(fresh, NOW)
    overdue = selectors.iff_status(fresh, fresh.due_at + timedelta(hours=3, minutes=20))

    assert (left.state, left.time_left, left.time_text) == (
        "due",
        timedelta(hours=42),
        "1 d 18 h left",
    )
    assert (overdue.state, overdue.overdue) == ("overdue", True)
    assert overdue.time_text == "overdue by 3 h 20 min"
    seen = selectors.iff_status(_set(iff, seen_at=NOW), NOW)
    assert (seen.time_left, seen.time_text, seen.label) == (None, "", "Seen on time")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=5), "5 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=2), "2 d"),
        (timedelta(days=2, hours=1, minutes=59), "2 d 1 h"),
        (-timedelta(hours=1, minutes=1), "1 h 1 min"),
    ],
)
def test_duration_text(delta, text):
    assert selectors.duration_text(delta) == text


# --- selectors -------------------------------------------------------------------------------


def make_iffs(personas, n: int) -> list[IffContact]:
    """n alleged victims on n cases of the unit, each intake with its own extension."""
    iffs = []
    for k in range(n):
        intake = accept_intake(
            personas,
            accepted_at=NOW - timedelta(hours=k + 1),
            response_time=Intake.ResponseTime.H24,
            case_name=f"Family {k}",
            children=[child(f"Kid{k}", "X", ["sexual_abuse"])],
        )
        iff = intake.iff_contacts.get()
        request_extension(personas, iff)
        iffs.append(iff)
    return iffs


def _count_queries(fn) -> int:
    fn()  # warm the per-process caches (content types, the user's profile)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_case_iff_context_runs_a_fixed_number_of_queries(personas, now):
    small = accept_intake(personas)
    big = accept_intake(
        personas,
        children=[child(f"K{k}", "Y", ["physical_abuse", "sexual_abuse"]) for k in range(8)],
    )
    for iff in big.iff_contacts.all():
        request_extension(personas, iff)
        services.iff_attempt_record(
            iff=iff, actor=personas.caseworker, attempted_at=NOW, outcome="x"
        )

    few = _count_queries(lambda: selectors.case_iff_context(small.case))
    many = _count_queries(lambda: selectors.case_iff_context(big.case))

    assert few == many
    context = selectors.case_iff_context(big.case, now=NOW)
    rows = context["iff_intakes"][0].children_rows
    assert len(rows) == 8
    assert rows[0]["allegations"] == ["Physical abuse", "Sexual abuse"]
    assert rows[0]["iff"].status.state == "extension_pending"


def test_iff_weekly_lists_unseen_children_and_extensions_with_fixed_queries(personas, now):
    few = make_iffs(personas, 3)
    three = _count_queries(lambda: selectors.iff_weekly(personas.supervisor, now=NOW))
    make_iffs(personas, 27)

    thirty = _count_queries(lambda: selectors.iff_weekly(personas.supervisor, now=NOW))
    weekly = selectors.iff_weekly(personas.supervisor, now=NOW)

    assert three == thirty
    assert len(weekly["unseen"]) == 30
    assert len(weekly["extensions"]) == 30
    assert weekly["unseen"] == sorted(weekly["unseen"], key=lambda i: i.due_at)
    assert few[0] in weekly["unseen"]


def test_iff_weekly_leaves_out_seen_children_and_old_decided_extensions(personas, now):
    iffs = make_iffs(personas, 3)
    services.iff_record_contact(iff=iffs[0], actor=personas.caseworker, seen_at=NOW)
    old = IffExtension.objects.get(iff=iffs[1])
    services.iff_extension_decide(
        extension=old, actor=personas.supervisor, approve=True, comment="k"
    )
    IffExtension.objects.filter(pk=old.pk).update(requested_at=NOW - timedelta(days=8))
    IffExtension.objects.filter(iff=iffs[2]).update(requested_at=NOW - timedelta(days=30))

    weekly = selectors.iff_weekly(personas.supervisor, now=NOW)

    assert [i.pk for i in weekly["unseen"]] == [iffs[2].pk, iffs[1].pk]  # soonest due first
    # The old approved one drops out; the month-old pending one stays, newest first.
    assert [e.iff_id for e in weekly["extensions"]] == [iffs[0].pk, iffs[2].pk]
    assert weekly["pending_count"] == 2


def test_iff_weekly_for_a_caseworker_shows_only_their_own_cases(personas, now):
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    mine = accept_intake(personas).iff_contacts.get()
    theirs = accept_intake(personas, worker=colleague, case_name="Other family").iff_contacts.get()

    for_me = selectors.iff_weekly(personas.caseworker, now=NOW)
    for_supervisor = selectors.iff_weekly(personas.supervisor, now=NOW)
    for_other_office = selectors.iff_weekly(personas.other_caseworker, now=NOW)

    assert [i.pk for i in for_me["unseen"]] == [mine.pk]
    assert {i.pk for i in for_supervisor["unseen"]} == {mine.pk, theirs.pk}
    assert for_other_office["unseen"] == []


def test_iff_weekly_leaves_out_closed_cases(personas, now):
    iff = accept_intake(personas).iff_contacts.get()
    Case.objects.filter(pk=iff.intake.case_id).update(status="closed", closed_on=NOW.date())

    assert selectors.iff_weekly(personas.supervisor, now=NOW)["unseen"] == []


def test_pending_extensions_are_the_supervisors_own(personas, now):
    iff = accept_intake(personas).iff_contacts.get()
    extension = request_extension(personas, iff)
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    add_member(elsewhere)

    assert list(selectors.pending_extensions(personas.supervisor)) == [extension]
    assert list(selectors.pending_extensions(other_supervisor(personas))) == []
    assert list(selectors.pending_extensions(personas.caseworker)) == []
    services.iff_extension_decide(
        extension=extension, actor=personas.supervisor, approve=True, comment="OK"
    )
    assert list(selectors.pending_extensions(personas.supervisor)) == []


def test_visible_intakes_follow_the_cases(personas, now):
    intake = accept_intake(personas)

    assert list(selectors.visible_intakes(personas.caseworker)) == [intake]
    assert list(selectors.visible_intakes(personas.supervisor)) == [intake]
    assert list(selectors.visible_intakes(personas.other_caseworker)) == []
    assert list(selectors.visible_intakes(personas.outsider)) == []
