"""Supervision: the monthly supervisory review with its next steps (all or nothing), who
records, acknowledges and completes, version checks, supervision notes, and the
reminder sweep (casework.services.supervision). Builders for the other supervision
tests live here too."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import assign_perm

from agency.models import Notification
from agency.roles import Role
from casework.models import Case, NextStep, SupervisionNote, SupervisoryReview
from casework.selectors import rules
from casework.services import supervision as services
from tests.casework.factories import make_case
from tests.casework.test_assessment_services import other_supervisor
from tests.factories import make_user

# Monday 23 November 2026, 14:00 Eastern.
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
Focus = SupervisoryReview.Focus


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def review_case(personas, **fields) -> Case:
    fields = {"opened_on": date(2026, 9, 1), "name": "Rivera family"} | fields
    return make_case(personas.unit, personas.caseworker, **fields)


def step(owner, due_on=date(2026, 12, 2), description="Call the school") -> dict:
    return {"description": description, "owner": owner, "due_on": due_on}


def record(personas, case, *, steps=(), actor=None, **fields) -> SupervisoryReview:
    data = {
        "held_on": date(2026, 11, 20),
        "focus_areas": [Focus.SAFETY, Focus.PERMANENCY],
        "discussion": "The grandmother is still the protective adult after school.",
        "clinical_guidance": "See each child on their own at the next visit.",
    } | fields
    return services.review_record(
        case=case, actor=actor or personas.supervisor, next_steps=list(steps), **data
    )


def area_administrator(personas):
    return make_user(Role.AREA_ADMINISTRATOR, location=personas.office, username="areaadmin")


@pytest.fixture
def case(personas, now):
    return review_case(personas)


# --- recording a review --------------------------------------------------------------------------


def test_the_supervisor_records_a_review_with_its_next_steps(personas, case):
    review = record(
        personas,
        case,
        steps=[
            step(personas.caseworker),
            step(personas.supervisor, date(2026, 12, 10), "Consult the clinical team"),
        ],
        focus_areas=[Focus.TASKS, Focus.SAFETY, Focus.SAFETY],
    )

    assert review.worker == personas.caseworker  # the primary worker by default
    assert review.supervisor == personas.supervisor
    assert review.focus_areas == ["safety", "tasks"]  # in the list's order, once each
    assert review.version == 1 and review.acknowledged_at is None
    steps = list(review.next_steps.order_by("due_on"))
    assert [(s.description, s.owner, s.case) for s in steps] == [
        ("Call the school", personas.caseworker, case),
        ("Consult the clinical team", personas.supervisor, case),
    ]
    assert review.history.first().history_user == personas.supervisor


def test_one_bad_next_step_saves_nothing(personas, case):
    with pytest.raises(ValidationError) as caught:
        record(
            personas,
            case,
            steps=[
                step(personas.caseworker),
                step(personas.other_caseworker),
                step(personas.caseworker, date(2026, 11, 1), ""),
            ],
        )

    assert caught.value.message_dict == {
        "next_steps.1.owner": ["Choose the owner among the case's workers and the supervisor."],
        "next_steps.2.description": ["Say what is to be done."],
        "next_steps.2.due_on": ["A next step is due on or after the review."],
    }
    assert SupervisoryReview.objects.count() == NextStep.objects.count() == 0


def test_a_review_needs_a_past_date_a_focus_and_a_discussion(personas, case):
    with pytest.raises(ValidationError) as caught:
        record(
            personas,
            case,
            held_on=date(2026, 11, 24),
            focus_areas=[],
            discussion="  ",
            worker=personas.other_caseworker,
        )

    assert caught.value.message_dict == {
        "held_on": ["The date of the review cannot be in the future."],
        "focus_areas": ["Choose at least one focus area you discussed."],
        "discussion": ["Say what you discussed."],
        "worker": ["Choose one of the case's workers."],
    }
    with pytest.raises(ValidationError) as caught:
        record(personas, case, held_on=date(2026, 8, 31), focus_areas=["gossip"])
    assert set(caught.value.message_dict) == {"held_on", "focus_areas"}
    assert "opened on 1 Sep 2026" in caught.value.message_dict["held_on"][0]
    assert SupervisoryReview.objects.count() == 0


def test_the_secondary_worker_may_be_the_worker_and_own_steps(personas, case, user_with_role):
    colleague = user_with_role(Role.CASEWORKER, unit=personas.unit)
    case.secondary_worker = colleague
    case.save()

    review = record(personas, case, worker=colleague.pk, steps=[step(colleague.pk)])

    assert review.worker == colleague
    assert review.next_steps.get().owner == colleague


@pytest.mark.parametrize("who", ["caseworker", "other_supervisor"])
def test_only_the_cases_supervisor_records_a_review(personas, case, who):
    actor = other_supervisor(personas) if who == "other_supervisor" else personas.caseworker

    with pytest.raises(PermissionDenied):
        record(personas, case, actor=actor)

    assert SupervisoryReview.objects.count() == 0


def test_the_area_administrator_and_an_acting_supervisor_record_reviews(personas, case):
    admin = area_administrator(personas)
    acting = other_supervisor(personas)
    assign_perm("casework.approve_casework", acting, case)

    by_admin = record(personas, case, actor=admin, steps=[step(admin)])
    by_acting = record(personas, case, actor=acting)

    assert (by_admin.supervisor, by_acting.supervisor) == (admin, acting)


def test_a_closed_case_takes_no_review(personas, case):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=TODAY)

    with pytest.raises(ValidationError) as caught:
        record(personas, case)

    assert caught.value.messages == [f"Case {case.number} is closed."]


def test_the_worker_is_asked_to_acknowledge_and_other_owners_hear_of_their_step(
    personas, case, user_with_role, django_capture_on_commit_callbacks
):
    colleague = user_with_role(Role.CASEWORKER, unit=personas.unit)
    case.secondary_worker = colleague
    case.save()

    with django_capture_on_commit_callbacks(execute=True):
        review = record(
            personas, case, steps=[step(personas.caseworker), step(colleague, description="Visit")]
        )

    worker_notice = Notification.objects.get(recipient=personas.caseworker)
    assert (
        worker_notice.subject == f"Supervisory review to acknowledge: {case.number} Rivera family"
    )
    assert "- Call the school (due 2 Dec" in worker_notice.body
    assert worker_notice.link == f"/casework/supervision/reviews/{review.pk}/"
    assert Notification.objects.get(recipient=colleague).subject.startswith(
        f"Next step for you on {case.number}: Visit"
    )
    assert not Notification.objects.filter(recipient=personas.supervisor).exists()


# --- acknowledging -------------------------------------------------------------------------------


def test_only_the_worker_acknowledges_once(personas, case):
    review = record(personas, case)

    with pytest.raises(PermissionDenied):
        services.review_acknowledge(review=review, actor=personas.supervisor)
    acknowledged = services.review_acknowledge(
        review=review, actor=personas.caseworker, comment=" I will see them alone. ", version=1
    )
    with pytest.raises(ValidationError) as again:
        services.review_acknowledge(review=review, actor=personas.caseworker)

    assert acknowledged.acknowledged_at == NOW
    assert acknowledged.worker_comment == "I will see them alone."
    assert acknowledged.version == 2
    assert again.value.messages == ["You acknowledged this review on 23 Nov 2026."]


def test_acknowledging_a_review_changed_since_it_was_read_is_refused(personas, case):
    review = record(personas, case)
    services.review_update(review=review, actor=personas.supervisor, version=1, discussion="New")

    with pytest.raises(ValidationError) as caught:
        services.review_acknowledge(review=review, actor=personas.caseworker, version=1)

    assert caught.value.message_dict == {"version": [services.STALE_MESSAGE]}
    review.refresh_from_db()
    assert review.acknowledged_at is None


# --- changing a review ---------------------------------------------------------------------------


def test_a_change_needs_the_version_read(personas, case):
    review = record(personas, case)
    services.review_update(review=review, actor=personas.supervisor, version=1, discussion="v2")

    for version in (1, None, "x"):
        with pytest.raises(ValidationError) as caught:
            services.review_update(
                review=review, actor=personas.supervisor, version=version, discussion="Lost"
            )
        assert list(caught.value.message_dict) == ["version"]
    review.refresh_from_db()
    assert (review.discussion, review.version) == ("v2", 2)


def test_changing_an_acknowledged_review_asks_the_worker_again(
    personas, case, django_capture_on_commit_callbacks
):
    review = record(personas, case)
    services.review_acknowledge(review=review, actor=personas.caseworker, comment="OK")

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.review_update(
            review=review,
            actor=personas.supervisor,
            version=2,
            clinical_guidance="Also ask about the evenings.",
        )

    assert (changed.acknowledged_at, changed.worker_comment, changed.version) == (None, "", 3)
    assert Notification.objects.filter(
        recipient=personas.caseworker, subject__startswith="Supervisory review changed"
    ).exists()


def test_an_unchanged_save_keeps_the_version(personas, case):
    review = record(personas, case)

    same = services.review_update(
        review=review, actor=personas.supervisor, version=1, discussion=review.discussion
    )

    assert same.version == 1


def test_steps_are_added_changed_and_removed_but_done_ones_stay(personas, case):
    review = record(
        personas,
        case,
        steps=[step(personas.caseworker), step(personas.caseworker, description="Second")],
    )
    first, second = review.next_steps.order_by("pk")
    services.next_step_complete(step=second, actor=personas.caseworker, done_on=TODAY)

    with pytest.raises(ValidationError) as caught:
        services.review_update(
            review=review,
            actor=personas.supervisor,
            version=1,
            next_steps=[{"id": second.pk, "description": "Changed"}],
        )
    assert "marked done on 23 Nov 2026" in caught.value.message_dict["next_steps.0.description"][0]

    services.review_update(
        review=review,
        actor=personas.supervisor,
        version=1,
        next_steps=[
            {"id": first.pk, "due_on": date(2026, 12, 9), "owner": personas.supervisor.pk},
            step(personas.caseworker, description="Third"),
        ],
    )
    first.refresh_from_db()
    assert (first.due_on, first.owner, first.version) == (
        date(2026, 12, 9),
        personas.supervisor,
        2,
    )
    third = review.next_steps.get(description="Third")
    services.review_update(
        review=review,
        actor=personas.supervisor,
        version=2,
        next_steps=[{"id": third.pk, "remove": True}],
    )
    assert set(review.next_steps.values_list("description", flat=True)) == {
        "Call the school",
        "Second",
    }


def test_moving_the_review_after_a_steps_due_date_is_refused(personas, case):
    review = record(
        personas,
        case,
        held_on=date(2026, 11, 2),
        steps=[step(personas.caseworker, date(2026, 11, 10))],
    )

    with pytest.raises(ValidationError) as caught:
        services.review_update(
            review=review, actor=personas.supervisor, version=1, held_on=date(2026, 11, 20)
        )

    assert "change the due date of: Call the school" in caught.value.message_dict["held_on"][0]


def test_a_step_of_another_review_cannot_be_changed_through_this_one(personas, case):
    one = record(personas, case, steps=[step(personas.caseworker)])
    other = record(personas, review_case(personas))

    with pytest.raises(ValidationError) as caught:
        services.review_update(
            review=other,
            actor=personas.supervisor,
            version=1,
            next_steps=[{"id": one.next_steps.get().pk, "description": "Hijacked"}],
        )

    assert caught.value.message_dict == {
        "next_steps.0.id": ["This next step is not part of this review."]
    }


def test_only_the_supervisor_changes_a_review(personas, case):
    review = record(personas, case)

    with pytest.raises(PermissionDenied):
        services.review_update(
            review=review, actor=personas.caseworker, version=1, discussion="Mine now"
        )


# --- next steps ----------------------------------------------------------------------------------


def test_only_the_owner_marks_a_step_done_on_a_sensible_date(personas, case):
    review = record(personas, case, steps=[step(personas.caseworker)])
    the_step = review.next_steps.get()

    with pytest.raises(PermissionDenied):
        services.next_step_complete(step=the_step, actor=personas.supervisor, done_on=TODAY)
    for day, message in [
        (TODAY + timedelta(days=1), "The date it was done cannot be in the future."),
        (date(2026, 11, 19), "The step was agreed on 20 Nov 2026; it was done on or after that."),
        (None, "Enter the date it was done."),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.next_step_complete(step=the_step, actor=personas.caseworker, done_on=day)
        assert caught.value.message_dict == {"done_on": [message]}

    done = services.next_step_complete(
        step=the_step, actor=personas.caseworker, done_on=TODAY, note="Spoke to the principal."
    )

    assert (done.done_on, done.done_note, done.version) == (TODAY, "Spoke to the principal.", 2)
    with pytest.raises(ValidationError):
        services.next_step_complete(step=the_step, actor=personas.caseworker, done_on=TODAY)


# --- supervision notes ---------------------------------------------------------------------------


def note_fields(personas, **fields) -> dict:
    return {
        "kind": SupervisionNote.Kind.GROUP,
        "held_on": date(2026, 11, 18),
        "attendees": [personas.caseworker],
        "topics": "Engaging fathers",
        "notes": "Each worker brought a case where the father is hard to reach.",
    } | fields


def test_the_units_supervisor_records_notes_with_attendees_from_the_unit(personas, now):
    note = services.note_record(
        unit=personas.unit, actor=personas.supervisor, **note_fields(personas)
    )

    assert list(note.attendees.all()) == [personas.caseworker]
    assert (note.supervisor, note.version) == (personas.supervisor, 1)
    with pytest.raises(ValidationError) as caught:
        services.note_record(
            unit=personas.unit,
            actor=personas.supervisor,
            **note_fields(
                personas, kind="chat", topics="", notes="", held_on=TODAY + timedelta(days=1),
                attendees=[personas.other_caseworker],
            ),
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"kind", "topics", "notes", "held_on", "attendees"}
    assert SupervisionNote.objects.count() == 1


@pytest.mark.parametrize("who", ["caseworker", "other_supervisor", "area_administrator"])
def test_only_the_units_supervisor_writes_notes(personas, now, who):
    actor = {
        "caseworker": lambda: personas.caseworker,
        "other_supervisor": lambda: other_supervisor(personas),
        "area_administrator": lambda: area_administrator(personas),
    }[who]()

    with pytest.raises(PermissionDenied):
        services.note_record(unit=personas.unit, actor=actor, **note_fields(personas))


def test_a_note_change_needs_the_version_read(personas, now):
    note = services.note_record(
        unit=personas.unit, actor=personas.supervisor, **note_fields(personas)
    )
    services.note_update(note=note, actor=personas.supervisor, version=1, attendees=[])

    with pytest.raises(ValidationError) as caught:
        services.note_update(note=note, actor=personas.supervisor, version=1, topics="Lost")

    assert caught.value.message_dict == {"version": [services.STALE_MESSAGE]}
    note.refresh_from_db()
    assert (note.topics, note.version, note.attendees.count()) == ("Engaging fathers", 2, 0)


# --- reminders -----------------------------------------------------------------------------------


def test_next_step_reminders_go_once_per_step_and_threshold(personas, case, time_machine):
    assert rules().next_step_reminder_days == 3
    review = record(
        personas,
        case,
        steps=[
            step(personas.caseworker, date(2026, 11, 25), "Due in two days"),
            step(personas.caseworker, date(2026, 11, 30), "Due next week"),
            step(personas.caseworker, date(2026, 11, 21), "Overdue"),
            step(personas.supervisor, date(2026, 11, 22), "The supervisor's, overdue"),
            step(personas.caseworker, date(2026, 11, 21), "Done"),
        ],
        held_on=date(2026, 11, 20),
    )
    services.next_step_complete(
        step=review.next_steps.get(description="Done"), actor=personas.caseworker, done_on=TODAY
    )
    closed = review_case(personas)
    record(personas, closed, steps=[step(personas.caseworker, date(2026, 11, 21), "Closed")])
    Case.objects.filter(pk=closed.pk).update(status="closed", closed_on=TODAY)
    Notification.objects.all().delete()  # the notices of recording

    sent = services.next_step_reminders_send(today=TODAY)
    again = services.next_step_reminders_send(today=TODAY)

    notices = sorted((n.recipient.username, n.kind, n.subject) for n in Notification.objects.all())
    assert notices == [
        ("caseworker", "next_step_due_soon", "Next step due 25 Nov: Due in two days"),
        ("caseworker", "next_step_overdue", "Next step overdue (due 21 Nov): Overdue"),
        ("supervisor", "next_step_overdue", "Next step overdue (due 21 Nov): Overdue"),
        (
            "supervisor",
            "next_step_overdue",
            "Next step overdue (due 22 Nov): The supervisor's, overdue",
        ),
    ]
    assert (sent, again) == (4, 0)
    # Four days later the step due next week is due soon, the one due on the 25th
    # overdue (its owner and the supervisor); nothing is sent twice.
    assert services.next_step_reminders_send(today=date(2026, 11, 27)) == 3
    assert services.next_step_reminders_send(today=date(2026, 11, 27)) == 0


def test_the_reminder_days_are_the_rules(personas, case):
    limits = rules()
    limits.next_step_reminder_days = 10
    limits.save()
    record(personas, case, steps=[step(personas.caseworker, date(2026, 12, 2))])
    Notification.objects.all().delete()

    assert services.next_step_reminders_send(today=TODAY) == 1
