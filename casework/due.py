"""What is due on each case of a caseload page, kept between requests.

The caseload shows, for every case, who is not yet visited this month, what its
placements need, which assessments and plan reviews are due, and its initial contacts
not yet made (overdue or not is worked out from their due times when shown). Working
that out takes five selectors and about ten queries per page, yet the answer only
changes when the case's records change, or with the date. `CaseDue` keeps it, one row
per case: the page reads it with its cases (a join, no extra query), recomputes the
rows that are missing, marked stale or from another day with the same selectors, and
stores them.

Keeping it true:
- Saving or deleting any record the answer is computed from marks the case's row stale
  (`mark_stale`, connected to the models' signals in casework.apps). This is cache
  upkeep, not a business rule, so it is one of the few signal handlers in Hearth: a
  service that forgot an explicit call would show stale dues without any test noticing.
- Marking bumps the row's `generation`; a page stores an answer only where the
  generation is still the one it read, holding the rows' locks while it checks. An answer
  computed from data that a concurrent write has since changed is thrown away, never
  kept. Marking creates a missing row first, so a page that read no row cannot store
  an old answer either.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from casework.models import Case, CaseDue, CaseMember, IffContact, VisitParticipant
from casework.selectors import (
    assessments,
    court,
    meetings,
    placements,
    plans,
    rules_read_once,
    supervision,
    visits,
)
from casework.selectors import cases as cases_selectors
from casework.selectors.cases import IffDue


def due_on_page(cases: Sequence[Case], *, today: date) -> dict[int, CaseDue]:
    """For each of `cases` (a page, read with `select_related("due")`), what is due on it
    as of `today`: rows kept from an earlier request when still true, the others
    recomputed and stored. No query when every row is current; otherwise about ten,
    whatever the number of cases."""
    result: dict[int, CaseDue] = {}
    outdated: list[Case] = []
    for case in cases:
        kept = _kept(case)
        if kept is not None and kept.computed_on == today:
            result[case.pk] = kept
        else:
            outdated.append(case)
    if outdated:
        result.update(_recompute(outdated, today=today))
    return result


def iff_state(kept: CaseDue, *, now: datetime) -> IffDue:
    """How many of the case's initial contacts are not yet made, how many are late, and
    when the next is due."""
    times = [datetime.fromisoformat(text) for text in kept.iff_due]  # earliest first
    return IffDue(
        pending=len(times),
        overdue=sum(1 for due_at in times if due_at < now),
        next_due=times[0] if times else None,
    )


def _kept(case: Case) -> CaseDue | None:
    try:
        return case.due
    except CaseDue.DoesNotExist:
        return None


def _recompute(cases: list[Case], *, today: date) -> dict[int, CaseDue]:
    with rules_read_once():
        fresh = _compute(cases, today=today)
    _store(fresh)
    return fresh


def _compute(cases: list[Case], *, today: date) -> dict[int, CaseDue]:
    iff_due = cases_selectors.iff_due_times(cases)
    unvisited = visits.unvisited_this_month(cases, today=today)
    flags = placements.placement_flags(cases, today=today)
    due_assessments = assessments.assessments_due(cases, today=today)
    due_plans = plans.plan_reviews_due(cases, today=today)
    due_meetings = meetings.meetings_due(cases, today=today)
    due_reports = court.court_reports_due(cases, today=today)
    due_steps = supervision.next_steps_due(cases, today=today)
    fresh = {
        case.pk: CaseDue(
            case_id=case.pk,
            generation=kept.generation if (kept := _kept(case)) else 0,
            computed_on=today,
            unvisited=[
                f"{member.person.first_name} ({member.get_role_display().lower()})"
                for member in unvisited.get(case.pk, [])
            ],
            flags=flags.get(case.pk, []),
            items=[
                *due_assessments.get(case.pk, []),
                *due_plans.get(case.pk, []),
                *due_meetings.get(case.pk, []),
                *due_reports.get(case.pk, []),
                *due_steps.get(case.pk, []),
            ],
            iff_due=[due_at.isoformat() for due_at in iff_due.get(case.pk, [])],
        )
        for case in cases
    }
    return fresh


def _store(fresh: dict[int, CaseDue]) -> None:
    """Keep the recomputed rows whose generation has not moved since the page read it
    (a row the page found missing counts as generation 0 and is only created)."""
    with transaction.atomic():
        current = dict(
            CaseDue.objects.select_for_update()
            .filter(pk__in=list(fresh))
            .values_list("pk", "generation")
        )
        missing = [row for pk, row in fresh.items() if pk not in current]
        unchanged = [
            row for pk, row in fresh.items() if pk in current and current[pk] == row.generation
        ]
        CaseDue.objects.bulk_create(missing, ignore_conflicts=True)
        CaseDue.objects.bulk_update(
            unchanged, ["computed_on", "unvisited", "flags", "items", "iff_due"]
        )


def mark_stale(case_ids: Iterable[int], *, create: bool = True) -> None:
    """The rows of `case_ids` no longer hold: the next page that shows them recomputes
    them. `create=False` when the cases may be on their way out (a delete cascading)."""
    ids = sorted({pk for pk in case_ids if pk is not None})
    if not ids:
        return
    if create:
        CaseDue.objects.bulk_create([CaseDue(case_id=pk) for pk in ids], ignore_conflicts=True)
    CaseDue.objects.filter(pk__in=ids).update(generation=F("generation") + 1, computed_on=None)


def mark_all_stale() -> None:
    """The rules changed: every kept row is recomputed when next shown."""
    CaseDue.objects.update(generation=F("generation") + 1, computed_on=None)


# Which cases a saved or deleted record belongs to, for the signal handlers.
def _case_ids_of(instance: Any) -> list[int]:
    if isinstance(instance, Case):
        return [instance.pk]
    if isinstance(instance, VisitParticipant):
        return [instance.visit.case_id]
    if isinstance(instance, IffContact):
        return [instance.intake.case_id]
    if hasattr(instance, "case_id"):
        return [instance.case_id]
    # A person: every case they are on (their name is in the words kept).
    return list(CaseMember.objects.filter(person_id=instance.pk).values_list("case_id", flat=True))


def on_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    mark_stale(_case_ids_of(instance))


def on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    mark_stale(_case_ids_of(instance), create=False)


def on_rules_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not created:  # the first read creates the rules with the defaults already in use
        mark_all_stale()
