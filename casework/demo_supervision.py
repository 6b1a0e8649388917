"""Demo supervision for `manage.py seed`: monthly supervisory reviews on the demo cases,
their next steps, and unit supervision notes.

Every open case of a unit with a supervisor has a review in most of the last four
months (from its opening), each with one or two next steps: the older ones done, a few
still open. This month some cases are reviewed and some not, so the supervisor's month
has both. The "caseworker" login (Hartford Intake Unit 1, supervised by the "supervisor"
login) gets a known mix: two cases reviewed this month, one review acknowledged and the
latest not, the others acknowledged; one next step due in two days, one overdue, and
some done. Hartford Intake Unit 1 has three supervision notes (reflective and group),
and each other unit of its office a group supervision note.

Written directly in bulk, with history rows, without sending notices about the past;
the caseload's kept "what is due" rows of these cases are marked stale.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.calendar import TIMEZONE
from agency.models import Unit
from casework import due
from casework.models import Case, NextStep, SupervisionNote, SupervisoryReview
from casework.selectors.supervision import month_bounds

User = get_user_model()
Focus = SupervisoryReview.Focus
PAST_MONTHS = 4

DISCUSSIONS = [
    "Walked through the safety plan with the worker: the grandmother is still the protective "
    "adult in the home after school; the mother's new partner has not been assessed.",
    "Discussed what is getting in the way of the father's visits (work shifts, transport) and "
    "how the family has responded to the parenting program so far.",
    "Reviewed progress towards reunification: supervised visits moved to the family home; "
    "the children's school attendance has improved since October.",
    "Talked through the worker's worry about the youngest child's weight and missed "
    "pediatric appointments, and what the family says about it.",
    "Looked at the case plan goals with the worker: two are on track, the housing goal is "
    "stalled while the family waits for a Section 8 voucher.",
    "Discussed engaging the paternal family: an aunt in Bridgeport has offered weekend care "
    "and could be a natural support.",
]
GUIDANCE = [
    "Hold the next visit in the home and see each child on their own; ask the children "
    "directly about the evenings when the partner is there.",
    "Name the barrier with the family rather than around them: ask the father which visit "
    "times he can keep, and offer bus passes.",
    "Prepare the family for the shared planning meeting: both sides of the family, the "
    "foster parents and the school counsellor.",
    "Keep the safety decision under review: if the appointments are missed again, consult "
    "the nurse and revisit the safety assessment with me.",
    "Use the next visit to celebrate what is working with the mother before raising the "
    "housing plan; she responds to strengths first.",
    "",
]
STEPS = [
    "Call the school about attendance since October",
    "Schedule the shared planning meeting with both parents' families",
    "Refer the mother to the substance use evaluation",
    "Visit the father at the correctional facility",
    "Ask the pediatrician for the asthma action plan",
    "Update the safety plan with the grandmother",
    "Explore paternal relatives as natural supports",
    "Follow up on the parenting class referral",
    "Discuss the concurrent plan with the family",
    "Arrange bus passes for the father's visits",
]
SUPERVISOR_STEPS = [
    "Consult the clinical team about the trauma assessment",
    "Ask the area office for a flexible funding approval",
]
NOTES = [
    (
        SupervisionNote.Kind.GROUP,
        "Engaging fathers and paternal relatives",
        "Each worker brought one case where the father is hard to reach. We shared what has "
        "worked (evening visits, meeting at the workplace, asking the father's own mother) "
        "and agreed to record diligent search efforts the same week they happen.",
    ),
    (
        SupervisionNote.Kind.REFLECTIVE,
        "Secondary trauma after a difficult removal",
        "Time to talk about the removal last week: what the worker carried home, what helped "
        "(a debrief the same day), and what the unit can do next time (a second worker on "
        "removals after hours).",
    ),
    (
        SupervisionNote.Kind.GROUP,
        "Preparing families for shared planning meetings",
        "Walked through how to prepare the family, both sides, the child when appropriate, "
        "caregivers and providers; and how to write conditions for return home in plain words.",
    ),
]


def _local(day: date, hour: int) -> datetime:
    """`hour` o'clock on `day`, Eastern; never later than now."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0)), TIMEZONE), clock.now())


def _day_between(rng: random.Random, start: date, end: date) -> date | None:
    if end < start:
        return None
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _month_starts(today: date) -> list[date]:
    """The first days of the last PAST_MONTHS months, oldest first, then this month's."""
    firsts = [today.replace(day=1)]
    for _ in range(PAST_MONTHS):
        firsts.append((firsts[-1] - timedelta(days=1)).replace(day=1))
    return list(reversed(firsts))


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = clock.today()
        self.reviews: list[SupervisoryReview] = []
        self.steps: list[tuple[int, NextStep]] = []  # (index of the review, step)

    def review(self, case: Case, held_on: date, *, acknowledged: bool) -> int:
        rng = self.rng
        review = SupervisoryReview(
            case=case,
            held_on=held_on,
            supervisor=case.unit.supervisor,
            worker=case.primary_worker,
            focus_areas=sorted(rng.sample(Focus.values, rng.randint(2, 4)), key=Focus.values.index),
            discussion=rng.choice(DISCUSSIONS),
            clinical_guidance=rng.choice(GUIDANCE),
            recorded_at=_local(held_on, 16),
        )
        if acknowledged:
            ack_day = min(held_on + timedelta(days=rng.randint(0, 3)), self.today)
            review.acknowledged_at = _local(ack_day, 10)
            review.version = 2
            if rng.random() < 0.3:
                review.worker_comment = "Thank you: I will raise this with the family this week."
        self.reviews.append(review)
        return len(self.reviews) - 1

    def step(self, index: int, description: str, owner, due_on: date, done: bool) -> None:
        review = self.reviews[index]
        step = NextStep(
            review=review,
            case=review.case,
            description=description,
            owner=owner,
            due_on=due_on,
        )
        if done:
            latest = min(due_on + timedelta(days=2), self.today)
            step.done_on = _day_between(self.rng, review.held_on, latest) or review.held_on
            step.version = 2
            if self.rng.random() < 0.4:
                step.done_note = "Done; noted in the case record."
        self.steps.append((index, step))

    def generic_steps(self, index: int, *, latest: bool) -> None:
        """One or two steps; the latest review's not yet due stay open."""
        rng = self.rng
        review = self.reviews[index]
        for _ in range(rng.randint(1, 2)):
            due_on = review.held_on + timedelta(days=rng.randint(7, 28))
            owner = review.worker
            text = rng.choice(STEPS)
            if rng.random() < 0.1:
                owner, text = review.supervisor, rng.choice(SUPERVISOR_STEPS)
            done = due_on < self.today or not latest
            if latest and due_on < self.today and rng.random() < 0.08:
                done = False  # now and then one slips
            self.step(index, text, owner, due_on, done)

    def case_history(self, case: Case, *, this_month: bool) -> list[int]:
        """Reviews of `case` in most past months since it opened, and this month's when
        `this_month`. Returns the indexes, oldest first."""
        rng = self.rng
        indexes = []
        months = _month_starts(self.today)
        for first in months:
            current = first == months[-1]
            if not (this_month if current else rng.random() < 0.85):
                continue
            last = min(month_bounds(first)[1], self.today - timedelta(days=0 if current else 1))
            held_on = _day_between(rng, max(first, case.opened_on), last)
            if held_on is None:
                continue
            acknowledged = rng.random() < (0.5 if current else 0.92)
            indexes.append(self.review(case, held_on, acknowledged=acknowledged))
        return indexes


def seed_supervision(rng: random.Random) -> dict[str, int]:
    builder = _Builder(rng)
    today = builder.today
    units = list(
        Unit.objects.filter(supervisor__isnull=False).select_related("supervisor", "work_location")
    )
    unit_by_id = {unit.pk: unit for unit in units}
    cases = list(
        Case.objects.filter(unit_id__in=list(unit_by_id), status=Case.Status.OPEN)
        .select_related("primary_worker")
        .order_by("opened_on", "pk")
    )
    for case in cases:
        case.unit = unit_by_id[case.unit_id]
    demo = User.objects.filter(username="caseworker").first()
    mine = [case for case in cases if demo is not None and case.primary_worker_id == demo.pk]
    for case, reviewed in _this_month(rng, [case for case in cases if case not in mine]):
        indexes = builder.case_history(case, this_month=reviewed)
        for index in indexes:
            builder.generic_steps(index, latest=index == indexes[-1])
    _the_demo_caseworker(builder, mine)
    reviews = bulk_create_with_history(builder.reviews, SupervisoryReview, batch_size=5000)
    for index, step in builder.steps:
        step.review = reviews[index]
        step.case_id = reviews[index].case_id
    steps = bulk_create_with_history([s for _, s in builder.steps], NextStep, batch_size=5000)
    notes = _notes(rng, units, today)
    due.mark_stale({case.pk for case in cases})
    first = today.replace(day=1)
    return {
        "reviews": len(reviews),
        "reviewed_this_month": len({r.case_id for r in reviews if r.held_on >= first}),
        "cases": len(cases),
        "next_steps": len(steps),
        "open_steps": sum(1 for s in steps if s.done_on is None),
        "notes": notes,
    }


def _this_month(rng: random.Random, cases: list[Case]) -> list[tuple[Case, bool]]:
    """Whether each case is reviewed this month: about half of each unit's cases, and in
    every unit with two cases or more, some reviewed and some not."""
    by_unit: dict[int, list[Case]] = {}
    for case in cases:
        by_unit.setdefault(case.unit_id, []).append(case)
    chosen = []
    for unit_cases in by_unit.values():
        shuffled = rng.sample(unit_cases, len(unit_cases))
        count = max(1, round(len(shuffled) * 0.55))
        if len(shuffled) > 1:
            count = min(count, len(shuffled) - 1)
        chosen += [(case, n < count) for n, case in enumerate(shuffled)]
    return chosen


def _the_demo_caseworker(builder: _Builder, cases: list[Case]) -> None:
    """The "caseworker" login's cases (oldest first): reviews in past months, all
    acknowledged, their steps done; this month the two oldest cases reviewed, the earlier
    review acknowledged and the latest not; one step due in two days and one overdue."""
    if not cases:
        return
    today = builder.today
    rng = builder.rng
    this_month: list[int] = []
    for position, case in enumerate(cases):
        indexes = builder.case_history(case, this_month=position < 2)
        for index in indexes:
            review = builder.reviews[index]
            current = review.held_on >= today.replace(day=1)
            if current:
                this_month.append(index)
            else:
                review.acknowledged_at = review.acknowledged_at or _local(
                    min(review.held_on + timedelta(days=1), today), 10
                )
                review.version = 2
                due_on = review.held_on + timedelta(days=rng.randint(7, 21))
                builder.step(index, rng.choice(STEPS), review.worker, due_on, done=True)
    this_month.sort(key=lambda i: (builder.reviews[i].held_on, i))
    for order, index in enumerate(this_month):
        review = builder.reviews[index]
        if order < len(this_month) - 1:
            review.acknowledged_at = _local(review.held_on, 17)
            review.worker_comment = "Agreed; I will see the children on their own next visit."
            review.version = 2
        else:
            review.acknowledged_at = None
            review.worker_comment = ""
            review.version = 1
    # The latest review of all gets the step due soon; the overdue one goes on the
    # latest review held early enough for it to be overdue now.
    by_date = sorted(
        range(len(builder.reviews)),
        key=lambda i: builder.reviews[i].held_on,
    )
    theirs = [i for i in by_date if builder.reviews[i].case in cases]
    if theirs:
        latest = theirs[-1]
        worker = builder.reviews[latest].worker
        builder.step(
            latest, "Call the school about attendance since October", worker,
            today + timedelta(days=2), done=False,
        )  # fmt: skip
        early = [i for i in theirs if builder.reviews[i].held_on <= today - timedelta(days=6)]
        if early:
            builder.step(
                early[-1], "Ask the pediatrician for the asthma action plan", worker,
                today - timedelta(days=5), done=False,
            )  # fmt: skip


def _notes(rng: random.Random, units: list[Unit], today: date) -> int:
    """Three notes for the "supervisor" login's unit, one group note for each other unit
    of its office."""
    home = next((u for u in units if u.supervisor.username == "supervisor"), None)
    if home is None:
        return 0
    chosen = [
        (home, kind, today - timedelta(days=days), topics, text)
        for (kind, topics, text), days in zip(NOTES, (45, 24, 6), strict=True)
    ]
    for unit in units:
        if unit.work_location_id == home.work_location_id and unit.pk != home.pk:
            kind, topics, text = NOTES[0]
            chosen.append((unit, kind, today - timedelta(days=rng.randint(5, 40)), topics, text))
    notes = bulk_create_with_history(
        [
            SupervisionNote(
                unit=unit,
                kind=kind,
                held_on=held_on,
                supervisor=unit.supervisor,
                topics=topics,
                notes=text,
                recorded_at=_local(held_on, 15),
            )
            for unit, kind, held_on, topics, text in chosen
        ],
        SupervisionNote,
    )
    members: dict[int, list[int]] = {}
    for user_id, unit_id in User.objects.filter(
        staff__unit_id__in=[n.unit_id for n in notes], is_active=True
    ).values_list("pk", "staff__unit_id"):
        members.setdefault(unit_id, []).append(user_id)
    through = SupervisionNote.attendees.through
    through.objects.bulk_create(
        [
            through(supervisionnote_id=note.pk, user_id=user_id)
            for note in notes
            for user_id in members.get(note.unit_id, [])
            if user_id != note.supervisor_id
            and (note.kind == SupervisionNote.Kind.GROUP or rng.random() < 0.3)
        ]
    )
    return len(notes)
