"""Reads for family team meetings: the gatekeeper, one meeting's page, who may be
invited, the case page's part, a case's meetings, the meetings page across a caseload,
and what is due across a page of the caseload.

When each meeting is due is decided by the pure functions in casework/meetings.py;
these read the rows they need in a fixed number of queries whatever the number of
cases, placements or meetings.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When

from agency.permissions import access_object
from casework import meetings as rules_
from casework.models import Case, CaseMember, FamilyMeeting, MeetingParticipant, Placement
from casework.selectors import rules, visible_cases

Kind = FamilyMeeting.Kind
Status = FamilyMeeting.Status
Relation = MeetingParticipant.Relation

# A role on the case and the relation it gives an invited person.
RELATION_OF_ROLE = {
    CaseMember.Role.MOTHER: Relation.MOTHER,
    CaseMember.Role.FATHER: Relation.FATHER,
    CaseMember.Role.MATERNAL_RELATIVE: Relation.MATERNAL_FAMILY,
    CaseMember.Role.PATERNAL_RELATIVE: Relation.PATERNAL_FAMILY,
    CaseMember.Role.CHILD: Relation.CHILD,
    CaseMember.Role.CAREGIVER: Relation.CAREGIVER,
    CaseMember.Role.FOSTER_PARENT: Relation.CAREGIVER,
    CaseMember.Role.NATURAL_SUPPORT: Relation.NATURAL_SUPPORT,
    CaseMember.Role.HOUSEHOLD_MEMBER: Relation.OTHER,
}
# Children this old are ticked to start on the invitation form; younger ones are invited
# when developmentally appropriate (the worker decides).
CHILD_INVITE_AGE = 12
PAST_ON_CASE_PAGE = 5
# The meetings page lists the meetings scheduled this many days ahead.
UPCOMING_DAYS = 30


# --- the gatekeeper --------------------------------------------------------------------------


def visible_meetings(user: Any) -> QuerySet[FamilyMeeting]:
    """Meetings on the cases the user may see (the gatekeeper for meetings)."""
    return FamilyMeeting.objects.filter(case__in=visible_cases(user).values("pk"))


def meeting_for_page(user: Any, pk: Any) -> FamilyMeeting:
    """One meeting the user may see, with what its page shows; 404 otherwise."""
    return access_object(
        visible_meetings(user).select_related(
            "case__unit", "child", "placement", "facilitator", "recorded_by"
        ),
        pk,
    )


def meeting_participants(meeting: FamilyMeeting) -> list[MeetingParticipant]:
    """The people invited, in the order of their relation. One query."""
    order = {value: n for n, value in enumerate(Relation.values)}
    rows = list(MeetingParticipant.objects.filter(meeting=meeting).select_related("person"))
    rows.sort(key=lambda p: (order.get(p.relation, 99), p.name, p.pk))
    return rows


# --- who may be invited ----------------------------------------------------------------------


@dataclass(frozen=True)
class Invitable:
    """A person on the case, the relation they would be invited as, and why they might
    need a note (a child's age, a parent whose whereabouts are unknown)."""

    member: CaseMember
    relation: str
    note: str
    ticked: bool

    @property
    def person(self):
        return self.member.person

    @property
    def relation_label(self) -> str:
        return Relation(self.relation).label


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def invitable_members(case: Case, *, today: date, exclude: Iterable[int] = ()) -> list[Invitable]:
    """The active people on the case not yet invited (`exclude`: person ids), each with
    the relation they are invited as. Parents, relatives, caregivers and natural
    supports are ticked to start, and children aged 12 or more. One query."""
    skip = set(exclude)
    members = (
        CaseMember.objects.filter(case=case, active=True)
        .exclude(person_id__in=skip)
        .select_related("person")
    )
    order = {value: n for n, value in enumerate(Relation.values)}
    result = []
    for member in members:
        relation = RELATION_OF_ROLE.get(member.role, Relation.OTHER)
        person = member.person
        notes = []
        ticked = relation != Relation.OTHER
        if member.role == CaseMember.Role.CHILD:
            age = _age(person.date_of_birth, today)
            notes.append(f"age {age}" if age is not None else "age unknown")
            ticked = age is not None and age >= CHILD_INVITE_AGE
        if person.whereabouts_unknown:
            notes.append("whereabouts unknown: keep up the diligent search")
        if person.incarcerated:
            notes.append(f"incarcerated{': ' + person.facility if person.facility else ''}")
        if member.role in CaseMember.PARENT_ROLES and not member.custodial:
            notes.append("non-custodial parent")
        if person.interpreter_needed:
            notes.append(f"needs an interpreter ({person.preferred_language})")
        result.append(Invitable(member, relation, "; ".join(notes), ticked))
    result.sort(key=lambda i: (order.get(i.relation, 99), i.person.last_name, i.person.first_name))
    return result


def family_side_hints(relations: Iterable[str]) -> list[str]:
    """What is missing from a meeting's invitations: both the mother's and the father's
    side of the family are engaged (the practice model), in words."""
    present = set(relations)
    hints = []
    if not present & {Relation.MOTHER, Relation.MATERNAL_FAMILY}:
        hints.append(
            "No one from the mother's side is invited: invite the mother or maternal family."
        )
    if not present & {Relation.FATHER, Relation.PATERNAL_FAMILY}:
        hints.append(
            "No one from the father's side is invited: invite the father or paternal family "
            "(identify and locate a father who is not on the case)."
        )
    return hints


# --- what the rules ask for ------------------------------------------------------------------


def _dues_for_cases(cases: list[Case], *, today: date, settings=None) -> dict[int, Any]:
    """For each of `cases`, its rules_.CaseDues and the ids of its open placements. Two
    queries (placements, meetings) whatever the number of cases; `settings` (the
    casework rules) is read when not given."""
    if not cases:
        return {}
    settings = settings or rules()
    ids = [case.pk for case in cases]
    placements: dict[int, list[Placement]] = defaultdict(list)
    names: dict[int, str] = {}
    for p in (
        Placement.objects.filter(case_id__in=ids)
        .select_related("child")
        .only(
            "pk", "case_id", "child_id", "start_date", "end_date", "setting", "emergency",
            "entered_in_error", "child__first_name",
        )
        .order_by("start_date", "pk")
    ):  # fmt: skip
        placements[p.case_id].append(p)
        names[p.child_id] = p.child.first_name
    meetings: dict[int, list[FamilyMeeting]] = defaultdict(list)
    for m in (
        FamilyMeeting.objects.filter(case_id__in=ids)
        .filter(
            Q(status=Status.SCHEDULED)
            | Q(status=Status.HELD, kind__in=[Kind.FTDM, Kind.SHARED_PLANNING, Kind.CASE_PLANNING])
        )
        .only(
            "pk", "case_id", "kind", "status", "child_id", "placement_id", "scheduled_for",
            "held_at",
        )
    ):  # fmt: skip
        meetings[m.case_id].append(m)
    numbers = rules_.Rules.of(settings)
    result = {}
    for case in cases:
        own = placements.get(case.pk, [])
        dues = rules_.case_meeting_dues(
            case_type=case.case_type,
            case_open=case.status == Case.Status.OPEN,
            opened_on=case.opened_on,
            placements=own,
            meetings=meetings.get(case.pk, []),
            names=names,
            today=today,
            rules=numbers,
        )
        open_ids = {p.pk for p in own if p.end_date is None or p.end_date >= today}
        result[case.pk] = (dues, open_ids)
    return result


def meeting_dues(cases: Iterable[Case], *, today: date, settings=None) -> dict[int, Any]:
    """For each open case among `cases` (read once): (CaseDues, ids of placements still
    open). For the reminders and the meetings page. Two or three queries."""
    open_cases = [case for case in cases if case.status == Case.Status.OPEN]
    return _dues_for_cases(open_cases, today=today, settings=settings)


def meetings_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each open case among `cases` (a page of the caseload), the family meetings due
    within the reminder days (7 by default) or overdue, and those not recorded, in
    words: "FTDM for Ana's emergency placement overdue (due 12 Nov)", "Shared planning
    meeting for Ana due 30 Nov", "Case-planning meeting due 2 Dec", "Family conference
    of 12 Nov not recorded". Cases with nothing are absent. Three queries."""
    result = {}
    for case_id, (dues, open_ids) in meeting_dues(cases, today=today).items():
        lines = rules_.caseload_lines(dues, open_placements=open_ids)
        if lines:
            result[case_id] = lines
    return result


# --- the case page ---------------------------------------------------------------------------


def _with_counts(meetings: QuerySet[FamilyMeeting]) -> QuerySet[FamilyMeeting]:
    return meetings.select_related("child", "placement", "facilitator").annotate(
        invited=Count("participants"),
        attended_count=Count("participants", filter=Q(participants__attended=True)),
    )


def rules_in_words(settings) -> list[str]:
    """The due rules of family meetings, with the agency's numbers."""
    return [
        "Family Team Decision Making (FTDM): before every placement, or within "
        f"{settings.ftdm_emergency_hours} hours after an emergency placement, counted from "
        "the end of the day the child was placed.",
        "Shared planning meeting: for each child in care, the first after "
        f"{settings.shared_planning_first_days} days in care, then every "
        f"{settings.shared_planning_interval_months} months.",
        "Case-planning meeting with the family (in-home and family assessment cases): "
        f"within {settings.case_planning_meeting_days} days of the case opening, then every "
        f"{settings.plan_review_months} months.",
        "Child and family team meetings and family conferences: as needed.",
    ]


def case_meetings_context(case: Case, *, user: Any, today: date) -> dict:
    """What the case page shows about family meetings, under keys prefixed "meetings_":
    `meetings_dues` (every rule's meeting with its state and rule in words, in due
    order), `meetings_upcoming` (scheduled, today or later), `meetings_not_recorded`
    (scheduled, day passed), `meetings_past` (the latest held or cancelled),
    `meetings_more` (whether there are older ones), `meetings_rules` (the rules in
    words) and `meetings_reminder_days`. Four queries whatever the size of the case."""
    settings = rules()
    meetings = list(_with_counts(FamilyMeeting.objects.filter(case=case)).order_by("scheduled_for"))
    dues, _open_ids = _dues_for_cases([case], today=today, settings=settings)[case.pk]
    scheduled = [m for m in meetings if m.status == Status.SCHEDULED]
    not_recorded_ids = {m.pk for m in dues.not_recorded}
    past = sorted(
        (m for m in meetings if m.status != Status.SCHEDULED),
        key=lambda m: m.held_at or m.scheduled_for,
        reverse=True,
    )
    return {
        "meetings_dues": dues.dues,
        "meetings_upcoming": [m for m in scheduled if m.pk not in not_recorded_ids],
        "meetings_not_recorded": [m for m in scheduled if m.pk in not_recorded_ids],
        "meetings_past": past[:PAST_ON_CASE_PAGE],
        "meetings_more": len(past) > PAST_ON_CASE_PAGE,
        "meetings_rules": rules_in_words(settings),
        "meetings_reminder_days": settings.meeting_reminder_days,
    }


def placement_ftdm(placement: Placement, *, today: date, settings=None) -> dict:
    """What a placement's page shows about its FTDM, under keys prefixed "ftdm_":
    `ftdm_due` (the rule's state: held on time or late, due, overdue, missed; None for
    a placement the rule does not count, such as a trial home visit), `ftdm_linked`
    (the FTDMs linked to it) and `ftdm_unlinked` (the child's FTDMs on the case,
    scheduled or held, linked to no placement: the ones to link). One query, and one
    more for the casework rules when `settings` is not given."""
    ftdms = list(
        FamilyMeeting.objects.filter(case_id=placement.case_id, kind=Kind.FTDM)
        .filter(Q(placement=placement) | Q(placement__isnull=True))
        .filter(Q(child_id=placement.child_id) | Q(child__isnull=True))
        .exclude(status=Status.CANCELLED)
        .order_by("-scheduled_for", "-pk")
    )
    linked = [m for m in ftdms if m.placement_id == placement.pk]
    dues = rules_.ftdm_dues(
        [placement],
        linked,
        names={placement.child_id: placement.child.first_name},
        today=today,
        rules=rules_.Rules.of(settings or rules()),
    )
    return {
        "ftdm_due": dues[0] if dues else None,
        "ftdm_linked": linked,
        "ftdm_unlinked": [m for m in ftdms if m.placement_id is None],
    }


def case_meetings(case: Case) -> QuerySet[FamilyMeeting]:
    """Every meeting of a case, scheduled ones first (soonest first), then the others,
    latest first, with what the list shows (a fixed number of queries a page)."""
    return (
        _with_counts(FamilyMeeting.objects.filter(case=case))
        .annotate(
            scheduled_first=CaseWhen(
                When(status=Status.SCHEDULED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("scheduled_first", "-scheduled_for", "-pk")
    )


# --- the meetings page across a caseload -----------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    case: Case
    due: rules_.MeetingDue


@dataclass(frozen=True)
class NotRecordedRow:
    case: Case
    meeting: Any


def scope_cases(user: Any, scope: str) -> QuerySet[Case]:
    """Open cases of the meetings and court pages: "mine" (primary or secondary worker)
    or "unit" (every visible case: a supervisor's units, an administrator's office)."""
    if scope == "mine":
        cases = Case.objects.filter(Q(primary_worker=user) | Q(secondary_worker=user))
    else:
        cases = visible_cases(user)
    return cases.filter(status=Case.Status.OPEN).select_related("primary_worker")


def meetings_overview(user: Any, *, scope: str, today: date) -> dict[str, Any]:
    """The meetings page: every meeting due soon or overdue on the open cases in scope
    (FTDMs of open placements only), soonest first; the meetings scheduled in the next
    30 days; and those not recorded. Five queries whatever the number of cases."""
    cases = list(scope_cases(user, scope).order_by("pk"))
    by_id = {case.pk: case for case in cases}
    due_rows: list[DueRow] = []
    late: list[NotRecordedRow] = []
    for case_id, (dues, open_ids) in meeting_dues(cases, today=today).items():
        for due in dues.actionable():
            if due.kind != rules_.FTDM or due.placement_id in open_ids:
                due_rows.append(DueRow(by_id[case_id], due))
    due_rows.sort(key=lambda r: (r.due.due_on, r.case.number))
    horizon = rules_.end_of_day(today + timedelta(days=UPCOMING_DAYS))
    scheduled = list(
        _with_counts(
            FamilyMeeting.objects.filter(
                case_id__in=list(by_id), status=Status.SCHEDULED, scheduled_for__lt=horizon
            )
        ).order_by("scheduled_for", "pk")
    )
    upcoming = []
    for meeting in scheduled:
        meeting.case = by_id[meeting.case_id]
        if rules_.local_day(meeting.scheduled_for) < today:
            late.append(NotRecordedRow(meeting.case, meeting))
        else:
            upcoming.append(meeting)
    return {"due_rows": due_rows, "upcoming": upcoming, "not_recorded": late}
