"""A small hand-built cohort for the key indicators, with the numbers it must give
written in the tests (tests/quality/test_indicators.py). Rows are written directly;
the clock stands on 5 December 2026, so October and November 2026 are over.

November 2026 (personas.unit, worker personas.caseworker):
- Case A, open since September: Leo (child, seen 1 Nov 00:30, the first minute of the
  month that counts), Mia (child, seen privately 30 Nov 23:00, the last day), Ana
  (mother, seen only on 31 Oct: not in November), Raul (father, whereabouts unknown).
- Case B, opened 10 November (not open all month): Sam, seen. Not counted.
- Case C, closed 15 November: Zoe. Not counted.
In care (federal measure, FY 2027 = Oct 2026 to Sep 2027):
- Leo: foster home since 15 Sep: full months Oct and Nov, seen in both (Oct at the
  foster home, Nov at the office): met; 1 of his 2 visits in the residence.
- Mia: placed 10 Oct: full month Nov only, seen (at home, her foster home): met.
- Kai (case D, personas.other_unit, other_caseworker): in care 1 Aug to 20 Nov: full
  months Aug, Sep (FY 2026: not counted) and Oct; seen 30 Sep (FY 2026) but not in Oct:
  not met.
Initial contacts due in November: Leo on time, Mia late with an approved extension, Sam
late, Zoe not yet seen; one due 31 Oct (not November).
"""

from dataclasses import dataclass
from datetime import date, datetime

from agency.calendar import TIMEZONE
from casework.models import (
    Assessment,
    Case,
    CasePlan,
    CaseMember,
    IffContact,
    IffExtension,
    PermanencyDecision,
    Placement,
    Visit,
    VisitParticipant,
)
from tests.casework.factories import add_member, make_case, make_intake, make_person

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=TIMEZONE)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


@dataclass
class Cohort:
    case_a: Case
    case_b: Case
    case_c: Case
    case_d: Case
    leo: object
    mia: object
    ana: object
    raul: object
    sam: object
    zoe: object
    kai: object


def visit(case, when, people, *, location=Visit.Location.CHILD_RESIDENCE, private=()):
    v = Visit.objects.create(
        case=case,
        planned_for=when,
        location=location,
        discussion_points="Safety plan.",
        status=Visit.Status.COMPLETED,
        occurred_at=when,
        planned_by=case.primary_worker,
        recorded_by=case.primary_worker,
    )
    for person in people:
        VisitParticipant.objects.create(
            visit=v, person=person, seen=True, seen_privately=person in private
        )
    return v


def place(case, child, starts, ends=None):
    return Placement.objects.create(
        case=case,
        child=child,
        setting=Placement.Setting.FOSTER,
        caregiver="Foster family",
        start_date=starts,
        end_date=ends,
        reason="Unsafe at home",
    )


def iff(intake, child, due, seen=None):
    return IffContact.objects.create(intake=intake, child=child, due_at=due, seen_at=seen)


def make_cohort(personas) -> Cohort:
    worker, other = personas.caseworker, personas.other_caseworker
    case_a = make_case(personas.unit, worker, opened_on=date(2026, 9, 1))
    case_b = make_case(personas.unit, worker, opened_on=date(2026, 11, 10))
    case_c = make_case(
        personas.unit,
        worker,
        opened_on=date(2026, 8, 1),
        status=Case.Status.CLOSED,
        closed_on=date(2026, 11, 15),
        closing_reason="Services completed",
    )
    case_d = make_case(personas.other_unit, other, opened_on=date(2026, 7, 1))
    leo = add_member(case_a, person=make_person(first_name="Leo")).person
    mia = add_member(case_a, person=make_person(first_name="Mia")).person
    ana = add_member(case_a, CaseMember.Role.MOTHER, make_person(first_name="Ana")).person
    raul = add_member(
        case_a, CaseMember.Role.FATHER, make_person(first_name="Raul", whereabouts_unknown=True)
    ).person
    sam = add_member(case_b, person=make_person(first_name="Sam")).person
    zoe = add_member(case_c, person=make_person(first_name="Zoe")).person
    kai = add_member(case_d, person=make_person(first_name="Kai")).person

    visit(case_a, local(2026, 10, 31, 23, 30), [ana])
    visit(case_a, local(2026, 10, 20, 10, 0), [leo], location=Visit.Location.FOSTER_HOME)
    visit(case_a, local(2026, 11, 1, 0, 30), [leo], location=Visit.Location.OFFICE)
    visit(
        case_a,
        local(2026, 11, 30, 23, 0),
        [mia],
        location=Visit.Location.FOSTER_HOME,
        private=[mia],
    )
    visit(case_b, local(2026, 11, 20, 9, 0), [sam])
    visit(case_c, local(2026, 11, 3, 9, 0), [zoe])
    visit(case_d, local(2026, 9, 30, 15, 0), [kai], location=Visit.Location.FOSTER_HOME)
    # Not a visit that counts: planned only, and one entered in error.
    Visit.objects.create(
        case=case_a,
        planned_for=local(2026, 11, 12, 9),
        location=Visit.Location.OFFICE,
        discussion_points="Plan.",
        planned_by=worker,
    )
    wrong = visit(case_a, local(2026, 11, 13, 9), [ana])
    wrong.entered_in_error = True
    wrong.save()

    place(case_a, leo, date(2026, 9, 15))
    place(case_a, mia, date(2026, 10, 10))
    place(case_d, kai, date(2026, 8, 1), date(2026, 11, 20))

    intake_a = make_intake(case_a, worker, accepted_at=local(2026, 11, 1, 9))
    intake_b = make_intake(case_b, worker, accepted_at=local(2026, 11, 10, 9))
    intake_c = make_intake(case_c, worker, accepted_at=local(2026, 10, 30, 9))
    iff(intake_a, leo, local(2026, 11, 3, 10), seen=local(2026, 11, 3, 9))
    late = iff(intake_a, mia, local(2026, 11, 5, 10), seen=local(2026, 11, 6, 11))
    IffExtension.objects.create(
        iff=late,
        reason=IffExtension.Reason.CHILD_NOT_AVAILABLE,
        explanation="In hospital.",
        requested_by=worker,
        status=IffExtension.Status.APPROVED,
        decided_by=personas.supervisor,
        decided_at=local(2026, 11, 5, 8),
    )
    iff(intake_b, sam, local(2026, 11, 12, 10), seen=local(2026, 11, 14, 10))
    iff(intake_c, zoe, local(2026, 11, 14, 10))
    iff(intake_c, make_person(first_name="Eve"), local(2026, 10, 31, 10))
    return Cohort(case_a, case_b, case_c, case_d, leo, mia, ana, raul, sam, zoe, kai)


@dataclass
class DueCohort:
    """Things due on cases (clock on 5 December 2026), all in personas.unit:

    Case E, an investigation opened 1 Oct 2026 (intake accepted that day):
    - safety assessment due 3 Oct, approved 2 Oct: on time (October);
    - risk assessment due 31 Oct, approved 2 Nov: late (October);
    - family-centered assessment due 30 Nov, never started: not done (November);
    - first case plan due 30 Nov, approved 29 Nov: on time (November);
    - kin home studies: Ivy's placement began 20 Oct (due 19 Nov), referred 10 Nov: on
      time; Jay's began 5 Oct (due 4 Nov), never referred: not done; Kim's began 1 Oct
      and ended 15 Oct unreferred: not counted.
    Case F, in-home, opened 1 Jun 2026: plan v1 approved 15 Jun with its review due 15
    Nov, v2 approved 20 Nov: review late (November). Lou in care since 1 Aug 2025 meets
    15 of 22 months at the end of October 2026; a petition filed 5 Nov.
    """

    case_e: Case
    case_f: Case


def assessment(case, kind, due_on, approved_at=None):
    return Assessment.objects.create(
        case=case,
        kind=kind,
        due_on=due_on,
        status=Assessment.Status.APPROVED if approved_at else Assessment.Status.DRAFT,
        decided_at=approved_at,
        author=case.primary_worker,
    )


def plan(case, version, approved_at, review_due_on, status=CasePlan.Status.APPROVED):
    return CasePlan.objects.create(
        case=case,
        version=version,
        status=status,
        family_participants="Both parents.",
        author=case.primary_worker,
        decided_at=approved_at,
        review_due_on=review_due_on,
    )


def make_due_cohort(personas) -> DueCohort:
    worker = personas.caseworker
    case_e = make_case(
        personas.unit, worker, opened_on=date(2026, 10, 1), case_type=Case.Type.INVESTIGATION
    )
    make_intake(case_e, worker, accepted_at=local(2026, 10, 1, 9))
    assessment(case_e, Assessment.Kind.SAFETY, date(2026, 10, 3), local(2026, 10, 2, 15))
    assessment(case_e, Assessment.Kind.RISK, date(2026, 10, 31), local(2026, 11, 2, 15))
    plan(case_e, 1, local(2026, 11, 29, 10), date(2027, 5, 29))
    for name, starts, ends, referred in (
        ("Ivy", date(2026, 10, 20), None, date(2026, 11, 10)),
        ("Jay", date(2026, 10, 5), None, None),
        ("Kim", date(2026, 10, 1), date(2026, 10, 15), None),
    ):
        child = add_member(case_e, person=make_person(first_name=name)).person
        placement = place(case_e, child, starts, ends)
        placement.setting = Placement.Setting.KIN_UNLICENSED
        placement.home_study_referred_on = referred
        placement.save()

    case_f = make_case(personas.unit, worker, opened_on=date(2026, 6, 1))
    plan(case_f, 1, local(2026, 6, 15, 10), date(2026, 11, 15), CasePlan.Status.SUPERSEDED)
    plan(case_f, 2, local(2026, 11, 20, 10), date(2027, 5, 20))
    lou = add_member(case_f, person=make_person(first_name="Lou")).person
    place(case_f, lou, date(2025, 8, 1))
    PermanencyDecision.objects.create(
        case=case_f,
        child=lou,
        kind=PermanencyDecision.Kind.PETITION_FILED,
        decided_on=date(2026, 11, 5),
        note="Petition filed in juvenile court.",
        recorded_by=worker,
    )
    return DueCohort(case_e, case_f)
