"""Synthetic inquiries for the demo agency (`manage.py seed`).

A few hundred at demo scale, 100,000 at state scale (three years of an office far busier
than Connecticut's, to show the queue and the reports stay fast). Everything is written
with bulk inserts; the due times come from ombudsman.deadlines on the agency's calendar,
exactly as the services compute them. Deterministic for a given random generator and
"now": old inquiries are answered (mostly on time) and closed, recent ones are in every
state of the queue, a few are overdue, some are due today, and the demo Ombudsman
("ombudsman", "ombudsmanlead") has inquiries of their own. A few consultations are
addressed to regional staff, the demo supervisor and area administrator among them.

At state scale the timeline is written for the inquiries still open or received in the
last 90 days (older closed ones have none), and no history rows: that keeps the seed to a
minute or two while the queue and the reports get their 100,000 rows.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.calendar import BusinessCalendar, start_of_business
from agency.models import ReferenceCounter, Region, WorkLocation
from agency.roles import Role
from agency.selectors import business_calendar
from ombudsman.deadlines import initial_response_due
from ombudsman.models import Consultation, Inquiry, InquiryEvent
from ombudsman.services import REFERENCE_PREFIX, _search_document, display_name, rules

User = get_user_model()


@dataclass(frozen=True)
class InquiryScale:
    inquiries: int
    days: int  # how far back the oldest one was received
    recent_share: float  # share received in the last RECENT_DAYS
    overdue_share_recent: float  # of the recent ones past their due time, left unanswered
    consultations: int
    timeline: bool  # contacts and notes beyond the essential lines
    # Timelines only for inquiries still open or received in this many days (None: all).
    timeline_days: int | None
    history: bool  # a "created" row in each inquiry's history (slow at 100,000)


SCALES = {
    "demo": InquiryScale(
        inquiries=320, days=200, recent_share=0.35, overdue_share_recent=0.15,
        consultations=14, timeline=True, timeline_days=None, history=True,
    ),
    "state": InquiryScale(
        inquiries=100_000, days=3 * 365, recent_share=0.03, overdue_share_recent=0.04,
        consultations=300, timeline=False, timeline_days=90, history=False,
    ),
}  # fmt: skip
RECENT_DAYS = 21
DUE_TODAY = 6  # routine inquiries received two business days ago, still waiting

CHANNELS = (["phone"] * 8 + ["email"] * 5 + ["web"] * 3 + ["letter"] * 2 + ["walk_in"]
            + ["fax"])  # fmt: skip
SOURCES = (
    ["client"] * 6 + ["foster_parent"] * 4 + ["relative"] * 3 + ["youth"] * 2
    + ["adoptive_parent"] * 2 + ["legislator"] * 2 + ["governor_office"] + ["provider"] * 2
    + ["agency_staff"] + ["advocate"] * 2 + ["other"]
)  # fmt: skip
KINDS = (
    ["inquiry"] * 9
    + ["complaint"] * 7
    + ["information_referral"] * 3
    + ["commissioner_correspondence"]
)
RESPONSE_METHODS = ["phone"] * 6 + ["email"] * 3 + ["letter", "voicemail", "in_person"]
OUTCOMES = (
    ["information_provided"] * 5 + ["resolved_with_agency"] * 4 + ["referred"] * 2
    + ["not_substantiated"] * 2 + ["practice_changed", "withdrawn", "no_contact", "other"]
)  # fmt: skip

SUBJECTS = {
    "complaint": [
        "Caseworker has not returned calls for two weeks",
        "Visits with my children were cancelled without notice",
        "Placement changed without telling the family",
        "Foster care payment is three weeks late",
        "Disagrees with the investigation finding",
        "No interpreter at the case planning meeting",
        "Child moved schools after the placement change",
        "Sibling visits have not happened since the summer",
    ],
    "inquiry": [
        "How to request a copy of my case record",
        "Who is my child's new social worker?",
        "Status of a relative's licensing application",
        "Question about the visitation schedule",
        "Adoption subsidy renewal question",
        "Grandmother asks to be considered for placement",
        "When is the next administrative case review?",
    ],
    "information_referral": [
        "Looking for parenting classes near Waterbury",
        "Housing help for a youth leaving care",
        "Where to report a concern about a child",
        "Child support question (not a DCF matter)",
        "Mental health services for a teenager",
    ],
    "commissioner_correspondence": [
        "Letter to the Commissioner about a family's case",
        "Constituent letter forwarded by a legislator",
        "Governor's Office referral: foster parent concerns",
    ],
}
SYSTEMIC_SUBJECTS = [
    "Transport to family visits cancelled across the region",
    "Foster care payments delayed for many families",
    "No interpreter services after 17:00",
    "Careline callbacks taking more than a day",
    "Youth in congregate care without school enrollment",
]
DETAILS = [
    "The caller says they have tried the area office several times.",
    "The writer asks for a reply in writing.",
    "The inquirer would like a call back in the afternoon.",
    "They were referred to the Ombudsman by the area office.",
    "The family's preferred language is Spanish.",
    "They have been waiting since last month.",
]
FIRST = "Ana Carmen Chris Dee Eli Fatima Grace Hector Ines Jamal Jess Lena Luis Maya Omar".split()
LAST = "Adams Castillo Doyle Evans Garcia Hughes Jensen Lopez Murphy Ortiz Reyes Silva".split()
ORGANISATIONS = {
    "legislator": "Office of State Representative Ruiz",
    "governor_office": "Office of the Governor, Constituent Services",
    "provider": "Riverside Family Services",
    "advocate": "Center for Children's Advocacy",
    "agency_staff": "Bridgeport Area Office",
}
CONSULTATION_QUESTIONS = [
    "Can you tell us when the family's next visit is scheduled?",
    "Has the foster care payment for this family been processed?",
    "Could the assigned worker call the inquirer back this week?",
    "What is the plan for sibling visits in this case?",
]


def build(rng: random.Random, scale: str) -> dict[str, int]:
    return _Builder(rng, SCALES[scale]).build()


class _Maker:
    """Model instances from keyword values, built positionally: Django's positional
    constructor is several times faster than its keyword one, which matters for
    100,000 inquiries and their timelines. Foreign keys are given by id (`region_id`)."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.model = model
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.index = {f.attname: n for n, f in enumerate(fields)}

    def __call__(self, **values):
        row = list(self.defaults)
        for name, value in values.items():
            row[self.index[name]] = value
        return self.model(*row)


KIND_LABELS = dict(Inquiry.Kind.choices)
CHANNEL_LABELS = dict(Inquiry.Channel.choices)
SOURCE_LABELS = dict(Inquiry.SourceType.choices)
OUTCOME_LABELS = dict(Inquiry.Outcome.choices)
CHANNEL_METHOD = {
    "phone": "phone",
    "email": "email",
    "letter": "letter",
    "fax": "fax",
    "walk_in": "in_person",
}


class _Builder:
    def __init__(self, rng: random.Random, scale: InquiryScale):
        self.rng = rng
        self.scale = scale
        self.now = clock.now()
        self.cal: BusinessCalendar = business_calendar()
        self.rules = rules()
        self.routine_due: dict[date, datetime] = {}
        staff = list(
            User.objects.filter(
                is_active=True, staff__role__in=[Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD]
            )
            .select_related("staff")
            .order_by("pk")
        )
        self.staff = staff
        self.favourite = next((u for u in staff if u.username == "ombudsman"), None)
        self.lead = next(
            (u for u in staff if u.username == "ombudsmanlead"),
            next((u for u in staff if u.staff.role == Role.OMBUDSMAN_LEAD), None),
        )
        self.names = {user.pk: display_name(user) for user in staff}
        self.regions = list(Region.objects.order_by("code").values_list("pk", flat=True))
        self.offices: dict[int, list[int]] = {}
        for pk, region in (
            WorkLocation.objects.filter(region__isnull=False)
            .order_by("pk")
            .values_list("pk", "region_id")
        ):
            self.offices.setdefault(region, []).append(pk)
        self.regional = list(
            User.objects.filter(
                is_active=True, staff__role__in=[Role.SUPERVISOR, Role.AREA_ADMINISTRATOR]
            ).order_by("pk")
        )
        self.demo_regional = [u for u in self.regional if u.username in ("supervisor", "areaadmin")]
        self.make_inquiry = _Maker(Inquiry)
        self.make_event = _Maker(InquiryEvent)

    # --- when ----------------------------------------------------------------------------
    def received_at(self) -> datetime:
        """Mostly office hours on weekdays; email and the web form at any hour."""
        rng, scale = self.rng, self.scale
        recent = rng.random() < scale.recent_share
        age = rng.uniform(0, RECENT_DAYS) if recent else rng.uniform(RECENT_DAYS, scale.days)
        local = (self.now - timedelta(days=age)).astimezone(self.cal.tz)
        if rng.random() < 0.8:  # during the day (08:00-16:59 never falls in a DST change)
            local = local.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
        return min(local.replace(second=0, microsecond=0), self.now - timedelta(minutes=5))

    def business_days_ago(self, n: int) -> date:
        day = self.now.astimezone(self.cal.tz).date()
        while n:
            day -= timedelta(days=1)
            if self.cal.is_business_day(day):
                n -= 1
        return day

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + (end - start) * self.rng.random()

    def due(self, received_at: datetime, urgency: str) -> tuple[datetime, datetime]:
        """(effective receipt, due time) from ombudsman.deadlines. A routine due time
        depends only on the day of effective receipt, so it is computed once per day."""
        office = self.rules
        if urgency == "routine":
            effective = start_of_business(self.cal, received_at)
            day = effective.date()
            if day not in self.routine_due:
                self.routine_due[day] = initial_response_due(
                    self.cal, effective, urgency,
                    routine_business_days=office.routine_business_days,
                ).due_at  # fmt: skip
            return effective, self.routine_due[day]
        due = initial_response_due(
            self.cal, received_at, urgency, immediate_business_hours=office.immediate_business_hours
        )
        return due.effective_received_at, due.due_at

    # --- one inquiry ---------------------------------------------------------------------
    def inquiry(
        self, received_at: datetime, *, keep_waiting: bool = False, urgency: str = ""
    ) -> dict:
        rng = self.rng
        kind = rng.choice(KINDS)
        systemic = kind in ("complaint", "inquiry") and rng.random() < 0.07
        subject = rng.choice(SYSTEMIC_SUBJECTS if systemic else SUBJECTS[kind])
        source = rng.choice(SOURCES)
        channel = rng.choice(CHANNELS)
        if kind == "commissioner_correspondence":
            channel = rng.choice(["letter", "email"])
        region = rng.choice(self.regions) if self.regions and rng.random() < 0.85 else None
        offices = self.offices.get(region, [])
        anonymous = channel in ("web", "phone") and rng.random() < 0.1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        urgency = urgency or ("immediate" if rng.random() < 0.08 else "routine")
        effective, due = self.due(received_at, urgency)
        # Staff record phone calls, visits, letters and faxes; email and the web form
        # arrive on their own.
        recorded_by = (
            rng.choice(self.staff).pk
            if self.staff and channel in ("phone", "walk_in", "letter", "fax")
            else None
        )
        values = {
            "channel": channel,
            "source_type": source,
            "kind": kind,
            "scope": "systemic" if systemic else "case_related",
            "urgency": urgency,
            "contact_name": "" if anonymous else f"{first} {last}",
            "contact_organization": ORGANISATIONS.get(source, ""),
            "contact_email": "" if anonymous else f"{first}.{last}@example.org".lower(),
            "contact_phone": "" if anonymous else f"860-555-{rng.randint(1000, 9999)}",
            "preferred_language": "Spanish" if rng.random() < 0.12 else "English",
            "received_at": received_at,
            "effective_received_at": effective,
            "initial_response_due_at": due,
            "subject": subject,
            "description": f"{subject}. {rng.choice(DETAILS)}",
            "region_id": region,
            "work_location_id": rng.choice(offices) if offices and rng.random() < 0.6 else None,
            "retaliation_alleged": kind == "complaint" and rng.random() < 0.03,
            "created_by_id": recorded_by,
            "status": Inquiry.Status.NEW,
        }
        received_line = (
            f"{KIND_LABELS[kind]} received by {CHANNEL_LABELS[channel].lower()} from "
            f"{SOURCE_LABELS[source].lower()}."
        )
        events = [
            ("received", received_at, recorded_by, received_line, CHANNEL_METHOD.get(channel, ""))
        ]
        self.work(values, events, keep_waiting=keep_waiting)
        return {"values": values, "events": events}

    def work(self, v: dict, events: list, *, keep_waiting: bool) -> None:
        """Who took it, whether and when it was answered, resolved and closed."""
        rng, now = self.rng, self.now
        received, effective = v["received_at"], v["effective_received_at"]
        due = v["initial_response_due_at"]
        if due > now:
            # Not due yet: some answered already (if it has reached the office's day).
            answered = not keep_waiting and effective < now and rng.random() < 0.45
        elif keep_waiting:
            answered = False
        else:
            # Past due: answered, except a few recent ones left overdue for the demo.
            recent = now - received < timedelta(days=RECENT_DAYS)
            answered = not (recent and rng.random() < self.scale.overdue_share_recent)
        answered = answered and bool(self.staff)
        if not (answered or rng.random() < 0.65) or not self.staff:
            return  # new: nobody has it yet
        assignee = _weighted(rng, self.staff, self.favourite, 0.3).pk
        assigned_at = min(received + timedelta(minutes=rng.randint(5, 60)), now)
        v.update(assignee_id=assignee, assigned_at=assigned_at, status=Inquiry.Status.ASSIGNED)
        lead = self.lead.pk if self.lead else None
        events.append(("assigned", assigned_at, lead, f"Assigned to {self.names[assignee]}.", ""))
        if not answered:
            return
        # Mostly on time; a late answer lands within two days after the due time.
        if rng.random() < 0.12 and due < now:
            responded = self.between(due + timedelta(minutes=10), min(due + timedelta(days=2), now))
        else:
            responded = self.between(max(effective, received), min(due, now))
        responded = max(responded, assigned_at)
        method = rng.choice(RESPONSE_METHODS)
        v.update(
            initial_response_at=responded,
            initial_response_method=method,
            initial_response_by_id=assignee,
            initial_response_summary="Called the inquirer back and explained next steps.",
            status=Inquiry.Status.RESPONDED,
        )
        within = "within" if responded <= due else "after"
        events.append(
            ("initial_response", responded, assignee,
             f"Explained what the Ombudsman will do next ({within} the deadline).",
             "phone" if method == "voicemail" else method)
        )  # fmt: skip
        if v["retaliation_alleged"]:
            notes = "Sent to Human Resource Management's intake mailbox."
            v.update(hr_referred_at=responded, hr_referral_notes=notes)
            events.append(("hr_referral", responded, assignee, notes, ""))
        days_since = (now - responded).days
        if self.scale.timeline and rng.random() < 0.5:
            v["status"] = Inquiry.Status.IN_PROGRESS
            events.append(
                ("contact", self.between(responded, now), assignee,
                 "Spoke with the area office supervisor.", "phone")
            )  # fmt: skip
        if days_since >= 3 and rng.random() < min(0.95, 0.2 + days_since / 40):
            resolved = self.between(responded, min(responded + timedelta(days=25), now))
            outcome = rng.choice(OUTCOMES)
            summary = "The concern was addressed with the area office."
            v.update(
                status=Inquiry.Status.RESOLVED,
                resolved_at=resolved,
                outcome=outcome,
                resolution_summary=summary,
            )
            events.append(
                ("resolved", resolved, assignee, f"{OUTCOME_LABELS[outcome]}: {summary}", "")
            )
            if (now - resolved).days >= 7 and rng.random() < 0.85:
                closed = self.between(resolved, min(resolved + timedelta(days=10), now))
                v.update(status=Inquiry.Status.CLOSED, closed_at=closed)
                events.append(("closed", closed, assignee, "", ""))
        elif v["status"] == Inquiry.Status.RESPONDED and rng.random() < 0.5:
            v["status"] = Inquiry.Status.IN_PROGRESS

    # --- the whole set -------------------------------------------------------------------
    def build(self) -> dict[str, int]:
        rows = [self.inquiry(self.received_at()) for _ in range(self.scale.inquiries)]
        if self.cal.is_business_day(self.now.astimezone(self.cal.tz).date()):
            # Routine inquiries received two business days ago: due today at 17:00.
            day = self.business_days_ago(2)
            for n in range(DUE_TODAY):
                moment = datetime.combine(day, time(9 + n, 15), tzinfo=self.cal.tz)
                rows.append(self.inquiry(moment, keep_waiting=True, urgency="routine"))
        rows.sort(key=lambda row: row["values"]["received_at"])
        inquiries = [self.make_inquiry(**row["values"]) for row in rows]
        self.references(inquiries)
        if self.scale.history:
            inquiries = bulk_create_with_history(inquiries, Inquiry, batch_size=5000)
        else:
            inquiries = Inquiry.objects.bulk_create(inquiries, batch_size=5000)
        cutoff = (
            self.now - timedelta(days=self.scale.timeline_days)
            if self.scale.timeline_days
            else None
        )
        events = [
            self.make_event(
                inquiry_id=inquiry.pk, kind=kind, occurred_at=at, actor_id=actor,
                summary=summary, method=method,
            )
            for inquiry, row in zip(inquiries, rows, strict=True)
            if cutoff is None or inquiry.is_open or inquiry.received_at >= cutoff
            for kind, at, actor, summary, method in row["events"]
        ]  # fmt: skip
        InquiryEvent.objects.bulk_create(events, batch_size=10_000)
        consultations = self.consultations(inquiries)
        waiting = [i for i in inquiries if i.initial_response_at is None and i.is_open]
        return {
            "inquiries": len(inquiries),
            "open": sum(1 for i in inquiries if i.is_open),
            "overdue": sum(1 for i in waiting if i.initial_response_due_at < self.now),
            "events": len(events),
            "consultations": consultations,
        }

    def references(self, inquiries: list[Inquiry]) -> None:
        """OMB-<year>-<number> in order of receipt, after any number already handed out;
        the counters move on, so inquiries recorded afterwards get the next numbers."""
        counters = dict(
            ReferenceCounter.objects.filter(prefix=REFERENCE_PREFIX).values_list("year", "last")
        )
        per_year: Counter[int] = Counter(counters)
        for inquiry in inquiries:
            year = inquiry.received_at.astimezone(self.cal.tz).year
            per_year[year] += 1
            inquiry.reference = f"{REFERENCE_PREFIX}-{year}-{per_year[year]:06d}"
            inquiry.search_document = _search_document(inquiry)
        for year, last in per_year.items():
            ReferenceCounter.objects.update_or_create(
                prefix=REFERENCE_PREFIX, year=year, defaults={"last": last}
            )

    def consultations(self, inquiries: list[Inquiry]) -> int:
        """Questions to regional staff on open inquiries, the demo supervisor and area
        administrator first (their first ones waiting for an answer); about half of the
        others answered."""
        rng = self.rng
        candidates = [i for i in inquiries if i.is_open and i.assignee_id]
        if not candidates or not self.regional:
            return 0
        chosen = rng.sample(candidates, min(self.scale.consultations, len(candidates)))
        consultations, events = [], []
        for n, inquiry in enumerate(chosen):
            consulted = (
                self.demo_regional[n % len(self.demo_regional)]
                if n < 2 * len(self.demo_regional)
                else rng.choice(self.regional)
            )
            asked = self.between(inquiry.assigned_at or inquiry.received_at, self.now)
            question = rng.choice(CONSULTATION_QUESTIONS)
            replied = n >= len(self.demo_regional) and rng.random() < 0.5
            answered_at = self.between(asked, self.now) if replied else None
            reply = "Yes: the worker will call the family by Friday." if replied else ""
            consultations.append(
                Consultation(
                    inquiry=inquiry,
                    consulted=consulted,
                    question=question,
                    requested_by_id=inquiry.assignee_id,
                    requested_at=asked,
                    reply=reply,
                    replied_at=answered_at,
                )
            )
            events.append(
                self.make_event(inquiry_id=inquiry.pk, kind="consultation", occurred_at=asked,
                                actor_id=inquiry.assignee_id, party=display_name(consulted),
                                summary=question)
            )  # fmt: skip
            if replied:
                events.append(
                    self.make_event(inquiry_id=inquiry.pk, kind="consultation_reply",
                                    occurred_at=answered_at, actor_id=consulted.pk,
                                    party=display_name(consulted), summary=reply)
                )  # fmt: skip
        bulk_create_with_history(consultations, Consultation, batch_size=2000)
        InquiryEvent.objects.bulk_create(events, batch_size=5000)
        return len(consultations)


def _weighted(rng: random.Random, people: list, favourite, share: float):
    """One of `people`, `favourite` (a demo login) with probability `share`."""
    if favourite is not None and rng.random() < share:
        return favourite
    return rng.choice(people)
