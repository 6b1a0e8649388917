"""Calendar quarters (coop/quarters.py): boundaries, due days, naming, stepping."""

from datetime import date

import pytest

from coop.quarters import Quarter


@pytest.mark.parametrize(
    ("day", "year", "number"),
    [
        (date(2026, 1, 1), 2026, 1),
        (date(2026, 3, 31), 2026, 1),
        (date(2026, 4, 1), 2026, 2),
        (date(2026, 6, 30), 2026, 2),
        (date(2026, 7, 1), 2026, 3),
        (date(2026, 9, 30), 2026, 3),
        (date(2026, 10, 1), 2026, 4),
        (date(2026, 12, 31), 2026, 4),
    ],
)
def test_a_day_belongs_to_its_quarter(day, year, number):
    assert Quarter.of(day) == Quarter(year, number)
    assert day in Quarter(year, number)


def test_first_and_last_days():
    assert Quarter(2026, 4).starts_on == date(2026, 10, 1)
    assert Quarter(2026, 4).ends_on == date(2026, 12, 31)
    assert Quarter(2028, 1).ends_on == date(2028, 3, 31)
    assert Quarter(2026, 2).ends_on == date(2026, 6, 30)
    assert date(2026, 10, 1) not in Quarter(2026, 3)
    assert date(2026, 6, 30) not in Quarter(2026, 3)


def test_due_on_is_the_last_day_plus_grace_days():
    assert Quarter(2026, 4).due_on() == date(2026, 12, 31)
    assert Quarter(2026, 4).due_on(10) == date(2027, 1, 10)
    assert Quarter(2026, 1).due_on(1) == date(2026, 4, 1)


def test_next_and_previous_cross_years():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter(2026, 2).previous() == Quarter(2026, 1)
    assert Quarter(2026, 2).next() == Quarter(2026, 3)


def test_back_lists_newest_first():
    assert Quarter(2026, 2).back(4) == [
        Quarter(2026, 2),
        Quarter(2026, 1),
        Quarter(2025, 4),
        Quarter(2025, 3),
    ]
    assert Quarter(2026, 2).back(1) == [Quarter(2026, 2)]


def test_starting_needs_the_first_day():
    assert Quarter.starting(date(2026, 7, 1)) == Quarter(2026, 3)
    with pytest.raises(ValueError):
        Quarter.starting(date(2026, 7, 2))


@pytest.mark.parametrize("text", ["2026-Q4", "2026Q4", "2026-q4"])
def test_parse_reads_urls_and_filters(text):
    assert Quarter.parse(text) == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "1999-Q1", "Q4", "2026", "nonsense"])
def test_parse_refuses_what_is_not_a_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_names():
    assert Quarter(2026, 4).slug == "2026-Q4"
    assert str(Quarter(2026, 4)) == "2026 Q4"
    assert Quarter(2026, 1) < Quarter(2026, 2) < Quarter(2027, 1)
