"""Due-soon and overdue reminders of ORE data requests, through the Celery task: to the
analyst and every ORE lead, once per request, threshold and due date however often the
sweep runs; none while the clock is stopped for a project scope."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agency.models import Notification
from quality import tasks
from quality.models import DataRequest
from quality.services import data_requests as services
from tests.quality.factories_data_requests import advance, fresh, make_ore, submit

EASTERN = ZoneInfo("America/New_York")
Status = DataRequest.Status


def at(*args) -> datetime:
    return datetime(*args, 9, 0, tzinfo=EASTERN)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(personas):
    """Without email addresses: nothing is queued on a broker."""
    lead = make_ore(lead=True, username="orelead", email="")
    deputy = make_ore(lead=True, username="deputy", email="")
    analyst = make_ore(username="analyst", first_name="Kim", last_name="Ng", email="")
    requester = personas.caseworker
    return {"lead": lead, "deputy": deputy, "analyst": analyst, "requester": requester}


@pytest.fixture
def in_progress(people, time_machine):
    """A legislative request (5 business days) received Monday 2 November 2026, in the
    analyst's hands: due Monday 9 November."""
    time_machine.move_to(at(2026, 11, 2), tick=False)
    r = advance(
        submit(people["requester"]), people["lead"], Status.CATALOGED, category="legislative"
    )
    r = services.data_request_approve(data_request=r, actor=people["lead"], version=r.version)
    r = services.data_request_assign(
        data_request=r, actor=people["lead"], version=r.version, analyst=people["analyst"]
    )
    r = services.data_request_start(data_request=r, actor=people["analyst"], version=r.version)
    assert r.due_on == date(2026, 11, 9)
    Notification.objects.all().delete()  # the assignment notice
    return r


def sweep(time_machine, day) -> dict[str, int]:
    time_machine.move_to(at(*day), tick=False)
    return tasks.send_data_request_reminders()


def notices(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("recipient__username"))


def test_due_soon_reaches_the_analyst_and_every_lead_once(people, in_progress, time_machine):
    # Three business days before Monday 9 November is Wednesday 4 November.
    assert sweep(time_machine, (2026, 11, 3)) == {"due_soon": 0, "overdue": 0}
    assert sweep(time_machine, (2026, 11, 4)) == {"due_soon": 3, "overdue": 0}
    assert sweep(time_machine, (2026, 11, 4)) == {"due_soon": 0, "overdue": 0}
    assert sweep(time_machine, (2026, 11, 6)) == {"due_soon": 0, "overdue": 0}

    sent = notices("ore_due_soon")
    assert [n.recipient.username for n in sent] == ["analyst", "deputy", "orelead"]
    first = sent[0]
    assert first.subject == f"Data request due 9 Nov 2026: {in_progress.reference}"
    assert first.link == f"/quality/data-requests/{in_progress.pk}/"
    assert first.dedupe_key == f"quality.datarequest:{in_progress.pk}:ore_due_soon:3bd:2026-11-09"
    assert "analyst: Kim Ng" in first.body


def test_overdue_goes_once_after_the_due_date(people, in_progress, time_machine):
    assert sweep(time_machine, (2026, 11, 9))["overdue"] == 0  # due today is not late
    assert sweep(time_machine, (2026, 11, 10)) == {"due_soon": 0, "overdue": 3}
    assert sweep(time_machine, (2026, 11, 11))["overdue"] == 0
    assert sweep(time_machine, (2026, 11, 12))["overdue"] == 0
    assert len(notices("ore_overdue")) == 3
    assert notices("ore_overdue")[0].subject == (f"Data request overdue: {in_progress.reference}")


def test_an_unassigned_request_reminds_the_leads_only(people, time_machine):
    time_machine.move_to(at(2026, 11, 2), tick=False)
    r = advance(submit(people["requester"]), people["lead"], Status.CATALOGED, category="foia")
    assert r.due_on == date(2026, 11, 6)
    assert sweep(time_machine, (2026, 11, 3))["due_soon"] == 2
    assert {n.recipient.username for n in notices("ore_due_soon")} == {"orelead", "deputy"}


def test_no_reminder_while_waiting_for_a_scope_and_a_new_one_for_the_moved_date(
    people, time_machine
):
    time_machine.move_to(at(2026, 11, 2), tick=False)
    r = advance(submit(people["requester"]), people["lead"], Status.CATALOGED, category="foia")
    services.data_request_scope_request(
        data_request=r, actor=people["lead"], version=r.version, what_ore_needs="Which years."
    )
    assert sweep(time_machine, (2026, 11, 5)) == {"due_soon": 0, "overdue": 0}
    assert sweep(time_machine, (2026, 11, 10)) == {"due_soon": 0, "overdue": 0}  # past 6 Nov
    assert not Notification.objects.filter(kind__in=["ore_due_soon", "ore_overdue"]).exists()

    # The scope arrives on Tuesday 10 November: 6 business days on hold (3 to 10 Nov), so
    # the answer is due 6 business days after 6 November, Veterans Day skipped.
    services.data_request_scope_submit(
        data_request=fresh(r), actor=people["requester"], version=fresh(r).version,
        objectives="Counts by year.",
    )  # fmt: skip
    r = fresh(r)
    assert r.hold_business_days == 6 and r.due_on == date(2026, 11, 17)
    assert sweep(time_machine, (2026, 11, 10))["due_soon"] == 0
    assert sweep(time_machine, (2026, 11, 12))["due_soon"] == 2  # due within 3 business days
    keys = {n.dedupe_key for n in notices("ore_due_soon")}
    assert keys == {f"quality.datarequest:{r.pk}:ore_due_soon:3bd:2026-11-17"}


def test_delivered_and_declined_requests_get_no_reminders(people, time_machine):
    time_machine.move_to(at(2026, 11, 2), tick=False)
    advance(submit(people["requester"]), people["lead"], Status.DELIVERED, category="foia")
    declined = advance(submit(people["requester"]), people["lead"], Status.CATALOGED)
    services.data_request_decline(
        data_request=declined, actor=people["lead"], version=declined.version, reason="No."
    )
    assert sweep(time_machine, (2026, 11, 20)) == {"due_soon": 0, "overdue": 0}


def test_the_ore_due_soon_threshold_comes_from_the_quality_rules(people, in_progress, time_machine):
    from quality.selectors import rules

    office_rules = rules()
    office_rules.ore_due_soon_business_days = 1
    office_rules.save()
    assert sweep(time_machine, (2026, 11, 5))["due_soon"] == 0
    assert sweep(time_machine, (2026, 11, 6))["due_soon"] == 3
