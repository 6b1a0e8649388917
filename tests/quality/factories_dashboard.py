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
    Allegation,
    Assessment,
    Case,
    CaseMember,
    CasePlan,
    IffContact,
    IffExtension,
    Intake,
    PermanencyDecision,
    Person,
    Placement,
    Race,
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


# --- Permanency within 12 months --------------------------------------------------------------


@dataclass
class PermanencyCohort:
    """Children entering care (clock on 5 December 2026); personas.unit unless said:

    - Cal entered 30 Sep 2025 (the last day of FY 2025), reunified 1 Mar 2026: FY 2025.
    - Ada entered 15 Oct 2025 (mid-month), reunified 1 Jun 2026: permanency.
    - Dee entered 1 Oct 2025 (the first day of FY 2026), moved to kin 1 Feb 2026 (a change
      of placement: the foster home ends 31 Jan, kin starts 1 Feb, one episode), left
      to guardianship 1 Sep 2026: permanency.
    - Ben entered 20 Nov 2025, adopted 25 Nov 2026: after his 12 months (20 Nov 2026).
    - Gus (personas.other_unit) entered 1 Nov 2025, still in care: 12 months over.
    - Eli entered 10 Dec 2025, ran away 1 Apr 2026 (left care, not to permanency);
      re-entered 1 Jul 2026, still in care: a second entry, 12 months not over.
    - Fay entered 1 Jan 2026, still in care: 12 months not over (1 Jan 2027).
    - Hal: a placement entered in error (1 Feb 2026) and a trial home visit (1 Mar
      2026): never entered care.
    FY 2026: 2 of 5 (Ada, Dee of Ada, Dee, Ben, Gus, Eli); Fay and Eli's re-entry apart.
    """

    case_p: Case
    case_q: Case
    children: dict


def _placed(case, child, starts, ends=None, exit_reason="", setting=Placement.Setting.FOSTER):
    return Placement.objects.create(
        case=case,
        child=child,
        setting=setting,
        caregiver="Foster family",
        start_date=starts,
        end_date=ends,
        exit_reason=exit_reason,
        reason="Unsafe at home",
    )


def make_permanency_cohort(personas) -> PermanencyCohort:
    worker, other = personas.caseworker, personas.other_caseworker
    case_p = make_case(personas.unit, worker, opened_on=date(2025, 9, 1))
    case_q = make_case(personas.other_unit, other, opened_on=date(2025, 9, 1))
    kids = {}
    for name in ("Cal", "Ada", "Dee", "Ben", "Eli", "Fay", "Hal"):
        kids[name] = add_member(case_p, person=make_person(first_name=name)).person
    kids["Gus"] = add_member(case_q, person=make_person(first_name="Gus")).person
    reason = Placement.ExitReason
    _placed(case_p, kids["Cal"], date(2025, 9, 30), date(2026, 3, 1), reason.REUNIFICATION)
    _placed(case_p, kids["Ada"], date(2025, 10, 15), date(2026, 6, 1), reason.REUNIFICATION)
    _placed(case_p, kids["Dee"], date(2025, 10, 1), date(2026, 1, 31))
    _placed(
        case_p,
        kids["Dee"],
        date(2026, 2, 1),
        date(2026, 9, 1),
        reason.GUARDIANSHIP,
        setting=Placement.Setting.KIN_LICENSED,
    )
    _placed(case_p, kids["Ben"], date(2025, 11, 20), date(2026, 11, 25), reason.ADOPTION)
    _placed(case_q, kids["Gus"], date(2025, 11, 1))
    _placed(case_p, kids["Eli"], date(2025, 12, 10), date(2026, 4, 1), reason.RUNAWAY)
    _placed(case_p, kids["Eli"], date(2026, 7, 1))
    _placed(case_p, kids["Fay"], date(2026, 1, 1))
    wrong = _placed(case_p, kids["Hal"], date(2026, 2, 1))
    wrong.entered_in_error = True
    wrong.save()
    _placed(
        case_p,
        kids["Hal"],
        date(2026, 3, 1),
        date(2026, 6, 1),
        reason.REUNIFICATION,
        setting=Placement.Setting.TRIAL_HOME_VISIT,
    )
    return PermanencyCohort(case_p, case_q, kids)


# --- Disproportionality ---------------------------------------------------------------------


@dataclass
class EquityCohort:
    """Alleged victims of intakes accepted in November 2026 (clock on 5 December 2026),
    with their race and ethnicity and what happened:

    personas.unit, case R: intake A (1 Nov) about Pia and Bo; intake D (20 Nov) about
    Bo again; intake B (a Family Assessment, 10 Nov) about Tia, Wes and Una.
    personas.other_unit, case S: intake C (15 Nov) about Vic, Kim and Hugo.

    - Pia: Hispanic, race White -> Hispanic. Substantiated.
    - Bo: not Hispanic, Black -> Black. One allegation substantiated, one not; entered
      care 10 Nov.
    - Tia: not Hispanic, Black and White -> two or more races.
    - Wes: ethnicity unknown, White -> White.
    - Una: declined ethnicity, no race -> unknown.
    - Vic: not Hispanic, White and "declined" -> White.
    - Kim: not Hispanic, Black -> Black. Substantiated; entered care 20 Nov.
    - Hugo: Hispanic, no race -> Hispanic.
    Referral: Hispanic 2, Black 2, two or more 1, White 2, unknown 1 (8 children).
    Substantiation: Hispanic 1, Black 2. Entry: Black 2.
    """

    case_r: Case
    case_s: Case
    people: dict


def _person(first_name, ethnicity, races):
    person = make_person(first_name=first_name, ethnicity=ethnicity)
    person.races.set(Race.objects.filter(code__in=races))
    return person


def _allegation(intake, child, finding="pending", finding_on=None, kind="physical_neglect"):
    return Allegation.objects.create(
        intake=intake, child=child, kind=kind, finding=finding, finding_on=finding_on
    )


def make_equity_cohort(personas) -> EquityCohort:
    hispanic, not_hispanic = Person.Ethnicity.HISPANIC, Person.Ethnicity.NOT_HISPANIC
    people = {
        "Pia": _person("Pia", hispanic, ["white"]),
        "Bo": _person("Bo", not_hispanic, ["black"]),
        "Tia": _person("Tia", not_hispanic, ["black", "white"]),
        "Wes": _person("Wes", Person.Ethnicity.UNKNOWN, ["white"]),
        "Una": _person("Una", Person.Ethnicity.DECLINED, []),
        "Vic": _person("Vic", not_hispanic, ["white", "declined"]),
        "Kim": _person("Kim", not_hispanic, ["black"]),
        "Hugo": _person("Hugo", hispanic, []),
    }
    worker, other = personas.caseworker, personas.other_caseworker
    case_r = make_case(personas.unit, worker, opened_on=date(2026, 11, 1))
    case_s = make_case(personas.other_unit, other, opened_on=date(2026, 11, 15))
    for name in ("Pia", "Bo", "Tia", "Wes", "Una"):
        add_member(case_r, person=people[name])
    for name in ("Vic", "Kim", "Hugo"):
        add_member(case_s, person=people[name])
    track = {"track": Intake.Track.INVESTIGATION, "recommended_track": Intake.Track.INVESTIGATION}
    intake_a = make_intake(case_r, worker, accepted_at=local(2026, 11, 1, 0, 15), **track)
    intake_b = make_intake(case_r, worker, accepted_at=local(2026, 11, 10, 9))
    intake_c = make_intake(case_s, other, accepted_at=local(2026, 11, 15, 9), **track)
    intake_d = make_intake(case_r, worker, accepted_at=local(2026, 11, 20, 9), **track)
    # Accepted 31 October 23:50 Eastern: October, not November.
    intake_e = make_intake(case_r, worker, accepted_at=local(2026, 10, 31, 23, 50), **track)
    _allegation(intake_a, people["Pia"], "substantiated", date(2026, 11, 20))
    _allegation(intake_a, people["Bo"], "unsubstantiated", date(2026, 11, 20))
    _allegation(intake_a, people["Bo"], "substantiated", date(2026, 11, 21), kind="physical_abuse")
    _allegation(intake_d, people["Bo"], "unsubstantiated", date(2026, 11, 25))
    for name in ("Tia", "Wes", "Una"):
        _allegation(intake_b, people[name])
    _allegation(intake_c, people["Vic"], "unsubstantiated", date(2026, 11, 30))
    _allegation(intake_c, people["Kim"], "substantiated", date(2026, 11, 30))
    _allegation(intake_c, people["Hugo"])
    _allegation(intake_e, people["Tia"], "substantiated", date(2026, 11, 2))
    _placed(case_r, people["Bo"], date(2026, 11, 10))
    _placed(case_s, people["Kim"], date(2026, 11, 20))
    return EquityCohort(case_r, case_s, people)
