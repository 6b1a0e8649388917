"""Demo ORE data requests for `manage.py seed`.

Forty requests over the last 18 months, in every status and category, about a third from
outside the agency (entered by ORE from an email or letter): closed and declined ones
spread over the months, and a working queue today. The demo logins have their own:
"caseworker" one waiting for a project scope, one delivered and one closed; "areaadmin"
one just received (the journey: the "ore" login catalogs, approves, takes, starts and
delivers it), one in progress and one closed. One research request is in IRB review; two
are overdue and one is due soon; several delivered ones carry a small CSV or text
deliverable built here. The "ore" login is the ORE lead (quality.lead_datarequest).

Written directly in bulk, with history rows and a timeline for each request, without
sending notices about the past; references (ORE-…) and catalog numbers (ORC-…) are
numbered by the year of receipt and cataloging, and the counters moved on, so requests
made later continue the sequences.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.calendar import BusinessCalendar, add_business_days, business_days_between
from agency.models import ReferenceCounter
from agency.roles import Role
from agency.selectors import business_calendar
from quality.models import DataRequest, DataRequestEvent, DataRequestFile, ProjectScope
from quality.selectors import rules
from quality.services.data_requests import (
    CATALOG_PREFIX,
    REFERENCE_PREFIX,
    due_on_for,
    search_document_for,
    target_for,
)

User = get_user_model()
S = DataRequest.Status
C = DataRequest.Category

# What people ask for, by category: (title, purpose, questions, data elements, population,
# time period, geography, format).
TOPICS: dict[str, list[tuple[str, ...]]] = {
    C.AD_HOC: [
        ("Children in care by placement type and region",
         "Plan recruitment of foster homes for the coming year.",
         "How many children were in care on the first of each month, by placement type and "
         "region?", "Placement type, region, age group", "Children in out-of-home care",
         "SFY 2025", "Statewide, by region", "spreadsheet"),
        ("Monthly caseworker visits by office",
         "Prepare the office's quality improvement plan.",
         "What share of children in care were visited every month, by office?",
         "Visits, office, month", "Children in care", "Last 12 months", "By office", "tables"),
        ("Kinship placements among children entering care",
         "Support the kinship navigator program's budget request.",
         "How many children entering care were placed first with relatives?",
         "First placement type, entry date", "Children entering care", "2023 to 2025",
         "Statewide", "spreadsheet"),
        ("Time to initial face-to-face contact",
         "Review staffing of intake units.",
         "How long did initial face-to-face contacts take, by response time and office?",
         "Intake response time, contact time", "Accepted reports", "Last two quarters",
         "By office", "report"),
    ],
    C.FOIA: [
        ("Congregate care placements by facility",
         "A newspaper's request under the Freedom of Information Act.",
         "How many youth were placed in each congregate facility each year?",
         "Facility, year, count", "Youth in congregate care", "2020 to 2025", "Statewide",
         "spreadsheet"),
        ("Child fatality reviews completed",
         "A reporter's request under the Freedom of Information Act.",
         "How many child fatality reviews did the agency complete each year?",
         "Year, count", "Child fatalities reviewed", "2019 to 2025", "Statewide", "tables"),
    ],
    C.LEGISLATIVE: [
        ("Youth aging out of care by town",
         "Answer a question from the Committee on Children.",
         "How many youth left care at 18 or older, by town of origin?",
         "Exit reason, age at exit, town", "Youth leaving care", "SFY 2024 and 2025",
         "By town", "tables"),
        ("Children in out-of-state placements",
         "Briefing for the Appropriations Committee.",
         "How many children were placed out of state, for how long, and why?",
         "Placement state, length of stay, reason", "Children placed out of state",
         "Current", "Statewide", "report"),
    ],
    C.FEDERAL_REPORTING: [
        ("AFCARS foster care file: validation counts",
         "Federal reporting (AFCARS) in collaboration with Information Systems.",
         "Do the file's counts of entries and exits match the agency's own?",
         "Entries, exits, element validation", "Children in foster care", "FFY 2025",
         "Statewide", "dataset"),
        ("NCANDS child file commentary",
         "The annual NCANDS commentary and agency file submission.",
         "What explains the change in substantiation rates since last year?",
         "Reports, dispositions, maltreatment types", "Reports accepted", "FFY 2025",
         "Statewide", "report"),
        ("APSR: permanency within 12 months",
         "Data for the Annual Progress and Services Report.",
         "What share of children entering care reached permanency within 12 months?",
         "Entry date, exit date, exit reason", "Children entering care", "FFY 2024",
         "Statewide, by region", "tables"),
    ],
    C.RESEARCH: [
        ("Outcomes of families on the assessment track",
         "A university study of the Family Assessment Response.",
         "Are families served on the assessment track re-reported less often?",
         "Track, re-reports within 12 months, services", "Families with accepted reports",
         "2021 to 2024", "Statewide", "dataset"),
        ("Kinship caregivers' use of supports",
         "A doctoral dissertation on kinship care.",
         "Which supports do kinship caregivers use, and does it relate to stability?",
         "Caregiver supports, placement moves", "Children placed with relatives",
         "2022 to 2025", "Two regions", "dataset"),
    ],
    C.OTHER: [
        ("Staff turnover by office",
         "Plan the Academy for Workforce Development's training calendar.",
         "How many caseworkers left each office each quarter?",
         "Office, quarter, separations", "Casework staff", "Last two years", "By office",
         "tables"),
        ("Provider report card figures",
         "The provider information exchange's annual report cards.",
         "Which outcome measures can be reported per provider?",
         "Provider, measures", "Contracted providers", "SFY 2025", "Statewide", "report"),
    ],
}  # fmt: skip

EXTERNAL = [
    ("Dana Whitaker", "University of Connecticut School of Social Work", "dwhitaker@uconn.example"),
    ("Marcus Bell", "Connecticut General Assembly, Committee on Children", "m.bell@cga.example"),
    ("Priya Raman", "Office of the Child Advocate", "praman@oca.example"),
    ("Leah Goldberg", "Hartford Courant", "lgoldberg@courant.example"),
    ("Tomas Ortiz", "Administration for Children and Families, Region 1", "tortiz@acf.example"),
    ("Grace Huang", "Yale Child Study Center", "grace.huang@yale.example"),
    ("Owen Fitzgerald", "Connecticut Voices for Children", "ofitz@ctvoices.example"),
    ("Amara Okoye", "Chapin Hall at the University of Chicago", "aokoye@chapinhall.example"),
]
DECLINE_REASONS = [
    "The data asked for would identify children in small towns; ORE can offer regional "
    "figures instead.",
    "The agency does not collect these data elements.",
    "This duplicates a published report; the link is in the note.",
]
SCOPE_NEEDS = [
    "Which outcome measures, and how the cohort is defined (entry year or age).",
    "The study's design, who will handle identifiable data and how it is protected.",
    "Which offices and which months, and whether counts by race and ethnicity are needed.",
]


@dataclass
class Spec:
    status: str
    category: str
    age: int | None = None  # business days since receipt (open requests); None: in the past
    external: bool = False
    login: str = ""  # a demo login who made it
    scope: bool = False  # a project scope was asked for
    declined_by_irb: bool = False
    work_days: int | None = None  # business days from start to delivery
    files: bool = False


def _specs() -> list[Spec]:
    return [
        # The working queue today.
        Spec(S.RECEIVED, C.AD_HOC, age=0, login="areaadmin"),
        Spec(S.RECEIVED, C.FOIA, age=1, external=True),
        Spec(S.CATALOGED, C.LEGISLATIVE, age=3, external=True),
        Spec(S.CATALOGED, C.OTHER, age=4),
        Spec(S.SCOPE_REQUESTED, C.AD_HOC, age=6, login="caseworker", scope=True),
        Spec(S.SCOPE_REQUESTED, C.RESEARCH, age=9, external=True, scope=True),
        Spec(S.IRB_REVIEW, C.RESEARCH, age=12, external=True),
        Spec(S.APPROVED, C.AD_HOC, age=5),
        Spec(S.APPROVED, C.FEDERAL_REPORTING, age=7),
        Spec(S.ASSIGNED, C.OTHER, age=7),
        Spec(S.ASSIGNED, C.LEGISLATIVE, age=4, external=True),
        Spec(S.IN_PROGRESS, C.AD_HOC, age=13, login="areaadmin"),  # due soon
        Spec(S.IN_PROGRESS, C.FEDERAL_REPORTING, age=10),
        Spec(S.IN_PROGRESS, C.AD_HOC, age=22),  # overdue
        Spec(S.IN_PROGRESS, C.FOIA, age=8, external=True),  # overdue
        Spec(S.DELIVERED, C.AD_HOC, age=14, login="caseworker", files=True),
        Spec(S.DELIVERED, C.FEDERAL_REPORTING, age=20, files=True),
        Spec(S.DELIVERED, C.LEGISLATIVE, age=9, external=True, files=True),
        Spec(S.DELIVERED, C.OTHER, age=16, files=True),
        Spec(S.DELIVERED, C.FOIA, age=6, external=True, files=True),
        Spec(S.DELIVERED, C.RESEARCH, age=60, files=True),
        # The record of the months before.
        Spec(S.CLOSED, C.AD_HOC, login="caseworker", files=True),
        Spec(S.CLOSED, C.AD_HOC, login="areaadmin", scope=True, files=True),
        Spec(S.CLOSED, C.AD_HOC, files=True),
        Spec(S.CLOSED, C.AD_HOC, scope=True),
        Spec(S.CLOSED, C.AD_HOC, work_days=19),  # late
        Spec(S.CLOSED, C.FOIA, external=True, files=True),
        Spec(S.CLOSED, C.FOIA, external=True),
        Spec(S.CLOSED, C.LEGISLATIVE, external=True, files=True),
        Spec(S.CLOSED, C.LEGISLATIVE, work_days=6),  # late
        Spec(S.CLOSED, C.FEDERAL_REPORTING, files=True),
        Spec(S.CLOSED, C.FEDERAL_REPORTING),
        Spec(S.CLOSED, C.RESEARCH, external=True, scope=True, files=True),
        Spec(S.CLOSED, C.OTHER, files=True),
        Spec(S.CLOSED, C.OTHER),
        Spec(S.CLOSED, C.AD_HOC, work_days=11, scope=True),
        Spec(S.DECLINED, C.AD_HOC),
        Spec(S.DECLINED, C.FOIA, external=True),
        Spec(S.DECLINED, C.OTHER, scope=True),
        Spec(S.DECLINED, C.RESEARCH, external=True, declined_by_irb=True),
    ]


@dataclass
class Story:
    """One request with its timeline, its scope and its files, before saving."""

    request: DataRequest
    events: list[tuple[datetime, str, object, str]] = field(default_factory=list)
    scope: ProjectScope | None = None
    files: list[tuple[str, str, bytes, object, datetime]] = field(default_factory=list)


class _Clock:
    """Business days for building the past: moments at office hours, never after now."""

    def __init__(self, cal: BusinessCalendar, rng: random.Random):
        self.cal, self.rng = cal, rng
        self.now = clock.now()
        self.today = timezone.localtime(self.now).date()

    def back(self, day: date, n: int) -> date:
        """The n-th business day before `day` (0: `day` or the last business day before)."""
        while not self.cal.is_business_day(day):
            day -= timedelta(days=1)
        for _ in range(n):
            day -= timedelta(days=1)
            while not self.cal.is_business_day(day):
                day -= timedelta(days=1)
        return day

    def forward(self, day: date, n: int) -> date:
        return add_business_days(self.cal, day, n)

    def at(self, day: date, after: datetime | None = None) -> datetime:
        moment = datetime.combine(
            day, time(self.rng.randint(8, 15), self.rng.choice((0, 10, 25, 40, 55))),
            tzinfo=self.cal.tz,
        )  # fmt: skip
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(20, 90))
        return min(moment, self.now - timedelta(minutes=5))


def _csv(rng: random.Random, title: str) -> bytes:
    rows = ["region,children,share_percent"]
    for n in range(1, 7):
        rows.append(f"Region {n},{rng.randint(120, 900)},{rng.uniform(40, 98):.1f}")
    return (f"# {title}\n" + "\n".join(rows) + "\n").encode()


def _text(title: str, requester: str) -> bytes:
    return (
        f"{title}\n\nPrepared by the Office for Research and Evaluation for {requester}.\n"
        "Figures are counts of children; cells under 6 are suppressed.\n"
    ).encode()


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def seed_data_requests(rng: random.Random) -> dict:
    ore = User.objects.filter(username="ore").first()
    analysts = list(
        User.objects.filter(is_active=True, staff__role=Role.ORE_ANALYST).order_by("pk")
    )
    if ore is None and not analysts:
        return {}
    lead = ore or analysts[0]
    lead.user_permissions.add(
        Permission.objects.get(content_type__app_label="quality", codename="lead_datarequest")
    )
    analysts = analysts or [lead]
    staff = list(
        User.objects.filter(is_active=True, staff__isnull=False)
        .exclude(staff__role__in=[Role.ORE_ANALYST, Role.SYSTEM_ADMINISTRATOR])
        .select_related("staff__work_location")
        .order_by("pk")
    )
    by_login = {user.username: user for user in staff}
    cal = business_calendar()
    moments = _Clock(cal, rng)
    office_rules = rules()
    topic_turn = {category: 0 for category in TOPICS}
    stories = []
    for n, spec in enumerate(_specs()):
        topics = TOPICS[spec.category]
        topic = topics[topic_turn[spec.category] % len(topics)]
        topic_turn[spec.category] += 1
        requester = by_login.get(spec.login) if spec.login else None
        if requester is None and not spec.external and staff:
            requester = staff[(n * 7) % len(staff)]
        stories.append(
            _story(spec, topic, requester, lead, analysts, cal, moments, office_rules, rng, n)
        )
    _number(stories)
    requests = [story.request for story in stories]
    bulk_create_with_history(requests, DataRequest, default_user=None, default_date=None)
    saved = dict(
        DataRequest.objects.filter(reference__in=[r.reference for r in requests]).values_list(
            "reference", "pk"
        )
    )
    events, scopes, files = [], [], []
    for story in stories:
        pk = saved[story.request.reference]
        story.request.pk = pk
        for at, status, actor, note in story.events:
            events.append(
                DataRequestEvent(request_id=pk, at=at, actor=actor, status=status, note=note)
            )
        if story.scope is not None:
            story.scope.request_id = pk
            scopes.append(story.scope)
        for kind, name, content, uploaded_by, uploaded_at in story.files:
            item = DataRequestFile(
                request_id=pk,
                kind=kind,
                name=name,
                content_type="text/csv" if name.endswith(".csv") else "text/plain",
                size=len(content),
                uploaded_by=uploaded_by,
                uploaded_at=uploaded_at,
            )
            item.file.save(name, ContentFile(content), save=False)
            files.append(item)
    DataRequestEvent.objects.bulk_create(events)
    ProjectScope.objects.bulk_create(scopes)
    DataRequestFile.objects.bulk_create(files)
    # The search column covers the deliverables' names: written once they exist.
    deliverables: dict[int, list[str]] = {}
    for item in files:
        if item.kind == DataRequestFile.Kind.DELIVERABLE:
            deliverables.setdefault(item.request_id, []).append(item.name)
    for data_request in requests:
        data_request.search_document = search_document_for(
            data_request, deliverables.get(data_request.pk, [])
        )
    DataRequest.objects.bulk_update(requests, ["search_document"])
    return {
        "requests": len(requests),
        "open": sum(r.status in DataRequest.OPEN for r in requests),
        "delivered": sum(r.delivered_at is not None for r in requests),
    }


def _story(spec, topic, requester, lead, analysts, cal, moments, office_rules, rng, n) -> Story:
    title, purpose, questions, elements, population, period, geography, fmt = topic
    if spec.external:
        name, organization, email = EXTERNAL[n % len(EXTERNAL)]
        channel = DataRequest.Channel.EMAIL if n % 3 else DataRequest.Channel.MAIL
    else:
        name = _name(requester) if requester else "Agency staff"
        profile = getattr(requester, "staff", None)
        organization = profile.work_location.name if profile else "Central Office"
        email = requester.email if requester else ""
        channel = DataRequest.Channel.HEARTH
    if spec.age is not None:
        received_day = moments.back(moments.today, spec.age)
    else:
        # Between 18 months and 14 weeks ago: time enough to have been closed.
        received_day = moments.back(moments.today - timedelta(days=rng.randint(100, 540)), 0)
    received_at = moments.at(received_day)
    if spec.age == 0:
        received_at = moments.now - timedelta(hours=1)
    research = spec.category == C.RESEARCH
    entered_by = lead if spec.external else requester
    data_request = DataRequest(
        status=S.RECEIVED,
        requester=requester if not spec.external else None,
        requester_name=name,
        organization=organization,
        requester_email=email,
        requester_address="" if email else "55 Farmington Avenue, Hartford, CT 06105",
        channel=channel,
        received_at=received_at,
        entered_by=entered_by or lead,
        title=title,
        purpose=purpose,
        questions=questions,
        data_elements=elements,
        population=population,
        time_period=period,
        geography=geography,
        format=fmt,
        date_needed=moments.forward(received_day, rng.choice((10, 15, 20, 30))),
        identifiable_data=research,
        intended_use="Internal planning." if not spec.external else "Publication of findings.",
        dissemination="Agency leadership." if not spec.external else "A public report.",
        is_research=research,
        target_business_days=target_for("", office_rules),
    )
    story = Story(data_request)
    how = (
        f"Received by {data_request.get_channel_display().lower()} from {name} "
        f"({organization}); entered by {_name(lead)}."
        if spec.external
        else f"Submitted in Hearth by {name}."
    )
    story.events.append((received_at, S.RECEIVED, entered_by or lead, how))
    analyst = analysts[n % len(analysts)]
    _advance(story, spec, lead, analyst, cal, moments, office_rules, rng, n)
    data_request.due_on = due_on_for(data_request, cal)
    if data_request.delivered_at:
        data_request.business_days_to_delivery = max(
            0,
            business_days_between(cal, data_request.received_at, data_request.delivered_at)
            - data_request.hold_business_days,
        )
    return story


def _advance(story, spec, lead, analyst, cal, moments, office_rules, rng, n) -> None:
    """Walk the request through its life up to `spec.status`, each step a business day
    or more after the last, writing the timeline as the services would."""
    req = story.request
    order = [S.RECEIVED, S.CATALOGED, S.SCOPE_REQUESTED, S.IRB_REVIEW, S.APPROVED,
             S.ASSIGNED, S.IN_PROGRESS, S.DELIVERED, S.CLOSED]  # fmt: skip
    final = spec.status
    reach = order.index(final) if final in order else order.index(S.CATALOGED)

    def day_of(moment: datetime) -> date:
        return timezone.localtime(moment).date()

    def step(days: int, status: str, actor, note: str) -> datetime:
        last = story.events[-1][0]
        moment = moments.at(moments.forward(day_of(last), days), after=last)
        story.events.append((moment, status, actor, note))
        req.status = status
        return moment

    if reach < 1:
        return
    req.category = spec.category
    req.target_business_days = target_for(spec.category, office_rules)
    req.cataloged_at = step(1, S.CATALOGED, lead, "")
    req.due_on = due_on_for(req, cal)
    catalog_event = story.events[-1]
    story.events[-1] = (
        catalog_event[0],
        S.CATALOGED,
        lead,
        f"Cataloged, {req.get_category_display().lower()}: target {req.target_business_days} "
        "business days from receipt.",
    )
    if spec.scope:
        needs = SCOPE_NEEDS[n % len(SCOPE_NEEDS)]
        asked = step(1, S.SCOPE_REQUESTED, lead,
                     f"ORE asks for a project scope (DCF-5102): {needs}\nThe clock is stopped "
                     "until it arrives.")  # fmt: skip
        story.scope = ProjectScope(requested_at=asked, requested_by=lead, what_ore_needs=needs)
        if final == S.SCOPE_REQUESTED:
            req.on_hold_since = asked
            return
        arrived = step(rng.randint(2, 6), S.CATALOGED, req.requester or lead, "")
        held = business_days_between(cal, asked, arrived)
        story.scope.received_at = arrived
        story.scope.hold_business_days = held
        story.scope.objectives = "Describe trends and differences between regions."
        story.scope.methodology = "Descriptive statistics on the agency's case records."
        story.scope.deliverables = "Tables by region and year."
        story.scope.confidentiality = "Aggregated counts only; cells under 6 suppressed."
        req.hold_business_days = held
        story.events[-1] = (
            arrived, S.CATALOGED, req.requester or lead,
            f"Project scope received. The clock stood still for {held} business "
            f"day{'' if held == 1 else 's'}. Back with ORE for vetting.",
        )  # fmt: skip
    if final == S.CATALOGED:
        return
    if final == S.DECLINED and not spec.declined_by_irb:
        req.vetted_at = step(1, S.DECLINED, lead, "")
        req.vetted_by = lead
        req.decline_reason = DECLINE_REASONS[n % len(DECLINE_REASONS)]
        story.events[-1] = (req.vetted_at, S.DECLINED, lead, f"Declined: {req.decline_reason}")
        return
    if req.category == C.RESEARCH:
        req.vetted_at = step(1, S.IRB_REVIEW, lead,
                             "ORE assessed the research proposal and sent it to the agency's "
                             "Institutional Review Board.")  # fmt: skip
        req.vetted_by = lead
        req.irb_submitted_on = day_of(req.vetted_at)
        if final == S.IRB_REVIEW:
            return
        if spec.declined_by_irb:
            decided = step(10, S.DECLINED, lead, "")
            req.irb_decision = DataRequest.IrbDecision.NOT_APPROVED
            req.irb_notes = req.decline_reason = (
                "The study would contact families during open investigations."
            )
            req.irb_decided_on = day_of(decided)
            note = f"The IRB did not approve the research: {req.irb_notes}"
            story.events[-1] = (decided, S.DECLINED, lead, note)
            return
        decided = step(10, S.APPROVED, lead, "The IRB approved the research with conditions.")
        req.irb_decision = DataRequest.IrbDecision.APPROVED_WITH_CONDITIONS
        req.irb_notes = "De-identified data only; results reviewed by ORE before publication."
        req.irb_decided_on = day_of(decided)
    else:
        req.vetted_at = step(1, S.APPROVED, lead, "Approved by ORE; an analyst will be assigned.")
        req.vetted_by = lead
    if final == S.APPROVED:
        return
    req.analyst = analyst
    req.assigned_at = step(1, S.ASSIGNED, lead, f"Assigned to {_name(analyst)}.")
    if final == S.ASSIGNED:
        return
    req.started_at = step(1, S.IN_PROGRESS, analyst, f"{_name(analyst)} started the work.")
    if final == S.IN_PROGRESS:
        return
    if spec.age is not None:
        elapsed = business_days_between(cal, req.started_at, moments.now)
        work = max(0, elapsed - 1)
    else:
        work = spec.work_days or rng.randint(2, max(3, req.target_business_days - 5))
    delivered = step(work, S.DELIVERED, analyst, "")
    req.delivered_at = delivered
    req.delivery_note = (
        "The tables answer each question; figures under 6 are suppressed to protect privacy."
    )
    if spec.files:
        stem = req.title.lower().replace(" ", "-").replace(":", "")[:40]
        requester = req.requester_name
        story.files.append((DataRequestFile.Kind.DELIVERABLE, f"{stem}.csv",
                            _csv(rng, req.title), analyst, delivered))  # fmt: skip
        story.files.append((DataRequestFile.Kind.DELIVERABLE, f"{stem}-notes.txt",
                            _text(req.title, requester), analyst, delivered))  # fmt: skip
    else:
        req.delivery_link = "https://portal.ct.gov/dcf/ore/published-reports"
    story.events[-1] = (delivered, S.DELIVERED, analyst, f"Delivered.\n{req.delivery_note}")
    if final == S.DELIVERED:
        return
    req.closed_at = step(rng.randint(2, 5), S.CLOSED, analyst, "Closed.")


def _number(stories: list[Story]) -> None:
    """References by the year received, catalog numbers by the year cataloged, each in
    time order after any already handed out; the counters move on."""

    def hand_out(prefix: str, items: list[tuple[datetime, DataRequest, str]]) -> None:
        for moment, data_request, attribute in sorted(items, key=lambda item: item[0]):
            year = timezone.localtime(moment).year
            counter, _ = ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
            counter.last += 1
            counter.save(update_fields=["last"])
            setattr(data_request, attribute, f"{prefix}-{year}-{counter.last:06d}")

    requests = [story.request for story in stories]
    hand_out(REFERENCE_PREFIX, [(r.received_at, r, "reference") for r in requests])
    hand_out(
        CATALOG_PREFIX,
        [(r.cataloged_at, r, "catalog_number") for r in requests if r.cataloged_at],
    )
