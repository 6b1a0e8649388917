"""Calendar quarters, the period of every COOP duty.

A quarter is named by its first day (the `quarter` column of coop.QuarterlyDuties), so
"2026 Q4" is date(2026, 10, 1). Duties fall due on the quarter's last day, plus the
grace days an admin may set in CoopRules (none by default).
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def starting(cls, first_day: date) -> "Quarter":
        quarter = cls.of(first_day)
        if quarter.starts_on != first_day:
            raise ValueError(f"{first_day} is not the first day of a quarter")
        return quarter

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """ "2026-Q4" or "2026Q4" (as in URLs and filters)."""
        year, _, number = text.upper().replace("-", "").partition("Q")
        quarter = cls(int(year), int(number))
        if not 1 <= quarter.number <= 4 or not 2000 <= quarter.year <= 2100:
            raise ValueError(f"not a quarter: {text!r}")
        return quarter

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        return self.next().starts_on - timedelta(days=1)

    def due_on(self, grace_days: int = 0) -> date:
        return self.ends_on + timedelta(days=grace_days)

    def next(self) -> "Quarter":
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def back(self, count: int) -> list["Quarter"]:
        """This quarter and the `count - 1` before it, newest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"
