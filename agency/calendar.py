"""Business-day and business-hour arithmetic for every deadline in Hearth.

Everything here is pure: callers pass the calendar and the instants, nothing reads the clock
or the database. Datetimes must be timezone-aware; results are in the calendar's timezone.

Arithmetic is done on naive local wall-clock times and localized at the end. That is safe
because business windows (08:00-17:00) never contain a DST transition, so within a window
wall-clock time and elapsed time agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

__all__ = [
    "CLOSES",
    "OPENS",
    "TIMEZONE",
    "BusinessCalendar",
    "add_business_days",
    "add_business_hours",
    "business_days_between",
    "business_hours_between",
    "ct_holidays",
    "deadline",
    "explain_business_days",
    "explain_business_hours",
    "format_date",
    "format_time",
    "skipped_days",
    "start_of_business",
]

TIMEZONE = ZoneInfo("America/New_York")
OPENS = time(8, 0)
CLOSES = time(17, 0)

WEEKEND = "weekend"

# A misconfigured closure table (say, every day of a year) must fail loudly, not hang a request.
_MAX_SCAN_DAYS = 366

# Years filled in up front: the package fills missing years lazily by mutating the shared
# object, which is not safe while other threads read it. Years outside still auto-expand.
_PREPOPULATED_YEARS = range(2000, 2061)

ONE_DAY = timedelta(days=1)

Hours = float | int | Decimal | timedelta


@lru_cache(maxsize=1)
def ct_holidays() -> holidays_lib.HolidayBase:
    """Connecticut state holidays, with observed days (Sat -> Fri, Sun -> Mon)."""
    return holidays_lib.US(subdiv="CT", years=_PREPOPULATED_YEARS)


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days are business days and when the business day opens and closes."""

    holidays: Mapping[date, str]
    closures: Mapping[date, str] = field(default_factory=dict)
    tz: ZoneInfo = TIMEZONE
    opens: time = OPENS
    closes: time = CLOSES

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("opens must be before closes")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens/closes are local wall-clock times; give them no tzinfo")

    def non_business_reason(self, day: date) -> str | None:
        """Why `day` is not a business day, or None if it is one.

        Precedence: weekend, then closure, then holiday. A Saturday holiday is therefore
        "weekend" (its observed weekday carries the holiday name), and a closure entered on a
        holiday shows the admin's reason, since that is the more specific information.
        """
        _require_date(day)
        if day.weekday() >= 5:
            return WEEKEND
        closure = self.closures.get(day)
        if closure is not None:
            return f"closure: {closure}"
        return self.holidays.get(day)

    def is_business_day(self, day: date) -> bool:
        return self.non_business_reason(day) is None

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.business_day_on_or_after(day + ONE_DAY)

    def business_day_on_or_after(self, day: date) -> date:
        _require_date(day)
        candidate = day
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_business_day(candidate):
                return candidate
            candidate += ONE_DAY
        raise ValueError(f"no business day within {_MAX_SCAN_DAYS} days of {day.isoformat()}")

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.opens)

    def _closing(self, day: date) -> datetime:
        return datetime.combine(day, self.closes)


# --- validation and conversion -------------------------------------------------------------


def _require_date(value: date) -> None:
    # datetime is a date subclass; letting one through would silently drop its time and zone.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}")


def _require_aware(value: datetime) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime not allowed: {value.isoformat()}")


def _local_wall(cal: BusinessCalendar, instant: datetime) -> datetime:
    _require_aware(instant)
    return instant.astimezone(cal.tz).replace(tzinfo=None)


def _localize(cal: BusinessCalendar, wall: datetime) -> datetime:
    # Only ever called with times inside 08:00-17:00, which are never in a DST gap or overlap.
    return wall.replace(tzinfo=cal.tz)


def _to_timedelta(hours: Hours) -> timedelta:
    if isinstance(hours, timedelta):
        amount = hours
    elif isinstance(hours, bool):
        raise TypeError("hours must be a number or timedelta, not bool")
    elif isinstance(hours, Decimal):
        # Stay in Decimal until the end so e.g. Decimal("0.1") hours is exactly 6 minutes.
        amount = timedelta(microseconds=int((hours * 3_600_000_000).to_integral_value()))
    elif isinstance(hours, int | float):
        amount = timedelta(hours=hours)
    else:
        raise TypeError(f"hours must be a number or timedelta, got {type(hours).__name__}")
    if amount < timedelta(0):
        raise ValueError("hours must not be negative")
    return amount


# --- business days ---------------------------------------------------------------------------


def _day_steps(cal: BusinessCalendar, start: date, n: int) -> list[tuple[date, str | None]]:
    """Days walked by add_business_days, each with its skip reason (None = counted)."""
    _require_date(start)
    if n < 0:
        raise ValueError("n must not be negative")
    steps: list[tuple[date, str | None]] = []
    # n == 0 examines `start` itself; otherwise counting begins the day after.
    day = start if n == 0 else start + ONE_DAY
    counted = 0
    gap = 0
    while True:
        reason = cal.non_business_reason(day)
        steps.append((day, reason))
        if reason is None:
            counted += 1
            gap = 0
            if counted >= max(n, 1):
                return steps
        else:
            gap += 1
            if gap > _MAX_SCAN_DAYS:
                raise ValueError(f"no business day within {_MAX_SCAN_DAYS} days of {day}")
        day += ONE_DAY


def add_business_days(cal: BusinessCalendar, start: date, n: int) -> date:
    """The n-th business day strictly after `start`; for n == 0, `start` rolled forward."""
    return _day_steps(cal, start, n)[-1][0]


def skipped_days(cal: BusinessCalendar, start: date, end: date) -> list[tuple[date, str]]:
    """Non-business days in (start, end], each with the reason it is skipped."""
    _require_date(start)
    _require_date(end)
    result: list[tuple[date, str]] = []
    day = start + ONE_DAY
    while day <= end:
        reason = cal.non_business_reason(day)
        if reason is not None:
            result.append((day, reason))
        day += ONE_DAY
    return result


def business_days_between(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Business days d with local date of start < d <= local date of end.

    So an intake received Friday and checked the following Monday is 1 business day old, and
    the start day itself never counts. 0 when end falls on or before start's local date.
    """
    first = _local_wall(cal, start).date()
    last = _local_wall(cal, end).date()
    count = 0
    day = first + ONE_DAY
    while day <= last:
        if cal.is_business_day(day):
            count += 1
        day += ONE_DAY
    return count


# --- business hours --------------------------------------------------------------------------


def _clock_start(cal: BusinessCalendar, wall: datetime) -> datetime:
    day = wall.date()
    if cal.is_business_day(day) and wall < cal._closing(day):
        return max(wall, cal._opening(day))
    return cal._opening(cal.next_business_day(day))


def start_of_business(cal: BusinessCalendar, instant: datetime) -> datetime:
    """`instant` if in business time, else the next opening (08:00 on a business day)."""
    return _localize(cal, _clock_start(cal, _local_wall(cal, instant)))


@dataclass(frozen=True)
class _Worked:
    day: date
    start: datetime  # naive local wall time
    end: datetime
    left: timedelta  # still to count after this segment


@dataclass(frozen=True)
class _Skipped:
    day: date
    reason: str


def _hour_steps(
    cal: BusinessCalendar, clock: datetime, amount: timedelta
) -> tuple[list[_Worked | _Skipped], datetime]:
    """Walk `amount` of business time from wall time `clock` (already in business time)."""
    steps: list[_Worked | _Skipped] = []
    remaining = amount
    while True:
        closing = cal._closing(clock.date())
        available = closing - clock
        # `<=` so that a deadline landing exactly on closing time stays on that day.
        if remaining <= available:
            end = clock + remaining
            if remaining:
                steps.append(_Worked(clock.date(), clock, end, timedelta(0)))
            return steps, end
        remaining -= available
        if available:
            steps.append(_Worked(clock.date(), clock, closing, remaining))
        next_day = cal.next_business_day(clock.date())
        day = clock.date() + ONE_DAY
        while day < next_day:
            steps.append(_Skipped(day, cal.non_business_reason(day) or ""))
            day += ONE_DAY
        clock = cal._opening(next_day)


def add_business_hours(cal: BusinessCalendar, start: datetime, hours: Hours) -> datetime:
    """Deadline `hours` business hours after `start`, the clock starting at the next opening."""
    amount = _to_timedelta(hours)
    clock = _clock_start(cal, _local_wall(cal, start))
    _, end = _hour_steps(cal, clock, amount)
    return _localize(cal, end)


def business_hours_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed from `start` to `end`; negative when `end` is before `start`."""
    _require_aware(start)
    _require_aware(end)
    # Compare in UTC: same-tzinfo comparisons in Python ignore `fold` and can misorder the
    # repeated hour at the end of DST.
    if end.astimezone(UTC) < start.astimezone(UTC):
        return -business_hours_between(cal, end, start)
    first = _local_wall(cal, start)
    last = _local_wall(cal, end)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        if cal.is_business_day(day):
            lo = max(first, cal._opening(day))
            hi = min(last, cal._closing(day))
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total


# --- explanations ----------------------------------------------------------------------------


def format_date(day: date) -> str:
    """E.g. "Friday 3 July 2026" (no leading zero, locale-independent)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_time(value: time | datetime) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _format_moment(wall: datetime) -> str:
    return f"{format_date(wall.date())} {format_time(wall)}"


def _format_duration(amount: timedelta) -> str:
    seconds = int(amount.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second"))
        if value
    ]
    return " ".join(parts) if parts else "0 hours"


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _skip_line(day: date, reason: str) -> str:
    return f"{format_date(day)} skipped: {reason}."


def explain_business_days(cal: BusinessCalendar, start: date, n: int) -> list[str]:
    """Plain-English steps of add_business_days, one line per day walked."""
    steps = _day_steps(cal, start, n)
    if n == 0:
        lines = [
            f"Counting 0 business days from {format_date(start)}: the date itself, "
            "or the next business day if it is not one."
        ]
        lines += [_skip_line(day, reason) for day, reason in steps if reason is not None]
        lines.append(f"{format_date(steps[-1][0])} is a business day.")
        return lines
    noun = "business day" if n == 1 else "business days"
    lines = [f"Counting {n} {noun} after {format_date(start)}."]
    counted = 0
    for day, reason in steps:
        if reason is None:
            counted += 1
            lines.append(f"{format_date(day)} is business day {counted}.")
        else:
            lines.append(_skip_line(day, reason))
    return lines


def explain_business_hours(cal: BusinessCalendar, start: datetime, hours: Hours) -> list[str]:
    """Plain-English steps of add_business_hours: clock start, each day used, due time."""
    amount = _to_timedelta(hours)
    received = _local_wall(cal, start)
    clock = _clock_start(cal, received)
    window = f"{format_time(cal.opens)}-{format_time(cal.closes)}"
    lines = [
        f"Counting {_format_duration(amount)} of business time "
        f"(business hours {window}, {cal.tz.key} time)."
    ]
    received_day = received.date()
    if clock == received:
        lines.append(
            f"Received {_format_moment(received)}, during business hours: "
            "the clock starts immediately."
        )
    elif clock.date() == received_day:
        lines.append(
            f"Received {_format_moment(received)}, before opening: the clock starts at "
            f"{format_time(clock)} on {format_date(clock.date())}."
        )
    else:
        if cal.is_business_day(received_day):
            why = "after closing"
        else:
            why = "on a day that is not a business day"
        lines.append(
            f"Received {_format_moment(received)}, {why}: the clock starts at "
            f"{format_time(clock)} on {format_date(clock.date())}."
        )
        day = received_day
        while day < clock.date():
            reason = cal.non_business_reason(day)
            if reason is not None:
                lines.append(_skip_line(day, reason))
            day += ONE_DAY
    steps, end = _hour_steps(cal, clock, amount)
    for step in steps:
        if isinstance(step, _Skipped):
            lines.append(_skip_line(step.day, step.reason))
            continue
        used = _format_duration(step.end - step.start)
        left = f"{_format_duration(step.left)} left" if step.left else "none left"
        lines.append(
            f"{format_date(step.day)}: {used} counted "
            f"({format_time(step.start)}-{format_time(step.end)}), {left}."
        )
    lines.append(f"Due {format_date(end.date())} at {format_time(end)}.")
    return lines


def deadline(
    cal: BusinessCalendar,
    start: datetime,
    *,
    business_days: int | None = None,
    business_hours: Hours | None = None,
) -> tuple[datetime, list[str]]:
    """The due instant after exactly one of `business_days` (due at closing time on the
    n-th business day after the local date of `start`) or `business_hours`, with the
    step-by-step explanation. The calendar page and the API both answer with this."""
    if (business_days is None) == (business_hours is None):
        raise ValueError("Give exactly one of business_days or business_hours.")
    if business_days is not None:
        _require_aware(start)
        day = start.astimezone(cal.tz).date()
        due_day = add_business_days(cal, day, business_days)
        return datetime.combine(due_day, cal.closes, tzinfo=cal.tz), explain_business_days(
            cal, day, business_days
        )
    return add_business_hours(cal, start, business_hours), explain_business_hours(
        cal, start, business_hours
    )
