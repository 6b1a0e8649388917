"""Builders for casework tests. Plain functions that write rows directly (tests of the
rules call the services themselves)."""

import itertools
from datetime import date, datetime

from agency import clock
from casework.models import Case, CaseMember, Intake, Person

_n = itertools.count(1)


def make_case(unit, worker, **fields) -> Case:
    n = next(_n)
    return Case.objects.create(
        **{
            "number": f"C-TEST-{n:06d}",
            "name": f"Family {n}",
            "case_type": Case.Type.IN_HOME,
            "unit": unit,
            "primary_worker": worker,
            **fields,
        }
    )


def make_person(**fields) -> Person:
    n = next(_n)
    return Person.objects.create(
        **{"first_name": f"Alex{n}", "last_name": "Rivera", "date_of_birth": date(2015, 5, 1)}
        | fields
    )


def add_member(
    case: Case, role: str = CaseMember.Role.CHILD, person: Person | None = None, **fields
):
    person = person or make_person()
    return CaseMember.objects.create(case=case, person=person, role=role, **fields)


def make_intake(case: Case, created_by, accepted_at: datetime | None = None, **fields) -> Intake:
    n = next(_n)
    return Intake.objects.create(
        **{
            "reference": f"INT-TEST-{n:06d}",
            "accepted_at": accepted_at or clock.now(),
            "reporter_type": Intake.ReporterType.EDUCATION,
            "narrative": "Report from the school nurse.",
            "response_time": Intake.ResponseTime.H72,
            "risk_level": Intake.Risk.LOW,
            "recommended_track": Intake.Track.FAMILY_ASSESSMENT,
            "track": Intake.Track.FAMILY_ASSESSMENT,
            "case": case,
            "created_by": created_by,
        }
        | fields
    )
