"""Reminder sweeps for casework deadlines, run by Celery beat (config/celery.py).

Each notice is claimed by its key (object, kind, threshold) through the unique index on
notifications, so a sweep that runs twice, or on two workers at once, sends it once.
Keys already used are read first in one query, so a sweep costs a few queries whatever
the number of items it finds.
"""

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from agency.models import Notification
from agency.services import notification_send
from casework.models import Case, CasePlan, IffContact, IffExtension, Placement
from casework.selectors import rules
from casework.selectors.assessments import assessment_due_states
from casework.selectors.cases import caseload_due
from casework.selectors.placements import home_study_flag


def _send_new(notices: Iterable[dict]) -> int:
    """Send the notices whose (recipient, key) has not been used yet."""
    notices = [n for n in notices if n["recipient"] is not None]
    used = set(
        Notification.objects.filter(dedupe_key__in={n["dedupe_key"] for n in notices}).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    sent = 0
    for notice in notices:
        if (notice["recipient"].pk, notice["dedupe_key"]) in used:
            continue
        sent += notification_send(**notice) is not None
    return sent


def iff_reminders_send(*, now: datetime) -> int:
    """Initial face-to-face contacts: the worker hears when one is due within the
    configured hours (4 by default); the supervisor when one is overdue without an
    approved extension."""
    hours = rules().iff_reminder_hours
    pending = (
        IffContact.objects.filter(
            seen_at__isnull=True,
            due_at__lte=now + timedelta(hours=hours),
            intake__case__status=Case.Status.OPEN,
        )
        .exclude(extensions__status=IffExtension.Status.APPROVED)
        .select_related("child", "intake__case__primary_worker", "intake__case__unit__supervisor")
    )
    notices = []
    for iff in pending:
        case = iff.intake.case
        link = f"/casework/cases/{case.pk}/#iff"
        if iff.due_at > now:
            notices.append(
                {
                    "recipient": case.primary_worker,
                    "kind": "iff_due_soon",
                    "subject": f"Initial contact with {iff.child.full_name} due soon",
                    "body": f"Case {case.number}: see {iff.child.full_name} by "
                    f"{timezone.localtime(iff.due_at):%a %d %b %H:%M} (within {hours} hours), "
                    "or request an extension.",
                    "link": link,
                    "dedupe_key": f"casework.iffcontact:{iff.pk}:iff_due_soon:{hours}h",
                }
            )
        else:
            notices.append(
                {
                    "recipient": case.unit.supervisor,
                    "kind": "iff_overdue",
                    "subject": f"Initial contact overdue: {iff.child.full_name} ({case.number})",
                    "body": f"{case.primary_worker.get_full_name()} has not recorded the "
                    f"initial face-to-face contact with {iff.child.full_name}.",
                    "link": link,
                    "dedupe_key": f"casework.iffcontact:{iff.pk}:iff_overdue:due",
                }
            )
    return _send_new(notices)


def visit_reminders_send(*, today: date) -> int:
    """Monthly visits: with the configured days left in the month (7 by default) the
    worker hears which children and parents on each open case are not yet visited; on
    the first days of a month the supervisor hears of anyone missed the month before."""
    days_left = calendar.monthrange(today.year, today.month)[1] - today.day
    notices = []
    if days_left <= rules().visit_reminder_days_left:
        month = f"{today:%Y-%m}"
        for case, names in caseload_due(today=today):
            notices.append(
                {
                    "recipient": case.primary_worker,
                    "kind": "visits_due",
                    "subject": f"Visits due this month on {case.number} {case.name}",
                    "body": f"Not yet visited in {today:%B}: {', '.join(names)}. "
                    f"{days_left} days left.",
                    "link": f"/casework/cases/{case.pk}/#visits",
                    "dedupe_key": f"casework.case:{case.pk}:visits_due:{month}",
                }
            )
    if today.day <= 3:
        last_month_day = today.replace(day=1) - timedelta(days=1)
        month = f"{last_month_day:%Y-%m}"
        for case, names in caseload_due(today=last_month_day):
            notices.append(
                {
                    "recipient": case.unit.supervisor,
                    "kind": "visits_missed",
                    "subject": f"Monthly visits missed in {last_month_day:%B} on {case.number}",
                    "body": f"Not visited in {last_month_day:%B}: {', '.join(names)}.",
                    "link": f"/casework/cases/{case.pk}/#visits",
                    "dedupe_key": f"casework.case:{case.pk}:visits_missed:{month}",
                }
            )
    return _send_new(notices)


def assessment_reminders_send(*, today: date) -> int:
    """Assessments: the worker hears when one is due within the configured days (7 by
    default), the supervisor when one is overdue. One notice per case, kind and
    threshold; statewide in pages of cases."""
    notices = []
    open_cases = (
        Case.objects.filter(status=Case.Status.OPEN)
        .select_related("primary_worker", "unit__supervisor")
        .order_by("pk")
    )
    for start in range(0, open_cases.count(), 2000):
        page = list(open_cases[start : start + 2000])
        by_id = {case.pk: case for case in page}
        for case_id, states in assessment_due_states(page, today=today).items():
            case = by_id[case_id]
            for state in states:
                overdue = state.state == "overdue"
                notices.append(
                    {
                        "recipient": case.unit.supervisor if overdue else case.primary_worker,
                        "kind": f"assessment_{state.state}",
                        "subject": f"{state.text}: {case.number} {case.name}",
                        "body": f"Case {case.number}: {state.text}.",
                        "link": f"/casework/cases/{case.pk}/#assessments",
                        "dedupe_key": f"casework.case:{case.pk}:assessment_{state.kind}:"
                        f"{state.state}:{state.due_on:%Y-%m-%d}",
                    }
                )
    return _send_new(notices)


def home_study_reminders_send(*, today: date) -> int:
    """Unlicensed kin placements past the home-study referral deadline (30 days by
    default): the worker and the supervisor hear once per placement."""
    due_days = rules().kin_home_study_days
    placements = Placement.objects.filter(
        setting=Placement.Setting.KIN_UNLICENSED,
        entered_in_error=False,
        end_date__isnull=True,
        home_study_referred_on__isnull=True,
        start_date__lt=today - timedelta(days=due_days),
        case__status=Case.Status.OPEN,
    ).select_related("child", "case__primary_worker", "case__unit__supervisor")
    notices = []
    for placement in placements:
        flag = home_study_flag(placement, today=today, due_days=due_days)
        if flag is None:
            continue
        case = placement.case
        for recipient in (case.primary_worker, case.unit.supervisor):
            notices.append(
                {
                    "recipient": recipient,
                    "kind": "home_study_overdue",
                    "subject": f"{flag.text}: {case.number}",
                    "body": f"Unlicensed kin caregivers need a home-study referral within "
                    f"{due_days} days of placement.",
                    "link": f"/casework/cases/{case.pk}/#placements",
                    "dedupe_key": f"casework.placement:{placement.pk}:home_study:{due_days}d",
                }
            )
    return _send_new(notices)


def plan_review_reminders_send(*, today: date) -> int:
    """Approved case plans whose review falls due within the configured days (7 by
    default) remind the worker; overdue reviews notify the supervisor."""
    soon = today + timedelta(days=rules().assessment_reminder_days)
    plans = CasePlan.objects.filter(
        status=CasePlan.Status.APPROVED,
        review_due_on__lte=soon,
        case__status=Case.Status.OPEN,
    ).select_related("case__primary_worker", "case__unit__supervisor")
    notices = []
    for plan in plans:
        case = plan.case
        overdue = plan.review_due_on < today
        state = "overdue" if overdue else "due_soon"
        notices.append(
            {
                "recipient": case.unit.supervisor if overdue else case.primary_worker,
                "kind": f"plan_review_{state}",
                "subject": f"Case plan review {'overdue' if overdue else 'due'} "
                f"({plan.review_due_on:%d %b %Y}): {case.number} {case.name}",
                "body": f"Version {plan.version} of the case plan was approved on "
                f"{timezone.localtime(plan.decided_at):%d %b %Y}; review it with the family.",
                "link": f"/casework/cases/{case.pk}/#plan",
                "dedupe_key": f"casework.caseplan:{plan.pk}:review:{state}:{plan.review_due_on}",
            }
        )
    return _send_new(notices)
