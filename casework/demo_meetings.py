"""Family team meetings and court work for the demo cases (`manage.py seed`).

Added to the families casework/demo.py has already made (read from the database), so
every state the pages show is there, most of it on the demo caseworker's cases first
("caseworker", Hartford Intake Unit 1):

- an FTDM for every placement, held the day before it, except one emergency placement
  whose FTDM was held two days after (within the 72 hours) and one placement without
  any (it shows as overdue);
- shared planning meetings every six months for children in care past 180 days, one
  child's overdue;
- case-planning meetings with in-home and family assessment families, within 30 days of
  opening and every six months, one overdue and one scheduled;
- a family conference not recorded, a child and family team meeting ahead, a
  cancelled meeting;
- petitions and hearings for children in care: the court report of one hearing due in
  two days, one filed late, the next hearing of each case scheduled; and a termination
  of parental rights petition (with its permanency decision) for a child in care 15 of
  the last 22 months, when the demo has one.

Written directly with history rows, like the rest of the demo; the caseload's kept
"what is due" is marked stale for the cases touched.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.calendar import TIMEZONE
from casework import due
from casework.meetings import add_months, counted, entered_care
from casework.models import (
    Case,
    CaseMember,
    CourtHearing,
    CourtPetition,
    FamilyMeeting,
    MeetingParticipant,
    PermanencyDecision,
    Placement,
)
from casework.selectors import rules
from casework.selectors.placements import met_15_of_22_since

User = get_user_model()
Kind = FamilyMeeting.Kind
Relation = MeetingParticipant.Relation
HELD = FamilyMeeting.Status.HELD
DEMO_WORKER = "caseworker"
COURTS = {
    "Hartford": "Superior Court for Juvenile Matters, Hartford",
    "New Haven": "Superior Court for Juvenile Matters, New Haven",
}
DEFAULT_COURT = "Superior Court for Juvenile Matters, Hartford"
DECISIONS = {
    Kind.FTDM: "Placement agreed with the family; conditions for return home set out.",
    Kind.SHARED_PLANNING: "Permanency goal reviewed: reunification, concurrent guardianship. "
    "Visits increase to weekends.",
    Kind.CASE_PLANNING: "The family chose its goals; services agreed with the family.",
    Kind.CHILD_FAMILY_TEAM: "Next steps agreed by the team.",
    Kind.FAMILY_CONFERENCE: "The family's own plan for the holidays agreed.",
}
SAFETY = (
    "Safety threats talked through with the parents: who supervises the children in the "
    "evenings, and what happens when the safety plan is not followed."
)
CONDITIONS = "The mother completes treatment and keeps stable housing for three months."


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TIMEZONE)


def _workday(day: date, today: date) -> date:
    """`day`, or the nearest working day on the same side of `today` when it falls on a
    weekend: meetings with the family and hearings happen Monday to Friday."""
    if day.weekday() < 5:
        return day
    if day < today:
        return day - timedelta(days=day.weekday() - 4)
    return day + timedelta(days=7 - day.weekday())


class _Seeder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = clock.today()
        self.now = clock.now()
        self.rules = rules()
        self.meetings: list[FamilyMeeting] = []
        self.invites: list[tuple[FamilyMeeting, list[tuple[Any, str, str]]]] = []
        self.touched: set[int] = set()
        self.demo_worker = User.objects.filter(username=DEMO_WORKER).first()

    def on(self, day: date, hour: int = 10) -> datetime:
        """A meeting or hearing time on `day`, moved off a weekend (see _workday)."""
        return _at(_workday(day, self.today), hour)

    # --- reading the demo --------------------------------------------------------------
    def load(self) -> None:
        cases = (
            Case.objects.filter(status=Case.Status.OPEN)
            .select_related("unit__supervisor", "unit__work_location", "primary_worker")
            .order_by("pk")
        )
        # The demo worker's cases first: they get the interesting states.
        self.cases = sorted(cases, key=lambda c: (c.primary_worker != self.demo_worker, c.pk))
        ids = [c.pk for c in self.cases]
        self.members: dict[int, list[CaseMember]] = defaultdict(list)
        for member in (
            CaseMember.objects.filter(case_id__in=ids, active=True)
            .select_related("person")
            .order_by("pk")
        ):
            self.members[member.case_id].append(member)
        self.placements: dict[int, list[Placement]] = defaultdict(list)
        for p in (
            Placement.objects.filter(case_id__in=ids)
            .select_related("child")
            .order_by("start_date", "pk")
        ):
            self.placements[p.case_id].append(p)

    # --- meetings ----------------------------------------------------------------------
    def meeting(self, case: Case, kind: str, when: datetime, **fields) -> FamilyMeeting:
        fields.setdefault("location", f"{case.unit.work_location.name}, family meeting room")
        fields.setdefault("facilitator", case.unit.supervisor)
        if fields.get("status") == HELD:
            fields.setdefault("held_at", when)
            fields.setdefault("decisions", DECISIONS[kind])
            if kind in (Kind.FTDM, Kind.SHARED_PLANNING):
                fields.setdefault("safety_discussion", SAFETY)
                fields.setdefault("conditions_for_return", CONDITIONS)
        meeting = FamilyMeeting(
            case=case,
            kind=kind,
            scheduled_for=when,
            recorded_by=case.primary_worker,
            created_at=min(when, self.now) - timedelta(days=7),
            purpose=fields.pop("purpose", ""),
            **fields,
        )
        self.meetings.append(meeting)
        self.touched.add(case.pk)
        self.invites.append((meeting, self.family_of(case, child=fields.get("child"))))
        return meeting

    def family_of(self, case: Case, *, child=None) -> list[tuple[Any, str, str]]:
        """(person, name, relation) of those invited: parents, maternal family, the
        child when 12 or older, the caregiver."""
        rows = []
        relation = {
            "mother": Relation.MOTHER,
            "father": Relation.FATHER,
            "maternal_relative": Relation.MATERNAL_FAMILY,
            "paternal_relative": Relation.PATERNAL_FAMILY,
        }
        for member in self.members[case.pk]:
            person = member.person
            if member.role in relation:
                rows.append((person, person.full_name, relation[member.role]))
            elif member.role == "child" and (child is None or child.pk == person.pk):
                born = person.date_of_birth
                if born and (self.today - born).days >= 12 * 365:
                    rows.append((person, person.full_name, Relation.CHILD))
        return rows

    def ftdms(self) -> dict[str, int]:
        """An FTDM for every counted placement of the open cases, the day before it
        starts; one emergency placement (still open) with its FTDM two days after; one
        open placement of another case (of the same unit, if any) without any."""
        placements = [p for case in self.cases for p in counted(self.placements[case.pk])]
        current = [p for p in placements if p.end_date is None]
        emergency = current[0] if current else None
        by_case = {case.pk: case for case in self.cases}
        # Another case, in the demo worker's unit when there is one (the supervisor's view).
        others = [p for p in current if emergency is not None and p.case_id != emergency.case_id]
        unit = by_case[emergency.case_id].unit_id if emergency is not None else None
        missing = next((p for p in others if by_case[p.case_id].unit_id == unit), None) or next(
            iter(others), None
        )
        held = 0
        for p in placements:
            case = by_case[p.case_id]
            if p is missing:
                continue
            if p is emergency:
                p.emergency = True
                p._history_user = case.primary_worker
                p.save(update_fields=["emergency"])
                when = _at(p.start_date + timedelta(days=2), 14)
            else:
                when = _at(p.start_date - timedelta(days=1), 15)
            self.meeting(
                case,
                Kind.FTDM,
                when,
                status=HELD,
                child=p.child,
                placement=p,
                purpose=f"Decide where {p.child.first_name} lives safely.",
            )
            held += 1
        return {"ftdm": held, "emergency": int(emergency is not None)}

    def shared_planning(self) -> int:
        """Every six months after 180 days in care; the first child past 200 days has
        the latest one missing (overdue)."""
        count = 0
        overdue_done = False
        for case in self.cases:
            by_child = defaultdict(list)
            for p in self.placements[case.pk]:
                by_child[p.child_id].append(p)
            for own in by_child.values():
                entered = entered_care(own, today=self.today)
                if entered is None:
                    continue
                due_on = entered + timedelta(days=self.rules.shared_planning_first_days)
                holds = []
                while due_on <= self.today:
                    day = due_on - timedelta(days=self.rng.randint(0, 10))
                    holds.append(day)
                    due_on = add_months(day, self.rules.shared_planning_interval_months)
                if holds and not overdue_done and holds[-1] < self.today - timedelta(days=7):
                    holds.pop()  # this child's latest meeting never happened
                    overdue_done = True
                for day in holds:
                    self.meeting(case, Kind.SHARED_PLANNING, self.on(day), status=HELD,
                                 child=own[0].child)  # fmt: skip
                    count += 1
        return count

    def case_planning(self) -> int:
        """In-home and FAR families: within 30 days of opening, then every six months;
        one missing (overdue), one booked ahead."""
        count = 0
        overdue_done = scheduled_done = False
        for case in self.cases:
            if case.case_type not in (Case.Type.IN_HOME, Case.Type.FAMILY_ASSESSMENT):
                continue
            due_on = case.opened_on + timedelta(days=self.rules.case_planning_meeting_days)
            holds = []
            while due_on <= self.today:
                day = due_on - timedelta(days=self.rng.randint(1, 12))
                holds.append(day)
                due_on = add_months(day, self.rules.plan_review_months)
            if holds and not overdue_done and holds[-1] < self.today - timedelta(days=3):
                holds.pop()
                overdue_done = True
            elif not scheduled_done:
                ahead = max(self.today + timedelta(days=3), due_on - timedelta(days=2))
                self.meeting(case, Kind.CASE_PLANNING, self.on(ahead),
                             purpose="Agree the family's goals and services.")  # fmt: skip
                scheduled_done = True
            for day in holds:
                self.meeting(case, Kind.CASE_PLANNING, self.on(day), status=HELD)
                count += 1
        return count

    def others(self) -> None:
        """On the demo worker's first cases: a family conference not recorded, a child
        and family team meeting ahead, a cancelled one."""
        if not self.cases:
            return
        first = self.cases[0]
        second = self.cases[1] if len(self.cases) > 1 else first
        self.meeting(first, Kind.FAMILY_CONFERENCE, self.on(self.today - timedelta(days=3), 16),
                     purpose="The family's plan for the holidays.")  # fmt: skip
        self.meeting(second, Kind.CHILD_FAMILY_TEAM, self.on(self.today + timedelta(days=5), 11),
                     purpose="School, therapy and visits: who does what.")  # fmt: skip
        self.meeting(
            second,
            Kind.FAMILY_CONFERENCE,
            self.on(self.today - timedelta(days=20)),
            status=FamilyMeeting.Status.CANCELLED,
            cancel_reason="The mother was in hospital; to be booked again.",
        )

    def save_meetings(self) -> int:
        saved = bulk_create_with_history(self.meetings, FamilyMeeting, batch_size=2000)
        rows = []
        for meeting, (_m, people) in zip(saved, self.invites, strict=True):
            held = meeting.status == HELD
            invited = (meeting.scheduled_for - timedelta(days=7)).astimezone(TIMEZONE).date()
            for person, name, relation in people:
                # Fathers come least (the PIP's finding), everyone else mostly.
                chance = 0.45 if relation == Relation.FATHER else 0.85
                rows.append(
                    MeetingParticipant(
                        meeting=meeting,
                        person=person,
                        name=name,
                        relation=relation,
                        invited_on=min(invited, self.today),
                        attended=(self.rng.random() < chance) if held else None,
                    )
                )
            if meeting.kind != Kind.CASE_PLANNING:
                rows.append(
                    MeetingParticipant(
                        meeting=meeting,
                        name="Family Support Center clinician",
                        relation=Relation.PROVIDER,
                        invited_on=min(invited, self.today),
                        attended=True if held else None,
                    )
                )
        MeetingParticipant.objects.bulk_create(rows, batch_size=5000)
        return len(saved)

    # --- court -------------------------------------------------------------------------
    def court_name(self, case: Case) -> str:
        city = case.unit.work_location.city if case.unit.work_location else ""
        return COURTS.get(city, DEFAULT_COURT)

    def court(self) -> dict[str, int]:
        petitions, hearings, chains = [], [], []
        report_soon_done = late_done = False
        for case in self.cases:
            own = [p for p in counted(self.placements[case.pk]) if p.end_date is None]
            if not own:
                continue
            court = self.court_name(case)
            start = min(p.start_date for p in own)
            worker = case.primary_worker
            for n, p in enumerate(own, start=1):
                petitions.append(
                    CourtPetition(
                        case=case,
                        child=p.child,
                        kind=CourtPetition.Kind.NEGLECT,
                        filed_on=p.start_date,
                        court=court,
                        docket_number=f"H12-CP{p.start_date:%y}-{case.pk:06d}-{n}",
                        status=CourtPetition.Status.GRANTED,
                        decided_on=min(p.start_date + timedelta(days=60), self.today),
                        recorded_by=worker,
                    )
                )
            # Past hearings: temporary custody, then every four months or so.
            chain = []
            day = start + timedelta(days=9)
            kinds = [CourtHearing.Kind.OTC, CourtHearing.Kind.ADJUDICATION]
            while day < self.today - timedelta(days=3):
                kind = kinds.pop(0) if kinds else CourtHearing.Kind.PERMANENCY
                day = _workday(day, self.today)
                report_due = day - timedelta(days=self.rules.court_report_lead_days)
                filed = report_due - timedelta(days=self.rng.randint(0, 3))
                if not late_done:
                    filed = report_due + timedelta(days=3)  # filed late
                    late_done = True
                chain.append(
                    CourtHearing(
                        case=case, kind=kind, scheduled_for=_at(day, 9), court=court,
                        status=CourtHearing.Status.HELD,
                        outcome="The court approved the department's plan.",
                        report_due_on=report_due, report_filed_on=filed,
                        recorded_by=worker, created_at=_at(day, 9) - timedelta(days=30),
                    )
                )  # fmt: skip
                day += timedelta(days=120 + self.rng.randint(-10, 10))
            # The next hearing: the first case's report is due in two days (a day or two
            # more when that hearing day falls on a weekend).
            if not report_soon_done:
                ahead = self.today + timedelta(days=self.rules.court_report_lead_days + 2)
                report_soon_done = True
            else:
                ahead = max(day, self.today + timedelta(days=self.rng.randint(20, 90)))
            ahead = _workday(ahead, self.today)
            chain.append(
                CourtHearing(
                    case=case, kind=CourtHearing.Kind.REVIEW, scheduled_for=_at(ahead, 9),
                    court=court,
                    report_due_on=ahead - timedelta(days=self.rules.court_report_lead_days),
                    recorded_by=worker, created_at=self.now - timedelta(days=20),
                )
            )  # fmt: skip
            hearings += chain
            chains.append(len(chain))
            self.touched.add(case.pk)
        petitions = bulk_create_with_history(petitions, CourtPetition, batch_size=2000)
        hearings = bulk_create_with_history(hearings, CourtHearing, batch_size=2000)
        # Link each hearing to the next of its case.
        linked, offset = [], 0
        for size in chains:
            run = hearings[offset : offset + size]
            for earlier, later in pairwise(run):
                earlier.next_hearing = later
                linked.append(earlier)
            offset += size
        CourtHearing.objects.bulk_update(linked, ["next_hearing"], batch_size=2000)
        return {"petitions": len(petitions) + self.tpr(), "hearings": len(hearings)}

    def tpr(self) -> int:
        """A termination petition, with its permanency decision, for the first child in
        care 15 of the last 22 months without a decision yet."""
        decided = set(PermanencyDecision.objects.values_list("child_id", flat=True))
        for case in self.cases:
            by_child = defaultdict(list)
            for p in self.placements[case.pk]:
                by_child[p.child_id].append(p)
            for child_id, own in by_child.items():
                if child_id in decided:
                    continue
                since = met_15_of_22_since(own, today=self.today)
                if since is None:
                    continue
                filed = max(since, self.today - timedelta(days=6))
                worker = case.primary_worker
                [petition] = bulk_create_with_history(
                    [
                        CourtPetition(
                            case=case, child=own[0].child, kind=CourtPetition.Kind.TPR,
                            filed_on=filed, court=self.court_name(case),
                            docket_number=f"H12-CP{filed:%y}-{case.pk:06d}-T",
                            recorded_by=worker,
                        )
                    ],
                    CourtPetition,
                )  # fmt: skip
                bulk_create_with_history(
                    [
                        PermanencyDecision(
                            case=case, child=own[0].child,
                            kind=PermanencyDecision.Kind.PETITION_FILED, decided_on=filed,
                            note=f"Termination of parental rights petition filed with "
                            f"{petition.court}, docket {petition.docket_number}.",
                            petition=petition, recorded_by=worker,
                        )
                    ],
                    PermanencyDecision,
                )  # fmt: skip
                self.touched.add(case.pk)
                return 1
        return 0


def seed_meetings(rng: random.Random) -> dict[str, int]:
    """Add family meetings and court work to the demo cases; returns counts for the
    seed's summary line: meetings, FTDMs, shared planning and case-planning meetings
    held, petitions (a termination petition included when a child qualifies) and
    hearings."""
    seeder = _Seeder(rng)
    seeder.load()
    ftdm = seeder.ftdms()
    shared = seeder.shared_planning()
    planning = seeder.case_planning()
    seeder.others()
    meetings = seeder.save_meetings()
    court = seeder.court()
    due.mark_stale(seeder.touched)
    return {
        "meetings": meetings,
        "ftdms": ftdm["ftdm"],
        "shared_planning": shared,
        "case_planning": planning,
        "petitions": court["petitions"],
        "hearings": court["hearings"],
    }
