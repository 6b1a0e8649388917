"""The case facts: each thing an indicator counts on a case, in the month it fell due,
with its outcome (quality/facts.py writes them and their tallies).

- Assessments on time: each kind of assessment policy expects on a case (and any other
  kind done on it) is due on the first such assessment's due date, or on the date the
  casework rules give when none was started; done when one is approved.
- Case plans approved on time: a case's first plan is due `first_plan_days` after the
  case opened; done when a version is approved.
- Plan reviews on time: an approved plan's review falls due on `review_due_on`; done
  when a later version is approved.
- Kin home-study referrals within 30 days: an unlicensed kin placement's referral is due
  `kin_home_study_days` after it started.
- 15 of 22 months: a child in care 15 of the last 22 months (as today) counts in the
  month they first met the rule; met with a termination petition or a documented
  compelling reason recorded on or after that day.
- Permanency within 12 months: a child entering care (`care_episodes`) counts in the
  month they entered, for the case of the placement they entered with; met when the
  placement that ended the episode has an exit reason among Placement.PERMANENT_EXITS
  and ended on or before the day 12 months after entry. Outcomes: permanency,
  other_exit (left care otherwise within 12 months), not_within_12 (still in care, or
  left later), not_yet_12 (in care and the 12 months not yet over: counted apart, not
  in the share).
- Disproportionality (quality/equity.py), one row per child, case and month with the
  child's race and ethnicity group as the outcome: equity_referral (an alleged victim
  of an intake accepted that month), equity_substantiation (one of them with at least
  one substantiated allegation on those intakes; done_on the first such finding),
  equity_entry (a child entering care that month).

Outcomes: on_time (done by the due date), late (done after it), not_done (due date
passed, not done); something not yet due and not done is not counted. Cases closed
before the due date, and placements ended before it, are not counted.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from casework.models import (
    Allegation,
    Assessment,
    Case,
    CasePlan,
    Intake,
    PermanencyDecision,
    Person,
    Placement,
)
from casework.selectors import rules as casework_rules
from casework.selectors.placements import COUNTED_SETTINGS, met_15_of_22_since, months_before
from casework.services.assessments import due_from, expected_kinds, local_date
from quality import equity
from quality.indicators import add_months, month_start
from quality.models import CaseFact


@dataclass(frozen=True)
class CaseRow:
    """What the facts need of a case: its dates and where it counts (its unit, office,
    region and primary worker, as they stand)."""

    pk: int
    case_type: str
    opened_on: date
    closed_on: date | None
    region_id: int | None
    work_location_id: int
    unit_id: int
    worker_id: int

    def open_all_of(self, first_day: date, last_day: date) -> bool:
        return self.opened_on <= first_day and (
            self.closed_on is None or self.closed_on >= last_day
        )


def case_rows(cases: QuerySet[Case]) -> dict[int, CaseRow]:
    """`cases` read as CaseRows, by id: one query."""
    return {
        row[0]: CaseRow(*row)
        for row in cases.values_list(
            "pk",
            "case_type",
            "opened_on",
            "closed_on",
            "unit__work_location__region_id",
            "unit__work_location_id",
            "unit_id",
            "primary_worker_id",
        )
    }


def outcome(due_on: date, done_on: date | None, today: date) -> str | None:
    """on_time, late, not_done; None when not yet due and not done."""
    if done_on is not None:
        return "on_time" if done_on <= due_on else "late"
    return "not_done" if due_on < today else None


def case_facts(*, first_month: date, last_month: date, today: date) -> list[CaseFact]:
    """Every case fact falling due from `first_month` to the end of `last_month`, as
    counted on `today`: a fixed number of queries over the cases and their records."""
    cases = case_rows(
        Case.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first_month))
    )
    rules = casework_rules()
    facts: list[CaseFact] = []

    def add(indicator, case, due_on, done_on, what, person_id=None, met=None, result=None):
        if not first_month <= month_start(due_on) <= last_month:
            return
        if case.closed_on is not None and case.closed_on < due_on:
            return
        result = result or outcome(due_on, done_on, today)
        if result is None:
            return
        facts.append(
            CaseFact(
                indicator=indicator,
                month=month_start(due_on),
                due_on=due_on,
                done_on=done_on,
                outcome=result,
                met=result in ("on_time", "decided") if met is None else met,
                what=what,
                case_id=case.pk,
                person_id=person_id,
                region_id=case.region_id,
                work_location_id=case.work_location_id,
                unit_id=case.unit_id,
                worker_id=case.worker_id,
            )
        )

    _assessments(cases, rules, add)
    _plans(cases, rules, add)
    _home_studies(cases, rules, add)
    _fifteen_of_22(cases, today, add)

    def fact(indicator, case, month, due_on, done_on, what, person_id, result, met):
        facts.append(
            CaseFact(
                indicator=indicator,
                month=month,
                due_on=due_on,
                done_on=done_on,
                outcome=result,
                met=met,
                what=what[:150],
                case_id=case.pk,
                person_id=person_id,
                region_id=case.region_id,
                work_location_id=case.work_location_id,
                unit_id=case.unit_id,
                worker_id=case.worker_id,
            )
        )

    entries = [
        e
        for e in care_episodes(_counted_placements())
        if first_month <= month_start(e.entered_on) <= last_month
    ]
    _permanency(cases, entries, today, fact)
    _equity(cases, entries, first_month, last_month, fact)
    return facts


def _assessments(cases: dict[int, CaseRow], rules: Any, add) -> None:
    accepted = {
        row["case_id"]: local_date(row["first"])
        for row in Intake.objects.values("case_id").annotate(first=Min("accepted_at")).order_by()
    }
    due: dict[tuple[int, str], date] = {}
    done: dict[tuple[int, str], date] = {}
    for case_id, kind, status, due_on, decided_at in Assessment.objects.order_by(
        "created_at", "pk"
    ).values_list("case_id", "kind", "status", "due_on", "decided_at"):
        key = (case_id, kind)
        due.setdefault(key, due_on)
        if status == Assessment.Status.APPROVED and decided_at and key not in done:
            done[key] = local_date(decided_at)
    started: dict[int, list[str]] = defaultdict(list)
    for case_id, kind in due:
        started[case_id].append(kind)
    labels = dict(Assessment.Kind.choices)
    for case in cases.values():
        kinds = [*expected_kinds(case), *started[case.pk]]
        for kind in dict.fromkeys(kinds):
            due_on = due.get((case.pk, kind)) or due_from(
                kind=kind,
                accepted_on=accepted.get(case.pk),
                opened_on=case.opened_on,
                rules=rules,
            )
            add("assessments_on_time", case, due_on, done.get((case.pk, kind)), labels[kind])


def _plans(cases: dict[int, CaseRow], rules: Any, add) -> None:
    approved: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for case_id, version, decided_at, review_due_on in (
        CasePlan.objects.filter(status__in=[CasePlan.Status.APPROVED, CasePlan.Status.SUPERSEDED])
        .exclude(decided_at__isnull=True)
        .order_by("case_id", "version")
        .values_list("case_id", "version", "decided_at", "review_due_on")
    ):
        approved[case_id].append((version, local_date(decided_at), review_due_on))
    for case in cases.values():
        versions = approved.get(case.pk, [])
        first_done = versions[0][1] if versions else None
        due_on = case.opened_on + timedelta(days=rules.first_plan_days)
        add("plans_on_time", case, due_on, first_done, "First case plan")
        for n, (version, _approved_on, review_due_on) in enumerate(versions):
            if review_due_on is None:
                continue
            reviewed = versions[n + 1][1] if n + 1 < len(versions) else None
            add("plan_reviews_on_time", case, review_due_on, reviewed, f"Review of plan v{version}")


def _home_studies(cases: dict[int, CaseRow], rules: Any, add) -> None:
    for case_id, child_id, start, end, referred, caregiver in Placement.objects.filter(
        setting=Placement.Setting.KIN_UNLICENSED, entered_in_error=False
    ).values_list(
        "case_id", "child_id", "start_date", "end_date", "home_study_referred_on", "caregiver"
    ):
        case = cases.get(case_id)
        due_on = start + timedelta(days=rules.kin_home_study_days)
        if case is None or (end is not None and end < due_on and referred is None):
            continue
        add(
            "home_study_on_time", case, due_on, referred, f"Home study: {caregiver}"[:150], child_id
        )


def _fifteen_of_22(cases: dict[int, CaseRow], today: date, add) -> None:
    placements: dict[tuple[int, int], list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(
        entered_in_error=False, setting__in=COUNTED_SETTINGS
    ).only("case_id", "child_id", "start_date", "end_date", "setting", "entered_in_error"):
        placements[(placement.case_id, placement.child_id)].append(placement)
    decisions: dict[tuple[int, int], list[date]] = defaultdict(list)
    for case_id, child_id, decided_on in PermanencyDecision.objects.values_list(
        "case_id", "child_id", "decided_on"
    ):
        decisions[(case_id, child_id)].append(decided_on)
    for (case_id, child_id), own in placements.items():
        case = cases.get(case_id)
        if case is None:
            continue
        since = met_15_of_22_since(own, today=today)
        if since is None:
            continue
        decided = min((d for d in decisions[(case_id, child_id)] if d >= since), default=None)
        add(
            "fifteen_of_22",
            case,
            since,
            decided,
            "15 of 22 months in care",
            child_id,
            met=decided is not None,
            result="decided" if decided else "no_decision",
        )


# --- Entries into care ----------------------------------------------------------------


@dataclass(frozen=True)
class Episode:
    """A child's continuous time in out-of-home care: from the first day of a counted
    placement that no counted placement of the child covered the day before, to the
    last day of the placements that follow without a gap (None while in care)."""

    child_id: int
    case_id: int  # the case of the placement the child entered care with
    entered_on: date
    exited_on: date | None
    exit_reason: str


def _counted_placements() -> list[tuple[int, int, date, date | None, str]]:
    return list(
        Placement.objects.filter(entered_in_error=False, setting__in=COUNTED_SETTINGS)
        .order_by("child_id", "start_date", "pk")
        .values_list("child_id", "case_id", "start_date", "end_date", "exit_reason")
    )


def care_episodes(
    placements: Iterable[tuple[int, int, date, date | None, str]],
) -> list[Episode]:
    """Every episode in care from counted placements (child, case, start, end, exit
    reason): pure. A placement starting the day after another ends, or while another
    is open, continues the episode (a move); a gap of a day or more starts a new one
    (a re-entry). The exit reason is the one on the placement that ended the episode."""
    by_child: dict[int, list[tuple[int, int, date, date | None, str]]] = defaultdict(list)
    for row in placements:
        by_child[row[0]].append(row)
    episodes: list[Episode] = []
    for child_id, rows in by_child.items():
        rows.sort(key=lambda row: row[2])
        current: list = []  # case, entered, reached (None: still open), exit reason
        for _child, case_id, start, end, reason in rows:
            reached = current[2] if current else None
            if current and (reached is None or start <= reached + timedelta(days=1)):
                if reached is None:
                    continue  # within an open placement: still in care
                if end is None:
                    current[2], current[3] = None, ""
                elif end > reached or (end == reached and reason):
                    current[2], current[3] = end, reason
                continue
            if current:
                episodes.append(Episode(child_id, *current))
            current = [case_id, start, end, reason if end is not None else ""]
        if current:
            episodes.append(Episode(child_id, *current))
    return episodes


def permanency_outcome(episode: Episode, today: date) -> tuple[str, date]:
    """How an entry counts (see the module) and the day its 12 months end."""
    deadline = months_before(episode.entered_on, -12)
    exited = episode.exited_on
    if exited is not None and exited <= deadline:
        if episode.exit_reason in Placement.PERMANENT_EXITS:
            return "permanency", deadline
        return "other_exit", deadline
    if exited is None and deadline >= today:
        return "not_yet_12", deadline
    return "not_within_12", deadline


def _permanency(cases: dict[int, CaseRow], entries: list[Episode], today: date, fact) -> None:
    labels = dict(Placement.ExitReason.choices)
    for episode in entries:
        case = cases.get(episode.case_id)
        if case is None:
            continue
        result, deadline = permanency_outcome(episode, today)
        what = f"Entered care {_d(episode.entered_on)}"
        if episode.exited_on is not None:
            why = labels.get(episode.exit_reason, "no exit reason recorded")
            what += f"; left {_d(episode.exited_on)} ({why.lower()})"
        fact(
            "permanency_12_months",
            case,
            month_start(episode.entered_on),
            deadline,
            episode.exited_on,
            what,
            episode.child_id,
            result,
            result == "permanency",
        )


def _equity(
    cases: dict[int, CaseRow], entries: list[Episode], first_month: date, last_month: date, fact
) -> None:
    """The disproportionality facts of the months (see the module): three queries."""
    start = timezone.make_aware(datetime.combine(first_month, time.min))
    end = timezone.make_aware(datetime.combine(add_months(last_month, 1), time.min))
    referred: dict[tuple[int, int, date], list] = {}
    for case_id, child_id, accepted_at, finding, finding_on in Allegation.objects.filter(
        intake__accepted_at__gte=start, intake__accepted_at__lt=end
    ).values_list("intake__case_id", "child_id", "intake__accepted_at", "finding", "finding_on"):
        accepted_on = local_date(accepted_at)
        key = (case_id, child_id, month_start(accepted_on))
        seen = referred.setdefault(key, [accepted_on, None])
        seen[0] = min(seen[0], accepted_on)
        if finding == Allegation.Finding.SUBSTANTIATED:
            on = finding_on or accepted_on
            seen[1] = on if seen[1] is None else min(seen[1], on)
    people = {child_id for _, child_id, _ in referred} | {e.child_id for e in entries}
    groups = person_groups(people)
    for (case_id, child_id, month), (accepted_on, substantiated_on) in referred.items():
        case = cases.get(case_id)
        if case is None:
            continue
        group = groups.get(child_id, "unknown")
        what = f"Alleged victim, intake accepted {_d(accepted_on)}"
        fact(equity.REFERRAL, case, month, accepted_on, None, what, child_id, group, False)
        if substantiated_on is not None:
            what = f"Substantiated {_d(substantiated_on)}"
            fact(
                equity.SUBSTANTIATION,
                case,
                month,
                accepted_on,
                substantiated_on,
                what,
                child_id,
                group,
                False,
            )
    for episode in entries:
        case = cases.get(episode.case_id)
        if case is None:
            continue
        fact(
            equity.ENTRY,
            case,
            month_start(episode.entered_on),
            episode.entered_on,
            None,
            f"Entered care {_d(episode.entered_on)}",
            episode.child_id,
            groups.get(episode.child_id, "unknown"),
            False,
        )


def person_groups(person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's race and ethnicity group (quality/equity.py): two queries."""
    ids = list(person_ids)
    if not ids:
        return {}
    races: dict[int, list[str]] = defaultdict(list)
    for person_id, code in Person.races.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "race__code"
    ):
        races[person_id].append(code)
    return {
        pk: equity.group_of(ethnicity, races[pk])
        for pk, ethnicity in Person.objects.filter(pk__in=ids).values_list("pk", "ethnicity")
    }


def _d(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
