"""The daily COOP sweep (coop.tasks.send_coop_reminders): the senior administrator hears
once at 30 days and once at 7 days before the quarter's due day about duties not done;
OPM hears once per plan and quarter when the due day has passed with duties open.
Running the sweep twice sends nothing more."""

from datetime import date

import pytest

from agency.models import Notification
from coop import services
from coop.models import CoopRules, QuarterlyDuties
from coop.quarters import Quarter
from coop.tasks import send_coop_reminders
from tests.coop.factories import fill_plan, make_opm, make_plan

Q4 = Quarter(2026, 4)


@pytest.fixture
def plan(personas, area_admin):
    """A plan created in 2026 Q4: it owes nothing for the quarters before."""
    return fill_plan(make_plan(personas.office, area_admin, created_on=date(2026, 10, 5)))


def sweep_twice(time_machine, when: str) -> list[dict]:
    time_machine.move_to(when, tick=False)
    return [send_coop_reminders(), send_coop_reminders()]


def notices(kind: str):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_each_threshold_reminds_the_administrator_once(plan, area_admin, opm, time_machine):
    # 40 days before 31 Dec: too early.
    assert sweep_twice(time_machine, "2026-11-21 07:00:00-05:00")[0] == {
        "reminded": 0,
        "escalated": 0,
    }
    # 30 days before (1 Dec): the first reminder, once.
    first, again = sweep_twice(time_machine, "2026-12-01 07:00:00-05:00")
    assert first == {"reminded": 1, "escalated": 0} and again == {"reminded": 0, "escalated": 0}
    # The days between send nothing new.
    assert sweep_twice(time_machine, "2026-12-15 07:00:00-05:00")[0]["reminded"] == 0
    # 7 days before (24 Dec): the second, once.
    second, again = sweep_twice(time_machine, "2026-12-24 07:00:00-05:00")
    assert second["reminded"] == 1 and again["reminded"] == 0

    sent = notices("coop_duties_due")
    assert [n.recipient for n in sent] == [area_admin, area_admin]
    assert sent[0].subject == "COOP duties due 31 Dec 2026: Hartford Area Office, 2026 Q4"
    assert "30 days left" in sent[0].body and "7 days left" in sent[1].body
    assert "communicated to all staff (due 31 dec 2026)" in sent[0].body
    assert sent[0].link == f"/coop/plans/{plan.pk}/"
    assert not notices("coop_duties_overdue")


def test_duties_done_are_not_reminded(plan, area_admin, time_machine):
    time_machine.move_to("2026-11-23 10:00:00-05:00", tick=False)
    services.communication_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        communicated_on=date(2026, 11, 2),
        channel="email",
        staff_count=40,
        evidence="Email with read receipts",
    )
    services.revision_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        revised_on=date(2026, 11, 20),
        revision="no_changes",
        note="Reviewed: no change.",
    )
    services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)

    assert sweep_twice(time_machine, "2026-12-01 07:00:00-05:00")[0]["reminded"] == 0
    assert sweep_twice(time_machine, "2027-01-02 07:00:00-05:00")[0]["escalated"] == 0


def test_a_partly_done_quarter_names_only_what_is_left(plan, area_admin, time_machine):
    time_machine.move_to("2026-11-23 10:00:00-05:00", tick=False)
    services.communication_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        communicated_on=date(2026, 11, 2),
        channel="email",
        staff_count=40,
        evidence="Email with read receipts",
    )
    sweep_twice(time_machine, "2026-12-01 07:00:00-05:00")
    body = notices("coop_duties_due")[0].body
    assert "revised and updated" in body and "submitted to opm" in body
    assert "communicated" not in body


def test_an_overdue_quarter_escalates_to_opm_once(plan, opm, personas, time_machine):
    second = make_opm(personas.central)
    make_opm(personas.central, is_active=False)
    first, again = sweep_twice(time_machine, "2027-01-01 07:00:00-05:00")
    assert first == {"reminded": 0, "escalated": 2} and again["escalated"] == 0
    # Days later, still open: nothing new.
    assert sweep_twice(time_machine, "2027-01-20 07:00:00-05:00")[0]["escalated"] == 0

    sent = notices("coop_duties_overdue")
    assert sorted(n.recipient_id for n in sent) == sorted([opm.pk, second.pk])
    assert sent[0].subject == "COOP duties overdue: Hartford Area Office, 2026 Q4"
    assert "were due on 31 Dec 2026" in sent[0].body and "Senior administrator" in sent[0].body


def test_a_returned_submission_still_open_escalates(plan, area_admin, opm, time_machine):
    time_machine.move_to("2026-12-10 10:00:00-05:00", tick=False)
    services.communication_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        communicated_on=date(2026, 12, 2),
        channel="email",
        staff_count=40,
        evidence="Email",
    )
    services.revision_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        revised_on=date(2026, 12, 3),
        revision="no_changes",
        note="No change.",
    )
    duties = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    services.duties_return(duties=duties, actor=opm, comments="Add the alternates.")
    assert QuarterlyDuties.objects.get().submission == "returned"
    sweep_twice(time_machine, "2027-01-03 07:00:00-05:00")
    assert "submitted to opm (returned, overdue)" in notices("coop_duties_overdue")[0].body


def test_plans_created_after_the_quarter_owe_nothing(plan, opm, time_machine):
    plan.created_at = plan.created_at.replace(year=2027, month=1, day=5)
    plan.save()
    assert sweep_twice(time_machine, "2027-01-06 07:00:00-05:00")[0] == {
        "reminded": 0,
        "escalated": 0,
    }


@pytest.mark.parametrize(
    ("first", "second", "when", "sent"), [(20, 5, "2026-12-01", 0), (20, 5, "2026-12-11", 1)]
)
def test_the_reminder_days_come_from_the_rules(plan, time_machine, first, second, when, sent):
    CoopRules.objects.update_or_create(
        pk=1, defaults={"first_reminder_days": first, "second_reminder_days": second}
    )
    assert sweep_twice(time_machine, f"{when} 07:00:00-05:00")[0]["reminded"] == sent


def test_grace_days_delay_the_escalation(plan, opm, time_machine):
    CoopRules.objects.update_or_create(pk=1, defaults={"grace_days": 10})
    assert sweep_twice(time_machine, "2027-01-05 07:00:00-05:00")[0]["escalated"] == 0
    assert sweep_twice(time_machine, "2027-01-11 07:00:00-05:00")[0]["escalated"] == 1
