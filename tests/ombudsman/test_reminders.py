"""The Ombudsman's reminders through their Celery tasks: due soon (to the assignee),
overdue and unassigned too long (to the lead), the morning digest on business days; each
notice once per inquiry and threshold, even when the sweep runs twice or concurrently."""

import threading
from datetime import date, datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency import services as agency_services
from agency.models import Notification
from config.celery import app
from ombudsman import services, tasks
from ombudsman.models import Inquiry
from tests.ombudsman.factories import make_inquiry, make_ombudsman

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


# Tuesday 3 March 2026, 10:00 in Connecticut.
TUESDAY = local(2026, 3, 3, 10, 0)


@pytest.fixture
def people(db):
    """Staff and two leads, without email addresses (nothing is queued on a broker)."""
    return {
        "staff": make_ombudsman(email=""),
        "lead": make_ombudsman(lead=True, email=""),
        "deputy": make_ombudsman(lead=True, email=""),
    }


@pytest.fixture
def clock_at(time_machine):
    def move(instant: datetime) -> None:
        time_machine.move_to(instant, tick=False)

    move(TUESDAY)
    return move


def sweep(clock_at, instant: datetime) -> dict[str, int]:
    clock_at(instant)
    return tasks.sweep_inquiry_reminders()


def notices(kind: str, **filters) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind, **filters).order_by("recipient_id"))


def assigned(inquiry, people):
    return services.inquiry_assign(inquiry=inquiry, assignee=people["staff"], actor=people["lead"])


# --- due soon ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assignee_hears_when_four_business_hours_remain(people, clock_at):
    inquiry = assigned(make_inquiry(people["lead"]), people)  # due Thursday 5 March 17:00
    Notification.objects.all().delete()  # the assignment notice

    assert sweep(clock_at, local(2026, 3, 5, 12, 59))["due_soon"] == 0
    assert sweep(clock_at, local(2026, 3, 5, 13, 0))["due_soon"] == 1
    assert sweep(clock_at, local(2026, 3, 5, 13, 5))["due_soon"] == 0

    [notice] = notices("ombudsman_due_soon")
    assert notice.recipient == people["staff"]
    assert notice.subject == f"Initial response due Thu 05 Mar 2026 17:00: {inquiry.reference}"
    assert notice.dedupe_key == f"ombudsman.inquiry:{inquiry.pk}:due_soon:4h"
    assert notice.link == f"/ombudsman/inquiries/{inquiry.pk}/"


@pytest.mark.django_db
def test_due_soon_counts_business_hours_not_the_night(people, clock_at):
    # Immediate, received Tuesday 16:00: due Wednesday 11:00, 19 hours away on the wall
    # clock but only 4 business hours (16:00-17:00 and 08:00-11:00).
    clock_at(local(2026, 3, 3, 16, 0))
    inquiry = assigned(make_inquiry(people["lead"], urgency=Inquiry.Urgency.IMMEDIATE), people)

    assert inquiry.initial_response_due_at == local(2026, 3, 4, 11, 0)
    assert sweep(clock_at, local(2026, 3, 3, 16, 0))["due_soon"] == 1


@pytest.mark.django_db
def test_no_due_soon_notice_once_the_initial_response_is_logged(people, clock_at):
    inquiry = assigned(make_inquiry(people["lead"]), people)
    services.inquiry_respond(inquiry=inquiry, actor=people["staff"], method="phone", summary="Hi")

    result = sweep(clock_at, local(2026, 3, 5, 16, 0))

    assert result == {"due_soon": 0, "overdue": 0, "unassigned": 0}
    assert sweep(clock_at, local(2026, 3, 12, 9, 0)) == {
        "due_soon": 0,
        "overdue": 0,
        "unassigned": 0,
    }


@pytest.mark.django_db
def test_a_closure_day_added_later_delays_the_reminder(people, clock_at):
    assigned(make_inquiry(people["lead"]), people)
    agency_services.closure_day_add(day=date(2026, 3, 4), reason="Ice storm")  # due Fri now

    assert sweep(clock_at, local(2026, 3, 5, 13, 0))["due_soon"] == 0
    assert sweep(clock_at, local(2026, 3, 6, 13, 0))["due_soon"] == 1


# --- overdue -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_lead_hears_once_when_an_inquiry_is_overdue(people, clock_at):
    inquiry = assigned(make_inquiry(people["lead"]), people)  # due Thursday 17:00

    assert sweep(clock_at, local(2026, 3, 5, 17, 0))["overdue"] == 0  # on time until then
    assert sweep(clock_at, local(2026, 3, 5, 17, 5))["overdue"] == 2
    assert sweep(clock_at, local(2026, 3, 6, 9, 0))["overdue"] == 0

    overdue = notices("ombudsman_overdue")
    assert [n.recipient for n in overdue] == [people["lead"], people["deputy"]]
    assert overdue[0].subject == f"Overdue: no initial response to {inquiry.reference}"
    assert "assigned to" in overdue[0].body
    assert not notices("ombudsman_overdue", recipient=people["staff"])


@pytest.mark.django_db
def test_resolved_and_closed_inquiries_are_never_overdue(people, clock_at):
    inquiry = make_inquiry(people["lead"])
    services.inquiry_respond(inquiry=inquiry, actor=people["staff"], method="phone", summary="x")
    services.inquiry_resolve(inquiry=inquiry, actor=people["staff"], outcome="withdrawn",
                             summary="Withdrawn")  # fmt: skip

    assert sweep(clock_at, local(2026, 3, 20, 9, 0)) == {
        "due_soon": 0,
        "overdue": 0,
        "unassigned": 0,
    }


# --- unassigned ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lead_hears_when_an_inquiry_stays_unassigned_for_a_business_hour(people, clock_at):
    # Received Monday 16:30: one business hour later is Tuesday 08:30.
    clock_at(local(2026, 3, 2, 16, 30))
    inquiry = make_inquiry(None, channel=Inquiry.Channel.WEB)

    assert sweep(clock_at, local(2026, 3, 2, 17, 30))["unassigned"] == 0
    assert sweep(clock_at, local(2026, 3, 3, 8, 29))["unassigned"] == 0
    assert sweep(clock_at, local(2026, 3, 3, 8, 30))["unassigned"] == 2
    assert sweep(clock_at, local(2026, 3, 3, 8, 35))["unassigned"] == 0

    unassigned = notices("ombudsman_unassigned")
    assert {n.recipient for n in unassigned} == {people["lead"], people["deputy"]}
    assert unassigned[0].dedupe_key == f"ombudsman.inquiry:{inquiry.pk}:unassigned:1h"


@pytest.mark.django_db
def test_a_weekend_inquiry_is_flagged_an_hour_after_monday_opening(people, clock_at):
    clock_at(local(2026, 3, 7, 11, 0))  # Saturday
    make_inquiry(None, channel=Inquiry.Channel.EMAIL)

    assert sweep(clock_at, local(2026, 3, 9, 8, 59))["unassigned"] == 0
    assert sweep(clock_at, local(2026, 3, 9, 9, 0))["unassigned"] == 2


@pytest.mark.django_db
def test_an_assigned_inquiry_is_not_flagged_as_unassigned(people, clock_at):
    assigned(make_inquiry(people["lead"]), people)

    assert sweep(clock_at, local(2026, 3, 4, 9, 0))["unassigned"] == 0


@pytest.mark.django_db
def test_the_thresholds_follow_the_office_rules(people, clock_at):
    office = services.rules()
    office.due_soon_business_hours = 9
    office.unassigned_alert_business_hours = 3
    office.save()
    make_inquiry(people["lead"])  # Tuesday 10:00, due Thursday 17:00, unassigned

    assert sweep(clock_at, local(2026, 3, 3, 12, 59))["unassigned"] == 0
    assert sweep(clock_at, local(2026, 3, 3, 13, 0))["unassigned"] == 2
    inquiry = assigned(Inquiry.objects.get(), people)
    assert sweep(clock_at, local(2026, 3, 4, 16, 59))["due_soon"] == 0
    assert sweep(clock_at, local(2026, 3, 4, 17, 0))["due_soon"] == 1
    assert notices("ombudsman_due_soon")[0].dedupe_key.endswith(f"{inquiry.pk}:due_soon:9h")


# --- idempotency ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_run_twice_sends_each_notice_once(people, clock_at):
    clock_at(local(2026, 3, 2, 9, 0))
    late = make_inquiry(people["lead"])  # due Wednesday 4 March 17:00, never assigned
    clock_at(local(2026, 3, 5, 8, 0))
    soon = assigned(make_inquiry(people["lead"], urgency=Inquiry.Urgency.IMMEDIATE), people)
    moment = local(2026, 3, 5, 9, 0)  # soon is due at 12:00

    first = sweep(clock_at, moment)
    second = sweep(clock_at, moment)

    assert first == {"due_soon": 1, "overdue": 2, "unassigned": 2}
    assert second == {"due_soon": 0, "overdue": 0, "unassigned": 0}
    keys = sorted(
        Notification.objects.exclude(dedupe_key="").values_list("recipient_id", "dedupe_key")
    )
    lead, deputy, staff = people["lead"].pk, people["deputy"].pk, people["staff"].pk
    assert keys == sorted(
        [
            (staff, f"ombudsman.inquiry:{soon.pk}:due_soon:4h"),
            (lead, f"ombudsman.inquiry:{late.pk}:overdue:due"),
            (deputy, f"ombudsman.inquiry:{late.pk}:overdue:due"),
            (lead, f"ombudsman.inquiry:{late.pk}:unassigned:1h"),
            (deputy, f"ombudsman.inquiry:{late.pk}:unassigned:1h"),
        ]
    )


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite serialises writers; the race needs Postgres's concurrent inserts.",
)
# Transactional, so each thread's connection sees the committed inquiries; `role_groups`
# puts back the role groups an earlier transactional test's flush removed.
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_notice_once(role_groups, time_machine):
    time_machine.move_to(local(2026, 3, 2, 9, 0), tick=False)
    staff = make_ombudsman(email="")
    lead = make_ombudsman(lead=True, email="")
    late = make_inquiry(lead)  # due Wednesday 17:00, never assigned
    time_machine.move_to(local(2026, 3, 4, 10, 0), tick=False)
    soon = make_inquiry(lead, urgency=Inquiry.Urgency.IMMEDIATE)  # due Wednesday 14:00
    services.inquiry_assign(inquiry=soon, assignee=staff, actor=lead)
    moment = local(2026, 3, 5, 8, 0)  # late is overdue and unassigned; soon is overdue
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(services.reminders_sweep(now=moment))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    assert sum(r["overdue"] for r in results) == 2  # late and soon, to the one lead
    assert sum(r["unassigned"] for r in results) == 1
    reminders = Notification.objects.exclude(dedupe_key="")
    assert sorted(reminders.values_list("dedupe_key", flat=True)) == sorted(
        [
            f"ombudsman.inquiry:{late.pk}:overdue:due",
            f"ombudsman.inquiry:{soon.pk}:overdue:due",
            f"ombudsman.inquiry:{late.pk}:unassigned:1h",
        ]
    )
    assert set(reminders.values_list("recipient_id", flat=True)) == {lead.pk}


# --- the digest ----------------------------------------------------------------------------


def digest(clock_at, instant: datetime) -> int:
    clock_at(instant)
    return tasks.send_ombudsman_digest()


@pytest.mark.django_db
def test_the_digest_goes_to_each_lead_once_a_business_day(people, clock_at):
    clock_at(local(2026, 3, 2, 9, 0))
    make_inquiry(people["lead"])  # due Wednesday 4 March 17:00
    clock_at(local(2026, 3, 4, 11, 0))
    assigned(make_inquiry(people["lead"]), people)  # due Friday 6 March

    assert digest(clock_at, local(2026, 3, 5, 8, 0)) == 2
    assert digest(clock_at, local(2026, 3, 5, 8, 0)) == 0
    assert digest(clock_at, local(2026, 3, 5, 14, 0)) == 0  # same day, however scheduled

    sent = notices("ombudsman_digest")
    assert [n.recipient for n in sent] == [people["lead"], people["deputy"]]
    assert sent[0].subject == "Ombudsman queue for Thursday 05 March 2026"
    assert sent[0].body.splitlines() == [
        "Overdue (no initial response): 1",
        "Initial response due today: 0",
        "Unassigned: 1",
        "Open in all: 2",
    ]
    assert sent[0].link == "/ombudsman/?view=all"
    assert digest(clock_at, local(2026, 3, 6, 8, 0)) == 2  # the next business day


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        pytest.param(local(2026, 3, 7, 8, 0), id="saturday"),
        pytest.param(local(2026, 7, 3, 8, 0), id="independence-day-observed"),
        pytest.param(local(2027, 12, 24, 8, 0), id="christmas-observed"),
        pytest.param(local(2026, 3, 10, 8, 0), id="closure-day"),
    ],
)
def test_no_digest_on_a_day_that_is_not_a_business_day(people, clock_at, day):
    agency_services.closure_day_add(day=date(2026, 3, 10), reason="Snow")
    make_inquiry(people["lead"])

    assert digest(clock_at, day) == 0
    assert not notices("ombudsman_digest")


# --- the schedule --------------------------------------------------------------------------


def test_beat_runs_the_sweep_every_five_minutes_and_the_digest_at_eight_on_weekdays():
    app.loader.import_default_modules()  # autodiscovery, as the worker does
    schedule = app.conf.beat_schedule

    sweep_entry = schedule["ombudsman-inquiry-reminders"]
    assert sweep_entry["task"] == "ombudsman.tasks.sweep_inquiry_reminders"
    assert sweep_entry["schedule"].minute == set(range(0, 60, 5))
    assert sweep_entry["schedule"].hour == set(range(24))

    digest_entry = schedule["ombudsman-digest"]
    assert digest_entry["task"] == "ombudsman.tasks.send_ombudsman_digest"
    assert digest_entry["schedule"].hour == {8}
    assert digest_entry["schedule"].minute == {0}
    assert digest_entry["schedule"].day_of_week == {1, 2, 3, 4, 5}
    assert str(app.conf.timezone) == "America/New_York"
    for entry in (sweep_entry, digest_entry):
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_a_sweep_with_nothing_new_to_send_writes_nothing(people, clock_at):
    # Notices already sent are read in one query, not tried again one by one.
    def repeat_sweep(count: int) -> int:
        clock_at(local(2026, 3, 2, 9, 0))
        for _ in range(count):
            make_inquiry(people["lead"])  # overdue and unassigned by Thursday
        sweep(clock_at, local(2026, 3, 5, 9, 0))
        with CaptureQueriesContext(connection) as captured:
            assert sweep(clock_at, local(2026, 3, 5, 9, 5)) == {
                "due_soon": 0,
                "overdue": 0,
                "unassigned": 0,
            }
        assert not [q for q in captured if q["sql"].startswith(("INSERT", "SAVEPOINT"))]
        return len(captured)

    assert repeat_sweep(3) == repeat_sweep(30)
