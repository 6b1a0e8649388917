"""Where a plan stands on its three quarterly duties, in words.

Pure functions over one `QuarterlyDuties` row (or None when nothing was recorded yet),
the day the plan was created, today and the COOP rules: no ORM, no clock. The registry,
the plan page, the API, the reminders and the CSV all read the same answers.

- Every duty of a quarter falls due on `Quarter.due_on(rules.grace_days)`: the quarter's
  last day by default.
- A quarter that ended before the plan was created owes nothing ("n/a"); the quarter a
  plan is created in counts, so a new location's plan owes that quarter's duties.
- Communicated and revised: done (on or before the due day), done late (after it), due
  (not yet done, the due day not passed) or overdue.
- Submitted to OPM: awaiting OPM once submitted (done, as far as the location is
  concerned), then accepted, or returned with comments. A returned plan is open again
  until the location submits it anew, and overdue once the due day has passed.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from coop.quarters import Quarter


class State(StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    DUE = "due"
    OVERDUE = "overdue"
    AWAITING_OPM = "awaiting_opm"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    NOT_APPLICABLE = "not_applicable"


class Duty(StrEnum):
    COMMUNICATED = "communicated"
    REVISED = "revised"
    SUBMITTED = "submitted"


DUTY_LABELS = {
    Duty.COMMUNICATED: "Communicated",
    Duty.REVISED: "Revised",
    Duty.SUBMITTED: "Submitted",
}
DUTY_DESCRIPTIONS = {
    Duty.COMMUNICATED: "Communicated to all staff",
    Duty.REVISED: "Revised and updated",
    Duty.SUBMITTED: "Submitted to OPM",
}

# States that count as done for the location (nothing more for it to do).
DONE_STATES = frozenset({State.DONE, State.DONE_LATE, State.AWAITING_OPM, State.ACCEPTED})
# States that still ask something of the location.
OPEN_STATES = frozenset({State.DUE, State.OVERDUE, State.RETURNED})

_TAGS = {
    State.DONE: "bg-green",
    State.DONE_LATE: "bg-gold text-ink",
    State.DUE: "bg-base",
    State.OVERDUE: "bg-secondary-dark",
    State.AWAITING_OPM: "bg-primary",
    State.ACCEPTED: "bg-green",
    State.RETURNED: "bg-gold text-ink",
    State.NOT_APPLICABLE: "",
}


class _Rules(Protocol):
    grace_days: int


def day(value: date | None) -> str:
    """A date as Hearth shows it: "24 Nov 2026"."""
    return f"{value.day} {value:%b %Y}" if value else ""


@dataclass(frozen=True)
class DutyStatus:
    """One duty of one quarter: its state, its due day and the day it was done."""

    duty: Duty
    state: State
    due_on: date
    on: date | None = None  # done, or submitted
    overdue: bool = False  # open and past the due day (an overdue or returned duty)

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def label(self) -> str:
        """The state in a word or two, as the grid's cell shows it."""
        if self.state == State.DUE:
            return f"Due {day(self.due_on)}"
        if self.state == State.RETURNED and self.overdue:
            return "Returned, overdue"
        return {
            State.DONE: "Done",
            State.DONE_LATE: "Done late",
            State.OVERDUE: "Overdue",
            State.AWAITING_OPM: "Awaiting OPM",
            State.ACCEPTED: "Accepted",
            State.RETURNED: "Returned",
            State.NOT_APPLICABLE: "n/a",
        }[self.state]

    @property
    def detail(self) -> str:
        """What the label leaves out: when it was done, or when it was due."""
        if self.state in (State.DONE, State.DONE_LATE):
            return f"on {day(self.on)}"
        if self.state in (State.AWAITING_OPM, State.ACCEPTED):
            late = " (late)" if self.on and self.on > self.due_on else ""
            return f"submitted {day(self.on)}{late}"
        if self.state == State.OVERDUE:
            return f"was due {day(self.due_on)}"
        if self.state == State.RETURNED:
            return f"submit again; {'was ' if self.overdue else ''}due {day(self.due_on)}"
        if self.state == State.NOT_APPLICABLE:
            return "the plan did not exist yet"
        return ""

    @property
    def short_label(self) -> str:
        """The label for the registry's grid, where the column names the quarter."""
        if self.state == State.DUE:
            return "Due"
        return self.label

    @property
    def short_detail(self) -> str:
        """The detail for the grid: its date without the year, unless another year."""

        def short(value: date | None) -> str:
            if value is None:
                return ""
            return f"{value.day} {value:%b}" if value.year == self.due_on.year else day(value)

        if self.state in (State.DONE, State.DONE_LATE):
            return short(self.on)
        if self.state in (State.AWAITING_OPM, State.ACCEPTED):
            return f"sent {short(self.on)}"
        if self.state in (State.DUE, State.OVERDUE, State.RETURNED):
            return f"due {short(self.due_on)}"
        return ""

    @property
    def text(self) -> str:
        """Label and detail in one phrase (the CSV, screen readers)."""
        return f"{self.label}, {self.detail}" if self.detail else self.label

    @property
    def tag(self) -> str:
        """USWDS utility classes of the state's tag; the words always say it too."""
        if self.state == State.RETURNED and self.overdue:
            return _TAGS[State.OVERDUE]
        return _TAGS[self.state]


def applies(quarter: Quarter, created_on: date) -> bool:
    """Whether a plan created on `created_on` owes the quarter's duties."""
    return quarter.ends_on >= created_on


def _recorded(duty: Duty, on: date | None, due: date, today: date) -> DutyStatus:
    if on is not None:
        return DutyStatus(duty, State.DONE if on <= due else State.DONE_LATE, due, on)
    if today > due:
        return DutyStatus(duty, State.OVERDUE, due, overdue=True)
    return DutyStatus(duty, State.DUE, due)


def _not_applicable(duty: Duty, due: date) -> DutyStatus:
    return DutyStatus(duty, State.NOT_APPLICABLE, due)


def communication_status(
    duties: Any, *, quarter: Quarter, created_on: date, today: date, rules: _Rules
) -> DutyStatus:
    """Communicated to all staff: `duties.communicated_on`."""
    due = quarter.due_on(rules.grace_days)
    if not applies(quarter, created_on):
        return _not_applicable(Duty.COMMUNICATED, due)
    on = duties.communicated_on if duties is not None else None
    return _recorded(Duty.COMMUNICATED, on, due, today)


def revision_status(
    duties: Any, *, quarter: Quarter, created_on: date, today: date, rules: _Rules
) -> DutyStatus:
    """Revised and updated (a new version, or reviewed with no changes): `revised_on`."""
    due = quarter.due_on(rules.grace_days)
    if not applies(quarter, created_on):
        return _not_applicable(Duty.REVISED, due)
    on = duties.revised_on if duties is not None else None
    return _recorded(Duty.REVISED, on, due, today)


def submission_status(
    duties: Any, *, quarter: Quarter, created_on: date, today: date, rules: _Rules
) -> DutyStatus:
    """Submitted to OPM: awaiting OPM, accepted, returned (open again), or not yet."""
    due = quarter.due_on(rules.grace_days)
    if not applies(quarter, created_on):
        return _not_applicable(Duty.SUBMITTED, due)
    submission = duties.submission if duties is not None else "not_submitted"
    on = duties.submitted_on if duties is not None else None
    if submission == "submitted":
        return DutyStatus(Duty.SUBMITTED, State.AWAITING_OPM, due, on)
    if submission == "accepted":
        return DutyStatus(Duty.SUBMITTED, State.ACCEPTED, due, on)
    if submission == "returned":
        return DutyStatus(Duty.SUBMITTED, State.RETURNED, due, on, overdue=today > due)
    return _recorded(Duty.SUBMITTED, None, due, today)


@dataclass(frozen=True)
class QuarterStatus:
    """A plan's three duties in one quarter, in the grid's order."""

    quarter: Quarter
    communicated: DutyStatus
    revised: DutyStatus
    submitted: DutyStatus

    @property
    def duties(self) -> tuple[DutyStatus, DutyStatus, DutyStatus]:
        return (self.communicated, self.revised, self.submitted)

    @property
    def due_on(self) -> date:
        return self.communicated.due_on

    @property
    def applies(self) -> bool:
        return self.communicated.state != State.NOT_APPLICABLE

    @property
    def open(self) -> list[DutyStatus]:
        """The duties still asking something of the location."""
        return [status for status in self.duties if status.open]

    @property
    def overdue(self) -> bool:
        return any(status.overdue for status in self.duties)


def quarter_status(
    duties: Any, *, quarter: Quarter, created_on: date, today: date, rules: _Rules
) -> QuarterStatus:
    """All three duties of `quarter` for a plan created on `created_on`."""
    args = {"quarter": quarter, "created_on": created_on, "today": today, "rules": rules}
    return QuarterStatus(
        quarter,
        communication_status(duties, **args),
        revision_status(duties, **args),
        submission_status(duties, **args),
    )


def recordable_quarters(today: date) -> tuple[Quarter, Quarter]:
    """The quarters a location may record duties for: the current one and the one before
    (a plan revised on a quarter's last day is recorded the next morning)."""
    current = Quarter.of(today)
    return current, current.previous()
