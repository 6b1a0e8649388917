"""The 12-month visit grid, the case page's visits, and who is unvisited this month."""

from datetime import date

import pytest

from casework.models import Case, CaseMember, Visit, VisitParticipant
from casework.selectors import visits as selectors
from tests.casework.factories import add_member, make_case, make_person
from tests.casework.test_visit_services import local, make_family

TODAY = date(2026, 11, 23)


def held(case, worker, when, seen, *, location="child_residence", status="completed", **fields):
    """A visit written directly: `seen` maps a person to (seen, seen privately)."""
    visit = Visit.objects.create(
        case=case,
        planned_for=when,
        occurred_at=None if status == "planned" else when,
        location=location,
        discussion_points="Goals",
        status=status,
        barrier="" if status in ("completed", "planned") else "no_response",
        planned_by=worker,
        **fields,
    )
    for person, (was_seen, privately) in seen.items():
        VisitParticipant.objects.create(
            visit=visit, person=person, seen=was_seen, seen_privately=privately
        )
    return visit


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker, opened_on=date(2025, 1, 6))


def cells_by_month(grid, person):
    row = next(r for r in grid.rows if r.person == person)
    return {cell.month.start: cell for cell in row.cells}


# --- the grid --------------------------------------------------------------------------------


def test_grid_has_the_last_twelve_months_ending_with_this_one(family):
    grid = selectors.visit_grid(family.case, today=TODAY)

    assert [m.label for m in grid.months][:2] == ["Dec 2025", "Jan 2026"]
    assert grid.months[-1].label == "Nov 2026"
    assert len(grid.months) == 12
    assert grid.caption == "Monthly visits, last 12 months"


def test_grid_rows_are_children_oldest_first_then_mother_then_father(family):
    grid = selectors.visit_grid(family.case, today=TODAY)

    assert [(r.person, r.role_label) for r in grid.rows] == [
        (family.child, "Child"),
        (family.sibling, "Child"),
        (family.mother, "Mother"),
        (family.father, "Father"),
    ]


def test_grid_leaves_out_inactive_members_and_other_roles(personas, family):
    CaseMember.objects.filter(case=family.case, person=family.sibling).update(active=False)

    grid = selectors.visit_grid(family.case, today=TODAY)

    assert family.sibling not in [r.person for r in grid.rows]
    assert family.aunt not in [r.person for r in grid.rows]


def test_months_follow_eastern_time_at_the_month_boundary(personas, family):
    worker = personas.caseworker
    # 23:30 EDT on 31 October is 03:30 UTC on 1 November: it counts for October.
    held(family.case, worker, local(2026, 10, 31, 23, 30), {family.child: (True, True)})
    # 00:30 EDT on 1 November (04:30 UTC; clocks go back at 02:00 that day): November.
    held(
        family.case,
        worker,
        local(2026, 11, 1, 0, 30),
        {family.child: (True, False)},
        location="school",
    )
    # 00:15 on 1 October local (04:15 UTC) is October, not September.
    held(family.case, worker, local(2026, 10, 1, 0, 15), {family.sibling: (True, False)})

    grid = selectors.visit_grid(family.case, today=TODAY)

    child = cells_by_month(grid, family.child)
    assert (child[date(2026, 10, 1)].visited, child[date(2026, 10, 1)].visits) == (True, 1)
    assert child[date(2026, 10, 1)].in_residence is True
    assert child[date(2026, 10, 1)].seen_privately is True
    assert child[date(2026, 11, 1)].visited is True
    assert child[date(2026, 11, 1)].in_residence is False
    assert child[date(2026, 11, 1)].seen_privately is False
    assert child[date(2026, 9, 1)].visited is False
    sibling = cells_by_month(grid, family.sibling)
    assert sibling[date(2026, 10, 1)].visited is True
    assert sibling[date(2026, 9, 1)].visited is False


def test_a_parent_never_visited_is_missed_every_past_month_and_due_this_one(family):
    grid = selectors.visit_grid(family.case, today=TODAY)

    father = cells_by_month(grid, family.father)
    assert all(not cell.visited for cell in father.values())
    assert father[date(2026, 11, 1)].state == "due"
    assert father[date(2026, 11, 1)].css_class == "hearth-due"
    assert {father[m].state for m in father if m < date(2026, 11, 1)} == {"missed"}
    assert father[date(2026, 10, 1)].label == "Not visited"
    assert father[date(2026, 10, 1)].seen_privately is None  # parents are not seen privately


def test_only_completed_visits_not_entered_in_error_count(personas, family):
    worker = personas.caseworker
    held(
        family.case,
        worker,
        local(2026, 9, 10, 10),
        {family.child: (True, True)},
        entered_in_error=True,
    )
    held(
        family.case,
        worker,
        local(2026, 8, 10, 10),
        {family.mother: (False, False)},
        status="attempted",
    )
    held(
        family.case,
        worker,
        local(2026, 7, 10, 10),
        {family.mother: (False, False)},
        status="cancelled",
    )
    held(
        family.case,
        worker,
        local(2026, 6, 10, 10),
        {family.mother: (False, False)},
        status="planned",
    )
    # Completed, but the father was on the visit without being seen.
    held(
        family.case,
        worker,
        local(2026, 5, 10, 10),
        {family.child: (True, False), family.father: (False, False)},
    )

    grid = selectors.visit_grid(family.case, today=TODAY)

    assert cells_by_month(grid, family.child)[date(2026, 9, 1)].visited is False
    mother = cells_by_month(grid, family.mother)
    assert not any(mother[date(2026, m, 1)].visited for m in (6, 7, 8))
    assert cells_by_month(grid, family.father)[date(2026, 5, 1)].visited is False
    assert cells_by_month(grid, family.child)[date(2026, 5, 1)].visited is True


def test_in_residence_and_privately_hold_when_any_visit_that_month_had_them(personas, family):
    worker = personas.caseworker
    held(
        family.case, worker, local(2026, 4, 3, 10), {family.child: (True, False)}, location="office"
    )
    held(
        family.case,
        worker,
        local(2026, 4, 20, 10),
        {family.child: (True, True)},
        location="foster_home",
    )

    cell = cells_by_month(selectors.visit_grid(family.case, today=TODAY), family.child)[
        date(2026, 4, 1)
    ]

    assert (cell.visited, cell.visits, cell.in_residence, cell.seen_privately) == (
        True,
        2,
        True,
        True,
    )
    assert cell.css_class == "hearth-visited"


def test_visits_on_another_case_do_not_count(personas, family):
    other = make_case(personas.unit, personas.caseworker)
    add_member(other, person=family.child)
    held(other, personas.caseworker, local(2026, 11, 2, 10), {family.child: (True, True)})

    grid = selectors.visit_grid(family.case, today=TODAY)

    assert cells_by_month(grid, family.child)[date(2026, 11, 1)].visited is False


def test_months_before_the_case_opened_are_marked_not_open(personas):
    family = make_family(personas.unit, personas.caseworker, opened_on=date(2026, 9, 15))

    cells = cells_by_month(selectors.visit_grid(family.case, today=TODAY), family.child)

    assert cells[date(2026, 8, 1)].state == "not_open"
    assert cells[date(2026, 8, 1)].label == "Case not open"
    assert cells[date(2026, 9, 1)].state == "missed"


def test_whereabouts_unknown_parents_are_flagged(family):
    family.father.whereabouts_unknown = True
    family.father.save()

    grid = selectors.visit_grid(family.case, today=TODAY)

    flags = {r.person: r.whereabouts_unknown for r in grid.rows}
    assert flags[family.father] is True
    assert flags[family.mother] is False


def test_the_grid_takes_two_queries_whatever_the_size(personas, django_assert_num_queries):
    small = make_family(personas.unit, personas.caseworker)
    held(small.case, personas.caseworker, local(2026, 11, 2, 10), {small.child: (True, True)})
    big = make_family(personas.unit, personas.caseworker)
    for n in range(8):
        add_member(big.case, person=make_person(first_name=f"Kid{n}"))
    for month in range(1, 12):
        held(
            big.case,
            personas.caseworker,
            local(2026, month, 5, 10),
            {big.child: (True, True), big.mother: (True, False)},
        )

    for family in (small, big):
        with django_assert_num_queries(2):
            grid = selectors.visit_grid(family.case, today=TODAY)
            [cell.state for row in grid.rows for cell in row.cells]


def test_a_shorter_window(family):
    grid = selectors.visit_grid(family.case, today=TODAY, months=3)

    assert [m.key for m in grid.months] == ["2026-09", "2026-10", "2026-11"]
    with pytest.raises(ValueError):
        selectors.visit_grid(family.case, today=TODAY, months=0)


# --- the case page ------------------------------------------------------------------------


def test_case_visits_context_lists_planned_first_then_the_latest_recorded(personas, family):
    worker = personas.caseworker
    later = held(
        family.case,
        worker,
        local(2026, 12, 3, 10),
        {family.child: (False, False)},
        status="planned",
    )
    sooner = held(
        family.case,
        worker,
        local(2026, 11, 30, 10),
        {family.child: (False, False)},
        status="planned",
    )
    old = held(family.case, worker, local(2026, 9, 3, 10), {family.child: (True, True)})
    new = held(family.case, worker, local(2026, 10, 3, 10), {family.child: (True, True)})
    error = held(
        family.case,
        worker,
        local(2026, 11, 3, 10),
        {family.child: (False, False)},
        status="planned",
        entered_in_error=True,
    )

    context = selectors.case_visits_context(family.case, today=TODAY)

    assert context["planned_visits"] == [sooner, later]
    assert context["recorded_visits"] == [error, new, old]
    assert context["visits"] == [sooner, later, error, new, old]
    assert context["visit_grid"].case == family.case
    assert list(selectors.case_visits(family.case)) == [sooner, later, error, new, old]


def test_case_visits_context_takes_a_fixed_number_of_queries(personas, django_assert_num_queries):
    small = make_family(personas.unit, personas.caseworker)
    held(small.case, personas.caseworker, local(2026, 10, 1, 10), {small.child: (True, True)})
    held(
        small.case,
        personas.caseworker,
        local(2026, 12, 1, 10),
        {small.child: (False, False)},
        status="planned",
    )
    big = make_family(personas.unit, personas.caseworker)
    for day in range(1, 20):
        held(
            big.case,
            personas.caseworker,
            local(2026, 10, day, 10),
            {big.child: (True, True), big.mother: (True, False), big.father: (False, False)},
        )
        held(
            big.case,
            personas.caseworker,
            local(2026, 12, day, 10),
            {big.child: (False, False)},
            status="planned",
        )

    for family in (small, big):
        with django_assert_num_queries(6):
            context = selectors.case_visits_context(family.case, today=TODAY)
            for visit in context["visits"]:
                [p.person.full_name for p in visit.participants.all()]
                visit.planned_by.get_full_name()


def test_visit_participants_carry_their_role_on_the_case(
    personas, family, django_assert_num_queries
):
    visit = held(
        family.case,
        personas.caseworker,
        local(2026, 11, 3, 10),
        {family.mother: (True, False), family.child: (True, True), family.aunt: (True, False)},
    )

    with django_assert_num_queries(1):
        rows = selectors.visit_participants(visit)

    assert [(r.person, r.role_label, r.is_child) for r in rows] == [
        (family.child, "Child", True),
        (family.mother, "Mother", False),
        (family.aunt, "Maternal relative", False),
    ]


# --- the caseload: unvisited this month ----------------------------------------------------------


def test_unvisited_this_month_lists_who_is_left_per_case(personas):
    worker = personas.caseworker
    done = make_family(personas.unit, worker)
    partly = make_family(personas.unit, worker)
    closed = make_family(personas.unit, worker, status="closed", closed_on=date(2026, 11, 2))
    everyone = [done.child, done.sibling, done.mother, done.father]
    held(done.case, worker, local(2026, 11, 1, 0, 30), {p: (True, False) for p in everyone})
    # Seen last month (23:30 on 31 October local) does not count for November.
    held(partly.case, worker, local(2026, 10, 31, 23, 30), {partly.mother: (True, False)})
    held(partly.case, worker, local(2026, 11, 5, 10), {partly.child: (True, True)})
    held(
        partly.case,
        worker,
        local(2026, 11, 6, 10),
        {partly.sibling: (True, True)},
        entered_in_error=True,
    )
    held(
        partly.case,
        worker,
        local(2026, 11, 7, 10),
        {partly.father: (False, False)},
        status="attempted",
    )
    cases = Case.objects.filter(pk__in=[done.case.pk, partly.case.pk, closed.case.pk])

    result = selectors.unvisited_this_month(cases, today=TODAY)

    assert set(result) == {partly.case.pk}
    assert [m.person for m in result[partly.case.pk]] == [
        partly.sibling,
        partly.mother,
        partly.father,
    ]
    assert result[partly.case.pk][0].person.full_name  # the person came with the member


@pytest.mark.parametrize("size", [3, 30])
def test_unvisited_this_month_takes_two_queries_for_any_number_of_cases(
    personas, django_assert_num_queries, size
):
    ids = []
    for n in range(size):
        family = make_family(personas.unit, personas.caseworker)
        held(
            family.case,
            personas.caseworker,
            local(2026, 11, 2, 10),
            {family.child: (True, n % 2 == 0)},
        )
        ids.append(family.case.pk)

    with django_assert_num_queries(2):
        result = selectors.unvisited_this_month(Case.objects.filter(pk__in=ids), today=TODAY)
        names = [m.person.full_name for members in result.values() for m in members]

    assert len(result) == size
    assert len(names) == size * 3  # the sibling and both parents of each case


@pytest.mark.parametrize("size", [3, 30])
def test_unvisited_this_month_takes_a_page_of_the_caseload(
    personas, django_assert_num_queries, size
):
    from django.core.paginator import Paginator

    closed = make_family(personas.unit, personas.caseworker, status="closed", closed_on=TODAY)
    ids = [closed.case.pk] + [
        make_family(personas.unit, personas.caseworker).case.pk for _ in range(size)
    ]
    page = Paginator(Case.objects.filter(pk__in=ids).order_by("pk"), 50).get_page(1)

    with django_assert_num_queries(3):  # the page's cases, then two
        result = selectors.unvisited_this_month(page.object_list, today=TODAY)
        [m.person.full_name for members in result.values() for m in members]
    with django_assert_num_queries(0):
        cases = list(page.object_list)  # the page reuses the cases already read

    assert len(cases) == size + 1
    assert set(result) == set(ids) - {closed.case.pk}
    assert all(len(members) == 4 for members in result.values())
