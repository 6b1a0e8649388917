"""Builders for the family meeting and court tests. Plain functions: the rows are
written directly, except where a test is about the service that writes them."""

from datetime import date, datetime, timedelta

from agency.calendar import TIMEZONE
from casework.models import Case, CourtHearing, FamilyMeeting, Placement
from tests.casework.test_visit_services import Family, make_family

# A Tuesday morning, Eastern.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TIMEZONE)
TODAY = date(2026, 11, 24)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


def family_case(personas, **case_fields) -> Family:
    """Leo (10) and Mia (7), their mother Ana, father Raul and maternal aunt Rosa, on an
    out-of-home case of the personas' unit, worked by the caseworker."""
    fields = {"case_type": Case.Type.OUT_OF_HOME, "opened_on": date(2026, 1, 2)} | case_fields
    return make_family(personas.unit, personas.caseworker, **fields)


def place(case: Case, child, start: date, **fields) -> Placement:
    return Placement.objects.create(
        **{
            "case": case,
            "child": child,
            "setting": Placement.Setting.FOSTER,
            "caregiver": "The Kelly family",
            "start_date": start,
            "reason": "Unsafe at home; close to school.",
        }
        | fields
    )


def meeting_row(case: Case, kind: str, actor, when: datetime, **fields) -> FamilyMeeting:
    """A meeting written directly: scheduled, or held at `when` with status="held"."""
    if fields.get("status") == FamilyMeeting.Status.HELD:
        fields.setdefault("held_at", when)
        fields.setdefault("decisions", "Agreed the plan.")
    return FamilyMeeting.objects.create(
        case=case, kind=kind, scheduled_for=when, recorded_by=actor, **fields
    )


def hearing_row(case: Case, actor, when: datetime, **fields) -> CourtHearing:
    fields.setdefault("report_due_on", when.astimezone(TIMEZONE).date() - timedelta(days=10))
    return CourtHearing.objects.create(
        **{
            "case": case,
            "kind": CourtHearing.Kind.PERMANENCY,
            "scheduled_for": when,
            "court": "Superior Court for Juvenile Matters, Hartford",
            "recorded_by": actor,
        }
        | fields
    )
