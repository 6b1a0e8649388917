"""Demo COOP plans for `manage.py seed`.

Every active work location but two gets a plan: its senior administrator is the
location's area administrator when it has one, else the first member of staff there,
else the area administrator of the region's first area office. Each plan has key staff
with alternates, the five standard emergency procedures (and sometimes another), whom
to notify and when, a small PDF plan document, and its duties for the last four quarters
in a realistic mix: mostly done and accepted, some done late, a few still overdue, one
submission returned by OPM, one awaiting OPM. Hartford's current quarter has its
revision recorded but not its communication to staff (the demo journey records it).
Bulk inserts with history rows, no notifications.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.models import StaffProfile, WorkLocation
from agency.roles import Role
from coop.models import (
    CoopPlan,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    PlanDocument,
    QuarterlyDuties,
)
from coop.quarters import Quarter

User = get_user_model()

WITHOUT_PLAN = 2
HARTFORD = "Hartford Area Office"
RETURNED_AT = "New Haven Area Office"  # last quarter's submission, returned by OPM
AWAITING_AT = "Manchester Area Office"  # this quarter's, submitted early, awaiting OPM
NEW_PLAN_AT_KIND = WorkLocation.Kind.FACILITY  # one facility's plan dates from last quarter

FIRST = "Alana Bruno Carla Devon Elena Farid Gloria Hana Ivan Joyce Kofi Lucia Marcus".split()
LAST = "Acosta Bennett Coleman Diaz Ellis Foster Grant Hayes Ingram Jordan Keller".split()

PROCEDURES = {
    EmergencyProcedure.Kind.MEDICAL: (
        "1. Call 911 and give the address and floor.\n"
        "2. Send someone to meet the ambulance at the main entrance.\n"
        "3. A trained first-aider stays with the person; use the AED by reception if needed.\n"
        "4. Tell the senior administrator, then record it as an incident the same day."
    ),
    EmergencyProcedure.Kind.FIRE: (
        "1. Pull the nearest fire alarm and call 911.\n"
        "2. Leave by the nearest stairway, never the elevator; close doors behind you.\n"
        "3. Floor wardens sweep restrooms and meeting rooms and help visitors out.\n"
        "4. Go to the assembly point; wardens report who is missing to the fire department.\n"
        "5. Do not go back in until the fire department says it is safe."
    ),
    EmergencyProcedure.Kind.HAZARDOUS_MATERIALS: (
        "1. Move away from the release, upwind if outdoors.\n"
        "2. Call 911, then Facilities Management.\n"
        "3. If told to shelter in place: close windows and doors, stop the ventilation "
        "(switch by the mail room) and stay in an inside room.\n"
        "4. Do not touch or clean up the substance."
    ),
    EmergencyProcedure.Kind.BOMB_THREAT: (
        "1. By phone: keep the caller talking, note every word, background sounds, the "
        "time; use the checklist in the COOP binder.\n"
        "2. Do not use radios or cell phones near a suspicious object.\n"
        "3. Call 911 and the senior administrator; they decide on evacuation with police.\n"
        "4. If evacuating, take personal belongings and go to the assembly point."
    ),
    EmergencyProcedure.Kind.WEATHER: (
        "1. The senior administrator follows the state's closing and delayed-opening "
        "announcements and tells staff by text and email.\n"
        "2. Tornado warning: go to the interior hallway on the lowest floor, away from "
        "windows.\n"
        "3. Staff with home visits that day call their supervisor before leaving.\n"
        "4. Families are told of cancelled visits and new times."
    ),
}
OTHER_PROCEDURES = [
    (
        "Power outage",
        "1. Stay where you are until the emergency lights come on.\n"
        "2. Save nothing on paper that holds case information; lock cabinets.\n"
        "3. The senior administrator decides with Facilities whether to close the office.",
    ),
    (
        "Threat of violence in the office",
        "1. Get away from the person if you can; lock your door if you cannot.\n"
        "2. Call 911, then press the panic button at reception.\n"
        "3. Do not confront the person; follow the police's instructions.",
    ),
    (
        "Flooding or water leak",
        "1. Move files and equipment off the floor; unplug nothing that is wet.\n"
        "2. Call Facilities Management at once.\n"
        "3. The senior administrator decides whether staff work from another office.",
    ),
]
HARD_COPY = [
    "Reception desk, red COOP binder",
    "Security desk, ground floor, red binder",
    "Senior administrator's office, binder on the top shelf",
    "Copy room, wall rack labelled COOP",
]
ASSEMBLY = [
    "Parking lot across the street, far corner by the light post",
    "North end of the staff parking lot",
    "Front lawn of the public library next door",
    "Sidewalk in front of the church across the street",
]
RETURN_COMMENTS = (
    "The key staff list still names an alternate who left the agency in August, and the "
    "evacuation route does not reflect the new stairwell. Update both and submit again."
)


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with a title and a few lines of text."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode()
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = [f"BT /F1 18 Tf 72 740 Td ({escape(title)}) Tj ET"]
    for n, line in enumerate(lines):
        ops.append(f"BT /F1 11 Tf 72 {706 - 18 * n} Td ({escape(line)}) Tj ET")
    stream = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _phone(rng: random.Random) -> str:
    return f"860-555-{rng.randint(1000, 9999)}"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _without_plan(locations, staff_at) -> set[int]:
    """The locations left without a plan: those where nobody works first, then
    facilities; never Hartford (the demo's own) nor Central Office."""
    candidates = [
        loc
        for loc in locations
        if loc.name != HARTFORD and loc.kind != WorkLocation.Kind.CENTRAL_OFFICE
    ]
    candidates.sort(
        key=lambda loc: (
            bool(staff_at.get(loc.pk)),
            loc.kind != WorkLocation.Kind.FACILITY,
            loc.name,
        ),
        reverse=False,
    )
    return {loc.pk for loc in candidates[:WITHOUT_PLAN]}


def _administrator(location, staff_at, offices_by_region, opm):
    profiles = staff_at.get(location.pk, [])
    admin = next((p.user for p in profiles if p.role == Role.AREA_ADMINISTRATOR), None)
    if admin is None and profiles:
        admin = profiles[0].user
    if admin is None and location.region_id:
        for office in offices_by_region.get(location.region_id, []):
            admin = next(
                (p.user for p in staff_at.get(office.pk, []) if p.role == Role.AREA_ADMINISTRATOR),
                None,
            )
            if admin:
                break
    return admin or opm


def seed_coop(rng: random.Random) -> dict:
    today = clock.today()
    current = Quarter.of(today)
    quarters = current.back(4)  # newest first
    locations = list(WorkLocation.objects.filter(active=True).order_by("name"))
    if not locations:
        return {}
    staff_at: dict[int, list] = {}
    for profile in StaffProfile.objects.select_related("user").order_by("pk"):
        staff_at.setdefault(profile.work_location_id, []).append(profile)
    offices_by_region: dict[int, list] = {}
    for loc in locations:
        if loc.kind == WorkLocation.Kind.AREA_OFFICE:
            offices_by_region.setdefault(loc.region_id, []).append(loc)
    opm_users = [
        p.user for ps in staff_at.values() for p in ps if p.role == Role.PERFORMANCE_MANAGEMENT
    ]
    opm = next((u for u in opm_users if u.username == "opm"), opm_users[0] if opm_users else None)
    if opm is None:
        return {}

    skipped = _without_plan(locations, staff_at)
    with_plan = [loc for loc in locations if loc.pk not in skipped]
    new_plan_at = next(
        (loc.pk for loc in with_plan if loc.kind == NEW_PLAN_AT_KIND),
        None,
    )

    # --- plans -------------------------------------------------------------------------------
    plans = []
    for loc in with_plan:
        admin = _administrator(loc, staff_at, offices_by_region, opm)
        if loc.pk == new_plan_at:
            created = _day_in(rng, quarters[1].starts_on, quarters[1].starts_on + timedelta(20))
        else:
            created = quarters[-1].starts_on - timedelta(days=rng.randint(120, 700))
        plan = CoopPlan(
            work_location=loc,
            senior_administrator=admin,
            hard_copy_location=rng.choice(HARD_COPY),
            assembly_point=rng.choice(ASSEMBLY),
            created_at=_aware(created),
            updated_at=_aware(created),
        )
        plans.append(plan)
    plans = bulk_create_with_history(plans, CoopPlan, default_user=None)
    plans = list(
        CoopPlan.objects.select_related("work_location__region", "senior_administrator").filter(
            work_location__in=[loc.pk for loc in with_plan]
        )
    )

    # --- content -----------------------------------------------------------------------------
    key_staff, procedures, criteria = [], [], []
    for plan in plans:
        loc, admin = plan.work_location, plan.senior_administrator
        others = [p for p in staff_at.get(loc.pk, []) if p.user_id != admin.pk]
        supervisors = [p for p in others if p.role == Role.SUPERVISOR] or others

        def person(profile, duty, alternate, title, plan=plan):
            return _key_person(rng, plan, profile, duty, alternate, title)

        admin_profile = next((p for p in staff_at.get(loc.pk, []) if p.user_id == admin.pk), None)
        if admin_profile is not None:
            lead = person(admin_profile, KeyStaff.Duty.MANAGE_RESPONSE, False, "Area Director")
        else:
            lead = KeyStaff(plan=plan, duty=KeyStaff.Duty.MANAGE_RESPONSE, user=admin,
                            name=_name(admin), title="Senior administrator",
                            phone=_phone(rng), email=admin.email)  # fmt: skip
        picks = rng.sample(supervisors, min(3, len(supervisors)))
        picks += [None] * (3 - len(picks))
        key_staff += [
            lead,
            person(picks[0], KeyStaff.Duty.MANAGE_RESPONSE, True, "Program Manager"),
            person(picks[1], KeyStaff.Duty.REPRESENT, False, "Program Supervisor"),
            person(picks[2], KeyStaff.Duty.REPRESENT, True, "Office Manager"),
        ]
        for position, kind in enumerate(EmergencyProcedure.STANDARD):
            procedures.append(
                EmergencyProcedure(
                    plan=plan, kind=kind, procedure=PROCEDURES[kind], position=position
                )
            )
        if rng.random() < 0.4:
            title, text = rng.choice(OTHER_PROCEDURES)
            procedures.append(
                EmergencyProcedure(
                    plan=plan,
                    kind=EmergencyProcedure.Kind.OTHER,
                    title=title,
                    procedure=text,
                    position=len(EmergencyProcedure.STANDARD),
                )
            )
        region = loc.region.name.split(":")[0] if loc.region else "Central Office"
        criteria += [
            NotificationCriterion(
                plan=plan,
                audience=NotificationCriterion.Audience.AGENCY_OFFICIAL,
                who=f"Regional Administrator, {region}",
                contact=_phone(rng),
                conditions="Any evacuation, closure, injury to staff or clients, or threat: "
                "within one hour.",
            ),
            NotificationCriterion(
                plan=plan,
                audience=NotificationCriterion.Audience.AGENCY_OFFICIAL,
                who="Commissioner's Office, duty officer",
                contact="860-555-0100",
                conditions="An event that closes the office for the day, or that harms a "
                "child in care, a family member or staff: at once.",
            ),
            NotificationCriterion(
                plan=plan,
                audience=NotificationCriterion.Audience.AGENCY_OFFICIAL,
                who="Facilities Management, Central Office",
                contact="860-555-0142",
                conditions="Damage to the building, utility failure, hazardous materials.",
            ),
            NotificationCriterion(
                plan=plan,
                audience=NotificationCriterion.Audience.EMERGENCY_SERVICE,
                who="911 (police, fire, ambulance)",
                contact="911",
                conditions="Fire, medical emergency, bomb threat, hazardous release, "
                "violence: call first, then the senior administrator.",
            ),
            NotificationCriterion(
                plan=plan,
                audience=NotificationCriterion.Audience.EMERGENCY_SERVICE,
                who=f"{loc.city} Fire Department, non-emergency line",
                contact=_phone(rng),
                conditions="Gas smell, alarm faults, sprinkler leaks outside office hours.",
            ),
        ]
    KeyStaff.objects.bulk_create(key_staff)
    EmergencyProcedure.objects.bulk_create(procedures)
    NotificationCriterion.objects.bulk_create(criteria)

    # --- documents and duties ----------------------------------------------------------------
    documents: list[PlanDocument] = []
    duties: list[QuarterlyDuties] = []
    revised_in: dict[int, list[tuple[Quarter, date]]] = {}
    # Two plans left a past quarter's duties undone, so OPM's "behind only" shows them.
    eligible = [
        p.pk
        for p in plans
        if p.work_location.name not in (HARTFORD, RETURNED_AT, AWAITING_AT)
        and p.work_location_id != new_plan_at
    ]
    chosen = rng.sample(eligible, min(2, len(eligible)))
    left_open = dict(zip(chosen, (quarters[2], quarters[1])[: len(chosen)], strict=True))
    for plan in plans:
        loc = plan.work_location
        first_day = timezone.localtime(plan.created_at).date()
        owed = [q for q in reversed(quarters) if q.ends_on >= first_day]  # oldest first
        for quarter in owed:
            row, revised_with_version = _quarter_duties(
                rng, plan, quarter, current=quarter == current, today=today, opm=opm
            )
            if loc.name == HARTFORD and quarter == current:
                row.communicated_on = None
                row.communication_channel = ""
                row.staff_count = None
                row.communication_evidence = ""
                row.communicated_by = None
                row.submission = QuarterlyDuties.Submission.NOT_SUBMITTED
                row.submitted_on = row.submitted_by = None
                row.opm_decided_by = row.opm_decided_at = None
                row.opm_comments = ""
                if row.revised_on is None:
                    row.revised_on = _day_in(rng, quarter.starts_on, today)
                    row.revision = QuarterlyDuties.Revision.NO_CHANGES
                    row.revision_note = "Reviewed with the floor wardens: no changes needed."
                    row.revised_by = plan.senior_administrator
                    revised_with_version = False
            elif loc.name == RETURNED_AT and quarter == quarters[1]:
                _returned(rng, row, quarter, plan, opm)
            elif loc.name == AWAITING_AT and quarter == current:
                _awaiting(rng, row, quarter, plan, today)
                revised_with_version = False
            elif left_open.get(plan.pk) == quarter:
                _left_open(rng, row)
                revised_with_version = False
            if revised_with_version and row.revised_on:
                revised_in.setdefault(plan.pk, []).append((quarter, row.revised_on))
            duties.append(row)

    for plan in plans:
        first_day = timezone.localtime(plan.created_at).date()
        versions = [(None, first_day), *revised_in.get(plan.pk, [])]
        for number, (quarter, on) in enumerate(versions, start=1):
            summary = "First version" if quarter is None else f"Revised for {quarter}"
            name = f"COOP-plan-{plan.work_location.name.replace(' ', '-')}-v{number}.pdf"
            content = pdf_bytes(
                f"Continuity of Operations Plan, version {number}",
                [
                    plan.work_location.name,
                    f"Senior administrator: {_name(plan.senior_administrator)}",
                    f"Hard copy: {plan.hard_copy_location}",
                    f"Assembly point: {plan.assembly_point}",
                    f"{summary}, {on:%d %b %Y}. Synthetic demo document.",
                ],
            )
            document = PlanDocument(
                plan=plan,
                number=number,
                name=name,
                size=len(content),
                summary=summary,
                uploaded_by=plan.senior_administrator,
                uploaded_at=_aware(on, 15),
            )
            document.file.save(f"v{number}-{name}", ContentFile(content), save=False)
            document.revision_quarter = quarter
            documents.append(document)
    PlanDocument.objects.bulk_create(documents)
    last_upload: dict[int, datetime] = {}
    for document in documents:
        last_upload[document.plan_id] = max(
            document.uploaded_at, last_upload.get(document.plan_id, document.uploaded_at)
        )
    for plan in plans:
        plan.updated_at = last_upload.get(plan.pk, plan.updated_at)
    CoopPlan.objects.bulk_update(plans, ["updated_at"])
    by_quarter = {
        (d.plan_id, d.revision_quarter.starts_on): d
        for d in documents
        if d.revision_quarter is not None
    }
    for row in duties:
        if row.revision == QuarterlyDuties.Revision.NEW_VERSION:
            row.revision_document = by_quarter.get((row.plan_id, row.quarter))
            if row.revision_document is None:  # left open or made "no changes" above
                row.revision = QuarterlyDuties.Revision.NO_CHANGES
                row.revision_note = row.revision_note or "Reviewed: no changes needed."
    bulk_create_with_history(duties, QuarterlyDuties, default_user=None)
    return {"plans": len(plans), "without": len(skipped), "duties": len(duties)}


def _key_person(rng, plan, profile, duty, alternate, title) -> KeyStaff:
    """Someone on the plan: a member of staff there, or a made-up name."""
    if profile is not None:
        user = profile.user
        return KeyStaff(
            plan=plan,
            duty=duty,
            alternate=alternate,
            user=user,
            name=_name(user),
            title=profile.job_title or title,
            phone=profile.phone or _phone(rng),
            email=user.email,
        )
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return KeyStaff(
        plan=plan, duty=duty, alternate=alternate, name=name, title=title, phone=_phone(rng)
    )


def _quarter_duties(rng, plan, quarter, *, current: bool, today: date, opm):
    """One quarter's duties: done (and accepted), sometimes late; this quarter's partly
    done. Returns the row and whether the revision is a new version of the document."""
    admin = plan.senior_administrator
    row = QuarterlyDuties(plan=plan, quarter=quarter.starts_on)
    first_day = max(quarter.starts_on, timezone.localtime(plan.created_at).date())
    end = min(quarter.ends_on, today)
    late = not current and rng.random() < 0.18
    if current:
        communicated = rng.random() < 0.55
        revised = rng.random() < 0.4
    else:
        communicated = revised = True
    if communicated:
        on = _day_in(rng, first_day, end)
        if late:
            on = quarter.ends_on + timedelta(days=rng.randint(2, 20))
        row.communicated_on = on
        row.communication_channel = rng.choice(QuarterlyDuties.Channel.values[:4])
        row.staff_count = rng.randint(12, 60)
        row.communication_evidence = rng.choice(
            [
                f"Sign-in sheet of the {on:%d %B} staff meeting",
                f"Email to all staff of {on:%d %B}, with read receipts",
                f"Fire drill on {on:%d %B}; wardens' roll call",
                "Intranet posting, and acknowledgement forms in the binder",
            ]
        )
        row.communicated_by = admin
    new_version = False
    if revised:
        on = _day_in(rng, first_day, end)
        if late and rng.random() < 0.5:
            on = quarter.ends_on + timedelta(days=rng.randint(2, 15))
        row.revised_on = on
        new_version = rng.random() < 0.45
        if new_version:
            row.revision = QuarterlyDuties.Revision.NEW_VERSION
            row.revision_note = rng.choice(
                [
                    "New alternate for the response lead; updated phone numbers.",
                    "Evacuation route changed after the stairwell renovation.",
                    "Added the power outage procedure.",
                ]
            )
        else:
            row.revision = QuarterlyDuties.Revision.NO_CHANGES
            row.revision_note = "Reviewed with the floor wardens: no changes needed."
        row.revised_by = admin
    if not current:
        submitted = max(d for d in (row.communicated_on, row.revised_on) if d)
        row.submission = QuarterlyDuties.Submission.ACCEPTED
        row.submitted_on = submitted
        row.submitted_by = admin
        row.opm_decided_by = opm
        row.opm_decided_at = _aware(submitted + timedelta(days=rng.randint(3, 12)), 14)
    return row, new_version


def _returned(rng, row, quarter, plan, opm) -> None:
    """Submitted on the last days of the quarter, returned by OPM with comments: open,
    and overdue, until the location submits it again."""
    row.submission = QuarterlyDuties.Submission.RETURNED
    row.submitted_on = quarter.ends_on - timedelta(days=2)
    row.submitted_by = plan.senior_administrator
    row.opm_comments = RETURN_COMMENTS
    row.opm_decided_by = opm
    row.opm_decided_at = _aware(quarter.ends_on + timedelta(days=6), 11)


def _awaiting(rng, row, quarter, plan, today) -> None:
    """Every duty of this quarter done early; the revision waits for OPM."""
    admin = plan.senior_administrator
    on = _day_in(rng, quarter.starts_on, max(quarter.starts_on, today - timedelta(days=5)))
    row.communicated_on = on
    row.communication_channel = QuarterlyDuties.Channel.STAFF_MEETING
    row.staff_count = 38
    row.communication_evidence = f"Sign-in sheet of the {on:%d %B} staff meeting"
    row.communicated_by = admin
    row.revised_on = on
    row.revision = QuarterlyDuties.Revision.NO_CHANGES
    row.revision_note = "Reviewed at the staff meeting: no changes needed."
    row.revised_by = admin
    row.submission = QuarterlyDuties.Submission.SUBMITTED
    row.submitted_on = min(today, on + timedelta(days=1))
    row.submitted_by = admin


def _left_open(rng, row) -> None:
    """A past quarter's revision never done (so never submitted): overdue."""
    row.revised_on = None
    row.revision = ""
    row.revision_note = ""
    row.revised_by = None
    row.submission = QuarterlyDuties.Submission.NOT_SUBMITTED
    row.submitted_on = row.submitted_by = None
    row.opm_decided_by = row.opm_decided_at = None
    if rng.random() < 0.5:
        row.communicated_on = None
        row.communication_channel = ""
        row.staff_count = None
        row.communication_evidence = ""
        row.communicated_by = None
