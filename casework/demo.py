"""Synthetic families for the demo agency (`manage.py seed`).

Bulk inserts with history rows (the timeline shows when each record was created), so
`--scale state` stays fast. Every caseworker gets a few families: recent intakes with
initial face-to-face contacts still due (some overdue, one extension waiting for the
supervisor), older cases with a year of monthly visits in which fathers are seen least,
and a child or parent not yet visited this month, so every screen has something to show.
"""

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.models import Unit
from agency.roles import Role
from casework.models import (
    Allegation,
    Assessment,
    Case,
    CaseMember,
    CasePlan,
    ExceptionalCircumstance,
    IffContact,
    IffExtension,
    Intake,
    Person,
    Placement,
    PlanGoal,
    PlanService,
    PlanStep,
    Race,
    Relationship,
    Visit,
    VisitParticipant,
)
from casework.selectors import rules
from casework.services.intake import iff_due_at, recommend_track

User = get_user_model()

FIRST_GIRLS = "Aaliyah Amelia Ava Camila Chloe Elena Emma Isabella Jasmine Leah Luna Maya Mia Nia Olivia Sofia Zoe".split()  # noqa: E501
FIRST_BOYS = "Aiden Carlos Daniel Elijah Ethan Gabriel Isaac Jayden Josiah Leo Liam Lucas Mateo Noah Omar Xavier".split()  # noqa: E501
FAMILY_NAMES = "Alvarez Brown Castro Davis Diaz Edwards Flores Gomez Harris Jackson Johnson Kelly Lewis Martinez Nguyen Ortiz Patel Ramirez Reyes Rivera Robinson Santos Smith Torres Walker Williams".split()  # noqa: E501
LANGUAGES = ["English"] * 7 + ["Spanish"] * 2 + ["Portuguese", "Haitian Creole", "Polish"]
NARRATIVES = [
    "School nurse reports the child arrived hungry and with untreated injuries.",
    "Pediatrician reports missed appointments and unmanaged asthma.",
    "Neighbour reports the children were left alone overnight.",
    "Police responded to a domestic disturbance with children present.",
    "Teacher reports bruising and that the child is afraid to go home.",
    "Relative reports the parent's substance use is affecting care of the children.",
]


@dataclass(frozen=True)
class CaseloadScale:
    cases_per_worker: int


SCALES = {"demo": CaseloadScale(cases_per_worker=4), "state": CaseloadScale(cases_per_worker=25)}


def build(rng: random.Random, scale: str) -> dict[str, int]:
    return _Builder(rng, SCALES[scale]).build()


class _Builder:
    def __init__(self, rng: random.Random, scale: CaseloadScale):
        self.rng = rng
        self.scale = scale
        self.now = clock.now()
        self.today = clock.today()
        self.rules = rules()
        self.races = list(Race.objects.exclude(code__in=["declined", "unknown"]))
        self.counter = 0
        self.supervisors = dict(Unit.objects.values_list("pk", "supervisor_id"))

    def build(self) -> dict[str, int]:
        workers = list(
            User.objects.filter(staff__role=Role.CASEWORKER)
            .select_related("staff__unit")
            .order_by("pk")
        )
        families = [
            self.family(worker, n) for worker in workers for n in range(self.scale.cases_per_worker)
        ]
        return self.save(families)

    # --- one family -------------------------------------------------------------------
    def family(self, worker, n: int) -> dict:
        rng = self.rng
        surname = rng.choice(FAMILY_NAMES)
        language = rng.choice(LANGUAGES)
        races = rng.sample(self.races, k=1 if rng.random() < 0.85 else 2)
        hispanic = (
            Person.Ethnicity.HISPANIC if rng.random() < 0.3 else Person.Ethnicity.NOT_HISPANIC
        )
        mother = self.person("female", surname, rng.randint(22, 42), races, hispanic, language)
        father = self.person("male", surname, rng.randint(24, 48), races, hispanic, language)
        if rng.random() < 0.15:
            father["whereabouts_unknown"] = True
        elif rng.random() < 0.1:
            father.update(
                incarcerated=True,
                facility="MacDougall-Walker Correctional Institution",
                facility_contact="Counselor's office, 860-555-0199",
            )
        children = [
            self.person(rng.choice(["female", "male"]), surname, rng.randint(0, 16), races,
                        hispanic, language)
            for _ in range(rng.randint(1, 3))
        ]  # fmt: skip
        grandmother = None
        if rng.random() < 0.35:
            grandmother = self.person("female", surname, rng.randint(55, 72), races, hispanic,
                                      language)  # fmt: skip
        # The first case of each worker is brand new, so the IFF clocks are running.
        # Some families have been in care long enough for the 15-of-22-months rule.
        age_days = rng.randint(0, 2) if n == 0 else rng.randint(3, 360 if n < 3 else 560)
        accepted_at = self.now - timedelta(days=age_days, hours=rng.randint(1, 20))
        response_time = rng.choices(["same_day", "24h", "72h"], weights=[1, 3, 6])[0]
        risk = rng.choices(["low", "moderate", "high", "very_high"], weights=[4, 4, 2, 1])[0]
        exceptional = rng.random() < 0.1
        track = recommend_track(
            response_time=response_time, risk_level=risk, has_exceptional_circumstance=exceptional
        )
        if age_days > 60:
            case_type = rng.choice([Case.Type.IN_HOME, Case.Type.IN_HOME, Case.Type.OUT_OF_HOME])
        else:
            case_type = track
        return {
            "worker": worker,
            "surname": surname,
            "mother": mother,
            "father": father,
            "children": children,
            "grandmother": grandmother,
            "accepted_at": accepted_at,
            "response_time": response_time,
            "risk": risk,
            "exceptional": exceptional,
            "track": track,
            "case_type": case_type,
            "age_days": age_days,
            "first_of_worker": n == 0,
        }

    def person(self, sex, surname, age, races, ethnicity, language) -> dict:
        rng = self.rng
        names = FIRST_GIRLS if sex == "female" else FIRST_BOYS
        born = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
        return {
            "first_name": rng.choice(names),
            "last_name": surname,
            "date_of_birth": born,
            "sex": sex,
            "races": races,
            "ethnicity": ethnicity,
            "preferred_language": language,
            "interpreter_needed": language != "English" and rng.random() < 0.5,
        }

    # --- bulk writes ------------------------------------------------------------------
    def save(self, families: list[dict]) -> dict[str, int]:
        rng = self.rng
        people: list[Person] = []
        race_links: list[tuple[int, list[Race]]] = []

        def new_person(fields: dict) -> Person:
            races = fields.pop("races")
            person = Person(**fields, created_at=self.now)
            people.append(person)
            race_links.append((len(people) - 1, races))
            return person

        for family in families:
            for key in ("mother", "father", "grandmother"):
                if family[key] is not None:
                    family[key] = new_person(family[key])
            family["children"] = [new_person(child) for child in family["children"]]
        people = bulk_create_with_history(people, Person, batch_size=2000)
        through = Person.races.through
        through.objects.bulk_create(
            [
                through(person_id=people[index].pk, race_id=race.pk)
                for index, races in race_links
                for race in races
            ],
            batch_size=5000,
        )

        cases = []
        for family in families:
            self.counter += 1
            opened = timezone.localtime(family["accepted_at"]).date()
            cases.append(
                Case(
                    number=f"C-{opened.year}-{self.counter:06d}",
                    name=f"{family['surname']} family",
                    case_type=family["case_type"],
                    opened_on=opened,
                    unit_id=family["worker"].staff.unit_id,
                    primary_worker=family["worker"],
                    candidacy=Case.Candidacy.ACCEPTED_CARELINE,
                )
            )
        cases = bulk_create_with_history(cases, Case, batch_size=2000)

        members, relationships, intakes = [], [], []
        for case, family in zip(cases, families, strict=True):
            family["case"] = case
            for child in family["children"]:
                members.append(
                    CaseMember(case=case, person=child, role="child", alleged_victim=True)
                )
            members.append(CaseMember(case=case, person=family["mother"], role="mother"))
            father = family["father"]
            members.append(
                CaseMember(
                    case=case,
                    person=father,
                    role="father",
                    custodial=rng.random() < 0.5,
                    in_household=not (father.whereabouts_unknown or father.incarcerated),
                )
            )
            if family["grandmother"]:
                members.append(
                    CaseMember(
                        case=case,
                        person=family["grandmother"],
                        role="maternal_relative",
                        in_household=False,
                    )
                )
            for parent in (family["mother"], father):
                for child in family["children"]:
                    relationships.append(Relationship(person=parent, relative=child, kind="parent"))
            relationships.append(
                Relationship(person=family["mother"], relative=father, kind="partner")
            )
            if family["grandmother"]:
                relationships.append(
                    Relationship(
                        person=family["grandmother"], relative=family["mother"], kind="parent"
                    )
                )
            for a, b in zip(family["children"], family["children"][1:], strict=False):
                relationships.append(Relationship(person=a, relative=b, kind="sibling"))
            self.counter += 1
            intakes.append(
                Intake(
                    reference=f"INT-{family['accepted_at'].year}-{self.counter:06d}",
                    accepted_at=family["accepted_at"],
                    reporter_type=rng.choice(Intake.ReporterType.values),
                    narrative=rng.choice(NARRATIVES),
                    response_time=family["response_time"],
                    risk_level=family["risk"],
                    recommended_track=family["track"],
                    track=family["track"],
                    case=case,
                    created_by=family["worker"],
                )
            )
        bulk_create_with_history(members, CaseMember, batch_size=5000)
        bulk_create_with_history(relationships, Relationship, batch_size=5000)
        intakes = bulk_create_with_history(intakes, Intake, batch_size=2000)
        circumstance = ExceptionalCircumstance.objects.filter(active=True).first()
        if circumstance:
            Intake.exceptional_circumstances.through.objects.bulk_create(
                Intake.exceptional_circumstances.through(
                    intake_id=intake.pk, exceptionalcircumstance_id=circumstance.pk
                )
                for intake, family in zip(intakes, families, strict=True)
                if family["exceptional"]
            )

        allegations, iffs = [], []
        for intake, family in zip(intakes, families, strict=True):
            due = iff_due_at(
                accepted_at=intake.accepted_at, response_time=intake.response_time, rules=self.rules
            )
            for index, child in enumerate(family["children"]):
                for kind in rng.sample(Allegation.Kind.values, k=rng.randint(1, 2)):
                    allegations.append(Allegation(intake=intake, child=child, kind=kind))
                seen = None
                if due < self.now or not family["first_of_worker"]:
                    # Most children were seen in time; a few late; on a new case one child
                    # may still be waiting (overdue when its due time has passed).
                    if family["first_of_worker"] and index == 0:
                        seen = None
                    else:
                        window = max((due - intake.accepted_at).total_seconds(), 3600)
                        seen = intake.accepted_at + timedelta(
                            seconds=rng.uniform(0.1, 1.15 if rng.random() < 0.1 else 0.95) * window
                        )
                iffs.append(
                    IffContact(
                        intake=intake,
                        child=child,
                        due_at=due,
                        seen_at=seen,
                        seen_by=family["worker"] if seen else None,
                        note="Seen at home with the parent's agreement." if seen else "",
                    )
                )
        bulk_create_with_history(allegations, Allegation, batch_size=5000)
        iffs = bulk_create_with_history(iffs, IffContact, batch_size=5000)
        extensions = [
            IffExtension(
                iff=iff,
                reason=IffExtension.Reason.UNABLE_TO_LOCATE,
                explanation="Family not at the address on the report; checking with the school.",
                requested_by=iff.seen_by or iff.intake.created_by,
                requested_at=self.now - timedelta(hours=2),
            )
            for iff in iffs
            if iff.seen_at is None and rng.random() < 0.5
        ]
        bulk_create_with_history(extensions, IffExtension, batch_size=2000)

        visit_count = self.visits(families)
        self.assessments(families)
        self.placements(families)
        self.plans(families)
        return {
            "cases": len(cases),
            "people": len(people),
            "intakes": len(intakes),
            "visits": visit_count,
        }

    def visits(self, families: list[dict]) -> int:
        """A completed visit in each past month of the case and most of this month,
        seeing most of the family; fathers are missed more often than anyone."""
        rng = self.rng
        visits, seen = [], []
        for family in families:
            case = family["case"]
            members = [*family["children"], family["mother"], family["father"]]
            month = date(case.opened_on.year, case.opened_on.month, 1)
            this_month = date(self.today.year, self.today.month, 1)
            while month <= this_month:
                current = month == this_month
                if current and rng.random() < 0.45:
                    month = _next_month(month)
                    continue
                last_day = self.today.day if current else _days_in(month)
                first_day = (
                    case.opened_on.day
                    if month == date(case.opened_on.year, case.opened_on.month, 1)
                    else 1
                )
                if first_day > last_day:
                    break
                day = rng.randint(first_day, last_day)
                when = timezone.make_aware(
                    datetime.combine(month.replace(day=day), time(rng.randint(9, 16), 0))
                )
                if when > self.now:
                    when = self.now - timedelta(hours=1)
                location = rng.choices(
                    [Visit.Location.CHILD_RESIDENCE, Visit.Location.OFFICE, Visit.Location.SCHOOL],
                    weights=[7, 2, 1],
                )[0]
                visit = Visit(
                    case=case,
                    planned_for=when,
                    location=location,
                    announced=rng.random() < 0.8,
                    discussion_points="Progress on the case-plan goals; the children's school "
                    "and health; safety plan check-in.",
                    status=Visit.Status.COMPLETED,
                    occurred_at=when,
                    topic_case_plan_goals=True,
                    topic_services=rng.random() < 0.7,
                    topic_well_being=True,
                    topic_safety_risk=True,
                    topic_family_feedback=rng.random() < 0.6,
                    narrative="Met with the family at the planned time; notes in the log.",
                    planned_by=family["worker"],
                    recorded_by=family["worker"],
                )
                visits.append(visit)
                for person in members:
                    is_child = person in family["children"]
                    chance = 0.97 if is_child else (0.9 if person.sex == "female" else 0.55)
                    if person.whereabouts_unknown or person.incarcerated:
                        chance = 0.1
                    was_seen = rng.random() < chance
                    seen.append(
                        (
                            visit,
                            VisitParticipant(
                                person=person,
                                seen=was_seen,
                                seen_privately=was_seen
                                and is_child
                                and person.date_of_birth < self.today - timedelta(days=4 * 365)
                                and rng.random() < 0.8,
                            ),
                        )
                    )
                month = _next_month(month)
            # Some families have their next visit already planned.
            if rng.random() < 0.5:
                visits.append(
                    Visit(
                        case=case,
                        planned_for=self.now + timedelta(days=rng.randint(1, 10), hours=2),
                        location=Visit.Location.CHILD_RESIDENCE,
                        announced=True,
                        discussion_points="Review the safety plan; talk with each child alone.",
                        planned_by=family["worker"],
                    )
                )
        visits = bulk_create_with_history(visits, Visit, batch_size=5000)
        participants = []
        for visit, participant in seen:
            participant.visit = visit
            participants.append(participant)
        bulk_create_with_history(participants, VisitParticipant, batch_size=10000)
        return len(visits)

    def assessments(self, families: list[dict]) -> None:
        """Safety, risk and family-centered assessments as far as each case has come:
        approved when their time has passed, a family-centered one now and then waiting
        for the supervisor, and none yet on the newest case."""
        rng = self.rng
        rows = []
        for family in families:
            case, worker = family["case"], family["worker"]
            accepted = timezone.localtime(family["accepted_at"]).date()
            due = {
                Assessment.Kind.SAFETY: accepted
                + timedelta(days=self.rules.safety_assessment_days),
                Assessment.Kind.RISK: accepted + timedelta(days=self.rules.risk_assessment_days),
                Assessment.Kind.FAMILY_CENTERED: case.opened_on
                + timedelta(days=self.rules.family_assessment_days),
            }
            for kind, due_on in due.items():
                if family["first_of_worker"] or due_on > self.today + timedelta(days=14):
                    continue
                submitted = rng.random() < 0.2 and kind == Assessment.Kind.FAMILY_CENTERED
                fields = {
                    Assessment.Kind.SAFETY: {
                        "safety_decision": "conditionally_safe",
                        "threats": "Caregiver's substance use when alone with the children.",
                        "safety_plan": "Grandmother stays in the home evenings; daily check-in.",
                    },
                    Assessment.Kind.RISK: {"risk_level": family["risk"]},
                    Assessment.Kind.FAMILY_CENTERED: {
                        **{domain: "Discussed with the family; see the case notes."
                           for domain in Assessment.DOMAINS},
                        "strengths": "The mother is engaged and the children attend school.",
                        "protective_factors": "Extended family nearby; stable housing.",
                        "natural_supports": "Maternal grandmother, a neighbour, the church.",
                        "family_input": "The family wants help with childcare and housing.",
                        "provider_input": "The pediatrician reports regular check-ups.",
                        "summary": "Safety depends on the evening plan; services for "
                        "substance use and childcare come first in the case plan.",
                    },
                }[kind]  # fmt: skip
                when = timezone.make_aware(datetime.combine(min(due_on, self.today), time(15)))
                rows.append(
                    Assessment(
                        case=case,
                        kind=kind,
                        due_on=due_on,
                        status="submitted" if submitted else "approved",
                        author=worker,
                        created_at=when - timedelta(days=1),
                        submitted_at=when,
                        decided_by_id=None if submitted else self.supervisors[case.unit_id],
                        decided_at=None if submitted else when + timedelta(hours=20),
                        decision_comment="" if submitted else "Thorough; approved.",
                        **fields,
                    )
                )
        bulk_create_with_history(rows, Assessment, batch_size=5000)

    def placements(self, families: list[dict]) -> None:
        """Children of out-of-home cases placed with kin or foster carers; some unlicensed
        kin placements still without a home-study referral."""
        rng = self.rng
        rows = []
        for family in families:
            case = family["case"]
            if case.case_type != Case.Type.OUT_OF_HOME:
                continue
            start = case.opened_on + timedelta(days=rng.randint(2, 20))
            if start > self.today:
                continue
            setting = rng.choice(
                ["kin_unlicensed", "kin_licensed", "foster", "foster", "congregate"]
            )
            grandmother = family["grandmother"]
            caregiver = (
                f"{grandmother.first_name} {grandmother.last_name} (maternal grandmother)"
                if setting.startswith("kin") and grandmother
                else f"{rng.choice(FIRST_GIRLS)} {rng.choice(FAMILY_NAMES)}"
            )
            referred = None
            if setting == "kin_unlicensed" and rng.random() < 0.6:
                referred = min(start + timedelta(days=rng.randint(5, 28)), self.today)
            for child in family["children"]:
                rows.append(
                    Placement(
                        case=case,
                        child=child,
                        setting=setting,
                        caregiver=caregiver,
                        start_date=start,
                        reason="Removed after the safety assessment found the home unsafe; "
                        "placed close to the children's school.",
                        home_study_referred_on=referred,
                    )
                )
        bulk_create_with_history(rows, Placement, batch_size=5000)

    def plans(self, families: list[dict]) -> None:
        """An approved case plan, led by the family, on cases open long enough for one;
        some new versions waiting for the supervisor."""
        rng = self.rng
        plans, goals, services = [], [], []
        for family in families:
            case = family["case"]
            if (self.today - case.opened_on).days < 45:
                continue
            # Most plans were approved or reviewed within the last six months; a few
            # reviews are late.
            approved_on = max(
                case.opened_on + timedelta(days=rng.randint(30, 45)),
                self.today - timedelta(days=rng.randint(20, 200)),
            )
            submitted = rng.random() < 0.1
            decided_at = timezone.make_aware(datetime.combine(approved_on, time(11)))
            in_care = case.case_type == Case.Type.OUT_OF_HOME
            plan = CasePlan(
                case=case,
                version=1,
                status=CasePlan.Status.SUBMITTED if submitted else CasePlan.Status.APPROVED,
                family_participants=f"{family['mother'].first_name} (mother) led the meeting; "
                f"{family['father'].first_name} (father) joined by phone.",
                family_led=True,
                maternal_family_engaged=family["grandmother"] is not None,
                paternal_family_engaged=rng.random() < 0.5,
                permanency_goal=CasePlan.PermanencyGoal.REUNIFICATION if in_care else "",
                concurrent_goal=CasePlan.PermanencyGoal.GUARDIANSHIP if in_care else "",
                author=family["worker"],
                created_at=decided_at - timedelta(days=2),
                submitted_at=decided_at - timedelta(days=1),
                decided_by_id=None if submitted else self.supervisors[case.unit_id],
                decided_at=None if submitted else decided_at,
                decision_comment="" if submitted else "The family's own goals; approved.",
                review_due_on=None if submitted else _add_months(approved_on, 6),
            )
            plans.append(plan)
            goals.append(
                (
                    plan,
                    "The children are safe at home every evening.",
                    "Mother, with the grandmother",
                    "Evening safety plan followed every day",
                )
            )
            goals.append(
                (
                    plan,
                    "Regular school attendance.",
                    "Mother and the school social worker",
                    "Morning routine agreed with the school",
                )
            )
        plans = bulk_create_with_history(plans, CasePlan, batch_size=5000)
        goal_rows = [
            PlanGoal(
                plan=plan,
                order=n % 2,
                description=text,
                responsible=who,
                target_date=(plan.decided_at or plan.submitted_at).date() + timedelta(days=90),
                status=PlanGoal.Status.IN_PROGRESS,
            )
            for n, (plan, text, who, _step) in enumerate(goals)
        ]
        goal_rows = bulk_create_with_history(goal_rows, PlanGoal, batch_size=5000)
        steps = [
            PlanStep(
                goal=goal,
                description=step,
                responsible=goal.responsible,
                target_date=goal.target_date - timedelta(days=60),
                status=PlanGoal.Status.IN_PROGRESS,
            )
            for goal, (_plan, _text, _who, step) in zip(goal_rows, goals, strict=True)
        ]
        bulk_create_with_history(steps, PlanStep, batch_size=5000)
        for plan in plans:
            services.append(
                PlanService(
                    plan=plan,
                    provider=rng.choice(["Family Support Center", "Community Health Network"]),
                    service_type=rng.choice(
                        ["Parenting education (Triple P)", "Intensive Family Preservation"]
                    ),
                    evidence_based=True,
                    status=PlanService.Status.STARTED,
                    referred_on=(plan.decided_at or plan.submitted_at).date(),
                )
            )
        bulk_create_with_history(services, PlanService, batch_size=5000)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _days_in(month: date) -> int:
    return (_next_month(month) - timedelta(days=1)).day
