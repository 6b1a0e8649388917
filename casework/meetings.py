"""When family team meetings are due: pure functions over plain rows, no ORM (tested in
tests/casework/test_meetings_rules.py). The numbers come from CaseworkRules and are
passed in; casework.selectors.meetings reads the rows and calls `case_meeting_dues`.

Definitions:

- *Counted placements* are those not entered in error and not trial home visits (a
  trial home visit is a step home, not a new placement decision).
- **Family Team Decision Making (FTDM).** Every counted placement needs an FTDM linked
  to it (`FamilyMeeting.placement`, kind FTDM, held):
  - a planned placement: before the child moves, so held no later than the end of the
    placement's start day;
  - an emergency placement (`Placement.emergency`): within `ftdm_emergency_hours` (72
    by default) after the placement. Hearth records the day of a placement, not the
    hour, so the hours count from the end of the start day: a child placed on
    Monday 10 Nov has an FTDM due by the end of Thursday 13 Nov.
  An FTDM held after that is *held late*; none held (and the deadline passed) is
  *overdue*. The caseload and the reminders only follow placements still open: a
  placement that ended without an FTDM stays on the case page as missed.
- **Shared planning (permanency planning) meeting.** For each child in care today (a
  counted placement on the case covering today): the child *entered care* on the first
  day of the current episode (counted placements joined while each starts no later
  than the day after the one before ends: a move is no gap). The first meeting is due
  `shared_planning_first_days` (180) days after entering care; then
  `shared_planning_interval_months` (6) calendar months after the last one held.
  Meetings held before the current episode began do not count.
- **Case-planning meeting with the family**, for open in-home and family assessment
  (FAR) cases: the first is due `case_planning_meeting_days` (30) days after the case
  opened; then `plan_review_months` (6) calendar months after the last one held.
- Child and family team meetings and family conferences are held as needed: no due
  rule. Any meeting still scheduled after its day has passed is *not recorded*.
- A due date is *overdue* from the day after it, *due soon* from `reminder_days` (7)
  before it, and *later* before that. Cancelled meetings satisfy nothing.
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from agency.calendar import TIMEZONE

FTDM = "ftdm"
SHARED_PLANNING = "shared_planning"
CASE_PLANNING = "case_planning"
HELD = "held"
SCHEDULED = "scheduled"
TRIAL_HOME_VISIT = "trial_home_visit"
# How the caseload names each kind of meeting.
SHORT_LABELS = {
    FTDM: "FTDM",
    SHARED_PLANNING: "Shared planning meeting",
    CASE_PLANNING: "Case-planning meeting",
    "child_family_team": "Child and family team meeting",
    "family_conference": "Family conference",
}
# Case types that hold case-planning meetings with the family.
CASE_PLANNING_CASE_TYPES = ("in_home", "family_assessment")

# States of a due meeting.
OVERDUE = "overdue"
DUE_SOON = "due_soon"
LATER = "later"
HELD_ON_TIME = "held"
HELD_LATE = "held_late"
MISSED = "missed"  # an FTDM never held for a placement that has ended
ACTIONABLE = (OVERDUE, DUE_SOON)


class PlacementRow(Protocol):
    pk: int
    child_id: int
    start_date: date
    end_date: date | None
    setting: str
    emergency: bool
    entered_in_error: bool


class MeetingRow(Protocol):
    pk: int
    kind: str
    status: str
    child_id: int | None
    placement_id: int | None
    scheduled_for: datetime
    held_at: datetime | None


@dataclass(frozen=True)
class Rules:
    """The casework rules these functions use (CaseworkRules has the same names)."""

    ftdm_emergency_hours: int = 72
    shared_planning_first_days: int = 180
    shared_planning_interval_months: int = 6
    case_planning_meeting_days: int = 30
    plan_review_months: int = 6
    meeting_reminder_days: int = 7

    @classmethod
    def of(cls, rules) -> "Rules":
        return cls(**{name: getattr(rules, name) for name in cls.__dataclass_fields__})


# --- dates -----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months, clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_text(day: date) -> str:
    """ "24 Nov 2026", as Hearth writes dates."""
    return f"{day.day} {day:%b %Y}"


def short_date(day: date) -> str:
    """ "24 Nov", as the caseload lists due dates."""
    return f"{day.day} {day:%b}"


def end_of_day(day: date) -> datetime:
    """The instant a local day ends (midnight starting the next day, Eastern)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=TIMEZONE)


def last_day_before(instant: datetime) -> date:
    """The local day on which a deadline falls: midnight belongs to the day it ends."""
    return (instant.astimezone(TIMEZONE) - timedelta(microseconds=1)).date()


def deadline_text(instant: datetime) -> str:
    """ "the end of 13 Nov 2026" for a deadline at midnight, else "13 Nov 2026, 12:00"."""
    local = instant.astimezone(TIMEZONE)
    if local.time() == time.min:
        return f"the end of {day_text(last_day_before(local))}"
    return f"{day_text(local.date())}, {local:%H:%M}"


def due_state(due_on: date, *, today: date, reminder_days: int) -> str:
    """ "overdue" after the due day, "due_soon" within `reminder_days` of it, else "later"."""
    if due_on < today:
        return OVERDUE
    if due_on <= today + timedelta(days=reminder_days):
        return DUE_SOON
    return LATER


def local_day(instant: datetime) -> date:
    return instant.astimezone(TIMEZONE).date()


# --- FTDM ------------------------------------------------------------------------------------


def counted(placements: Iterable[PlacementRow]) -> list[PlacementRow]:
    """Placements that need meetings: not entered in error, not trial home visits."""
    return [p for p in placements if not p.entered_in_error and p.setting != TRIAL_HOME_VISIT]


def ftdm_deadline(start_date: date, *, emergency: bool, hours: int) -> datetime:
    """When the FTDM for a placement starting `start_date` must have been held by: the
    end of the start day for a planned placement, `hours` after it for an emergency one."""
    deadline = end_of_day(start_date)
    return deadline + timedelta(hours=hours) if emergency else deadline


def ftdm_rule_text(placement: PlacementRow, *, hours: int, name: str) -> str:
    deadline = ftdm_deadline(placement.start_date, emergency=placement.emergency, hours=hours)
    if placement.emergency:
        return (
            f"An emergency placement: the FTDM is due within {hours} hours, counted from the "
            f"end of the day {name} was placed ({day_text(placement.start_date)}): by "
            f"{deadline_text(deadline)}."
        )
    return (
        f"A planned placement: the FTDM is held before {name} moves, by "
        f"{deadline_text(deadline)} (the day the placement started)."
    )


# --- care episodes ---------------------------------------------------------------------------


def entered_care(placements: Iterable[PlacementRow], *, today: date) -> date | None:
    """For one child's placements: the first day of the episode in care covering `today`
    (counted placements only), or None when the child is not in care today."""
    spans = sorted(
        (p.start_date, p.end_date or date.max) for p in counted(placements) if p.start_date <= today
    )
    if not spans:
        return None
    start, reached = spans[0]
    for span_start, span_end in spans[1:]:
        if reached != date.max and span_start > reached + timedelta(days=1):
            start = span_start  # a gap: a new episode begins
        reached = max(reached, span_end)
    return start if reached >= today else None


def next_shared_planning_on(
    *, entered_on: date, last_held: date | None, first_days: int, interval_months: int
) -> date:
    """The day the child's next shared planning meeting is due (see the module)."""
    if last_held is not None and last_held >= entered_on:
        return add_months(last_held, interval_months)
    return entered_on + timedelta(days=first_days)


def next_case_planning_on(
    *, opened_on: date, last_held: date | None, first_days: int, interval_months: int
) -> date:
    """The day the case's next case-planning meeting with the family is due."""
    if last_held is not None and last_held >= opened_on:
        return add_months(last_held, interval_months)
    return opened_on + timedelta(days=first_days)


# --- one case --------------------------------------------------------------------------------


@dataclass
class MeetingDue:
    """One meeting a rule asks for on a case, where it stands, and in words.

    `text` is the caseload's line ("Shared planning meeting for Ana due 30 Nov"), `rule`
    explains the due date, `held` is the meeting that satisfied it (an FTDM) or the
    last one held (shared planning, case planning), `scheduled` the next one booked."""

    kind: str
    state: str
    due_on: date
    text: str
    rule: str
    child_id: int | None = None
    placement_id: int | None = None
    held: MeetingRow | None = None
    scheduled: MeetingRow | None = None
    deadline: datetime | None = None

    @property
    def actionable(self) -> bool:
        return self.state in ACTIONABLE

    @property
    def css_class(self) -> str:
        return {
            OVERDUE: "hearth-overdue",
            MISSED: "hearth-overdue",
            DUE_SOON: "hearth-due-soon",
        }.get(self.state, "")

    @property
    def state_label(self) -> str:
        return {
            OVERDUE: "Overdue",
            DUE_SOON: "Due soon",
            LATER: "Not due yet",
            HELD_ON_TIME: "Held on time",
            HELD_LATE: "Held late",
            MISSED: "Missed",
        }[self.state]


@dataclass
class CaseDues:
    """Everything the rules ask for on one case: `dues` in due order, and `not_recorded`,
    the meetings still scheduled after their day."""

    dues: list[MeetingDue] = field(default_factory=list)
    not_recorded: list[MeetingRow] = field(default_factory=list)

    def actionable(self) -> list[MeetingDue]:
        return [d for d in self.dues if d.actionable]


def _state_words(what: str, state: str, due_on: date) -> str:
    if state == OVERDUE:
        return f"{what} overdue (due {short_date(due_on)})"
    return f"{what} due {short_date(due_on)}"


def _first(meetings: Iterable[MeetingRow], key) -> MeetingRow | None:
    return min(meetings, key=key, default=None)


def ftdm_dues(
    placements: Sequence[PlacementRow],
    meetings: Sequence[MeetingRow],
    *,
    names: Mapping[int, str],
    today: date,
    rules: Rules,
) -> list[MeetingDue]:
    """The FTDM of every counted placement: held on time, held late, missed (the
    placement ended), overdue, due soon or not due yet."""
    result = []
    for placement in counted(placements):
        linked = [m for m in meetings if m.kind == FTDM and m.placement_id == placement.pk]
        held = _first((m for m in linked if m.status == HELD and m.held_at), lambda m: m.held_at)
        scheduled = _first((m for m in linked if m.status == SCHEDULED), lambda m: m.scheduled_for)
        deadline = ftdm_deadline(
            placement.start_date,
            emergency=placement.emergency,
            hours=rules.ftdm_emergency_hours,
        )
        due_on = last_day_before(deadline)
        name = names.get(placement.child_id, "the child")
        if held is not None:
            state = HELD_ON_TIME if held.held_at <= deadline else HELD_LATE
        elif placement.end_date is not None and placement.end_date < today:
            state = MISSED
        else:
            state = due_state(due_on, today=today, reminder_days=rules.meeting_reminder_days)
        what = f"FTDM for {name}'s {'emergency ' if placement.emergency else ''}placement"
        result.append(
            MeetingDue(
                kind=FTDM,
                state=state,
                due_on=due_on,
                deadline=deadline,
                text=_state_words(what, state, due_on),
                rule=ftdm_rule_text(placement, hours=rules.ftdm_emergency_hours, name=name),
                child_id=placement.child_id,
                placement_id=placement.pk,
                held=held,
                scheduled=scheduled,
            )
        )
    return result


def shared_planning_dues(
    placements: Sequence[PlacementRow],
    meetings: Sequence[MeetingRow],
    *,
    names: Mapping[int, str],
    today: date,
    rules: Rules,
) -> list[MeetingDue]:
    """The next shared planning meeting of every child in care today."""
    by_child: dict[int, list[PlacementRow]] = {}
    for p in placements:
        by_child.setdefault(p.child_id, []).append(p)
    result = []
    for child_id, own in by_child.items():
        entered_on = entered_care(own, today=today)
        if entered_on is None:
            continue
        mine = [m for m in meetings if m.kind == SHARED_PLANNING and m.child_id == child_id]
        held_days = [
            local_day(m.held_at) for m in mine if m.status == HELD and m.held_at is not None
        ]
        last_held = max((d for d in held_days if d >= entered_on), default=None)
        due_on = next_shared_planning_on(
            entered_on=entered_on,
            last_held=last_held,
            first_days=rules.shared_planning_first_days,
            interval_months=rules.shared_planning_interval_months,
        )
        name = names.get(child_id, "the child")
        if last_held is None:
            rule = (
                f"{name} has been in care since {day_text(entered_on)}: the first shared "
                f"planning meeting is due after {rules.shared_planning_first_days} days in "
                f"care, on {day_text(due_on)}."
            )
        else:
            rule = (
                f"Every {rules.shared_planning_interval_months} months after the last one "
                f"held ({day_text(last_held)}): due {day_text(due_on)}."
            )
        state = due_state(due_on, today=today, reminder_days=rules.meeting_reminder_days)
        scheduled = _first(
            (
                m
                for m in mine
                if m.status == SCHEDULED and local_day(m.scheduled_for) >= (last_held or entered_on)
            ),
            lambda m: m.scheduled_for,
        )
        result.append(
            MeetingDue(
                kind=SHARED_PLANNING,
                state=state,
                due_on=due_on,
                text=_state_words(f"Shared planning meeting for {name}", state, due_on),
                rule=rule,
                child_id=child_id,
                held=_last_held(mine),
                scheduled=scheduled,
            )
        )
    return result


def _last_held(meetings: Iterable[MeetingRow]) -> MeetingRow | None:
    held = [m for m in meetings if m.status == HELD and m.held_at is not None]
    return max(held, key=lambda m: m.held_at, default=None)


def case_planning_due(
    *,
    case_type: str,
    case_open: bool,
    opened_on: date,
    meetings: Sequence[MeetingRow],
    today: date,
    rules: Rules,
) -> MeetingDue | None:
    """The next case-planning meeting with the family of an open in-home or FAR case."""
    if not case_open or case_type not in CASE_PLANNING_CASE_TYPES:
        return None
    mine = [m for m in meetings if m.kind == CASE_PLANNING]
    held_days = [local_day(m.held_at) for m in mine if m.status == HELD and m.held_at is not None]
    last_held = max((d for d in held_days if d >= opened_on), default=None)
    due_on = next_case_planning_on(
        opened_on=opened_on,
        last_held=last_held,
        first_days=rules.case_planning_meeting_days,
        interval_months=rules.plan_review_months,
    )
    if last_held is None:
        rule = (
            f"Within {rules.case_planning_meeting_days} days of the case opening "
            f"({day_text(opened_on)}): due {day_text(due_on)}."
        )
    else:
        rule = (
            f"Every {rules.plan_review_months} months after the last one held "
            f"({day_text(last_held)}): due {day_text(due_on)}."
        )
    state = due_state(due_on, today=today, reminder_days=rules.meeting_reminder_days)
    scheduled = _first(
        (
            m
            for m in mine
            if m.status == SCHEDULED and local_day(m.scheduled_for) >= (last_held or opened_on)
        ),
        lambda m: m.scheduled_for,
    )
    return MeetingDue(
        kind=CASE_PLANNING,
        state=state,
        due_on=due_on,
        text=_state_words("Case-planning meeting", state, due_on),
        rule=rule,
        held=_last_held(mine),
        scheduled=scheduled,
    )


def not_recorded(meetings: Iterable[MeetingRow], *, today: date) -> list[MeetingRow]:
    """Meetings still scheduled after their day has passed, oldest first."""
    return sorted(
        (m for m in meetings if m.status == SCHEDULED and local_day(m.scheduled_for) < today),
        key=lambda m: m.scheduled_for,
    )


def case_meeting_dues(
    *,
    case_type: str,
    case_open: bool,
    opened_on: date,
    placements: Sequence[PlacementRow],
    meetings: Sequence[MeetingRow],
    names: Mapping[int, str],
    today: date,
    rules: Rules,
) -> CaseDues:
    """Every meeting the rules ask for on one case (its placements and meetings), in
    due order, and the meetings not recorded. `names`: first names by person id."""
    dues: list[MeetingDue] = []
    if case_open:
        dues += ftdm_dues(placements, meetings, names=names, today=today, rules=rules)
        dues += shared_planning_dues(placements, meetings, names=names, today=today, rules=rules)
    planning = case_planning_due(
        case_type=case_type,
        case_open=case_open,
        opened_on=opened_on,
        meetings=meetings,
        today=today,
        rules=rules,
    )
    if planning is not None:
        dues.append(planning)
    dues.sort(key=lambda d: (d.due_on, d.kind))
    return CaseDues(dues=dues, not_recorded=not_recorded(meetings, today=today))


def caseload_lines(dues: CaseDues, *, open_placements: set[int]) -> list[str]:
    """What the caseload shows for one case: the FTDMs of placements still open and the
    other meetings due soon or overdue, then the meetings not recorded."""
    lines = [
        d.text for d in dues.actionable() if d.kind != FTDM or d.placement_id in open_placements
    ]
    for meeting in dues.not_recorded:
        label = SHORT_LABELS.get(meeting.kind, "Meeting")
        lines.append(f"{label} of {short_date(local_day(meeting.scheduled_for))} not recorded")
    return lines
