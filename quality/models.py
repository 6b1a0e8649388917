"""The Office of Quality and Planning's records: the key-indicator facts behind the
dashboards, case reviews against a review instrument, Administrative Case Reviews, and
significant events.

Fields, constraints and indexes only. How the facts are computed lives in
quality/facts.py (kept current by Celery), the indicators' definitions in
quality/indicators.py, every write in quality/services/.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import Region, Unit, WorkLocation
from casework.models import Case, CaseMember, Person

USER = settings.AUTH_USER_MODEL


# --- Key-indicator facts (quality/facts.py computes them) --------------------------------


class MemberMonth(models.Model):
    """One child, mother or father on a case during one calendar month: the grain of the
    visit indicators and of their drill-down to "who was not seen in which month".

    The case's unit, office, region and primary worker are copied as they stand when the
    month is computed, so every level of the dashboard filters on its own indexed column.
    """

    ROLES = (CaseMember.Role.CHILD, CaseMember.Role.MOTHER, CaseMember.Role.FATHER)

    month = models.DateField(help_text="The first day of the month.")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=CaseMember.Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    work_location = models.ForeignKey(WorkLocation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    open_whole_month = models.BooleanField(
        help_text="The case was open, and the person on it, from the first to the last day."
    )
    in_care_whole_month = models.BooleanField(
        default=False, help_text="A child placed out of home on every day of the month."
    )
    whereabouts_unknown = models.BooleanField(default=False)
    visits = models.PositiveSmallIntegerField(
        default=0, help_text="Completed visits in the month at which the person was seen."
    )
    visits_in_residence = models.PositiveSmallIntegerField(default=0)
    seen_privately = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "case", "person"], name="member_month_once")
        ]
        indexes = [
            models.Index(fields=["month", "unit", "role"]),
            models.Index(fields=["month", "worker", "role"]),
            models.Index(fields=["person", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.case_id} in {self.month:%Y-%m}"

    @property
    def seen(self) -> bool:
        return self.visits > 0


class CaseFact(models.Model):
    """One thing an indicator counts on a case, in the month it fell due: an assessment,
    a first case plan, a plan review, a kin home-study referral, a child reaching 15 of
    22 months in care. Its outcome (on time, late, not done, ...) decides whether it
    counts towards the numerator; the drill-down lists these rows."""

    indicator = models.CharField(max_length=40)
    month = models.DateField(help_text="The first day of the month it fell due.")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20)
    met = models.BooleanField()
    what = models.CharField(max_length=150, help_text='E.g. "Safety assessment".')
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    work_location = models.ForeignKey(WorkLocation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["indicator", "month", "unit"]),
            models.Index(fields=["indicator", "month", "worker"]),
            models.Index(fields=["month"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.what} due {self.due_on}: {self.outcome}"


class Tally(models.Model):
    """An indicator's numerator and denominator for one worker's cases in one unit and
    period (a month, or a federal fiscal year for the yearly measures), summed from the
    facts. Every level of the dashboard adds these rows up: a state view reads a few
    thousand of them, never the millions of visits behind them. `counts` holds the
    indicator's breakdown (e.g. IFF contacts seen on time, late, not yet seen)."""

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        FISCAL_YEAR = "fiscal_year", "Federal fiscal year"

    indicator = models.CharField(max_length=40)
    period = models.CharField(max_length=12, choices=Period.choices, default=Period.MONTH)
    starts_on = models.DateField(help_text="The month's first day, or 1 October.")
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    work_location = models.ForeignKey(WorkLocation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "tallies"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "starts_on", "unit", "worker"], name="tally_once"
            )
        ]
        indexes = [
            # The dashboard reads every indicator of a period at once (state, region).
            models.Index(fields=["period", "starts_on"]),
            models.Index(fields=["indicator", "period", "starts_on"]),
            models.Index(fields=["unit", "indicator", "period", "starts_on"]),
            models.Index(fields=["worker", "indicator", "period", "starts_on"]),
        ]

    def __str__(self) -> str:
        share = f"{self.numerator}/{self.denominator}"
        return f"{self.indicator} {self.starts_on} unit {self.unit_id}: {share}"


class FactRefresh(models.Model):
    """When the facts and tallies were last recomputed, and for which months (the
    dashboard says it). One row per run; the latest finished one counts."""

    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    first_month = models.DateField()
    last_month = models.DateField()
    member_months = models.PositiveIntegerField(default=0)
    tallies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"Refresh {self.first_month:%Y-%m} to {self.last_month:%Y-%m} at {self.started_at}"


class ChildPopulation(models.Model):
    """How many children live in the state or a region, by race and ethnicity group:
    the base of the referral rate in the disproportionality tables (quality/equity.py).
    Entered by a system administrator from census estimates; the demo's figures are
    placeholders and say so."""

    year = models.PositiveSmallIntegerField()
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the whole state.",
    )
    group = models.CharField(max_length=30)
    children = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "region", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "group"], name="child_population_once"
            ),
            models.UniqueConstraint(
                fields=["year", "group"],
                condition=Q(region__isnull=True),
                name="child_population_once_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region or 'State'} {self.group}: {self.children}"


class QualityRules(models.Model):
    """The office's numbers, editable by a system administrator (one row)."""

    acr_first_months = models.PositiveSmallIntegerField(
        "First Administrative Case Review (months after entering care)", default=6
    )
    acr_interval_months = models.PositiveSmallIntegerField(
        "Administrative Case Reviews after that (every this many months)", default=6
    )
    acr_reminder_days = models.PositiveSmallIntegerField(
        "Remind about an Administrative Case Review due within (days)", default=30
    )
    review_lookback_months = models.PositiveSmallIntegerField(
        "Samples leave out cases reviewed within (months)", default=12
    )
    facts_months = models.PositiveSmallIntegerField(
        "Months of key-indicator facts kept current", default=24
    )
    # ORE data requests: the target for an answer, in business days from receipt (time
    # waiting for a DCF-5102 project scope does not count), by category.
    ore_target_ad_hoc = models.PositiveSmallIntegerField(
        "ORE target: ad hoc request (business days)", default=15
    )
    ore_target_foia = models.PositiveSmallIntegerField(
        "ORE target: FOIA request, with Legal Affairs (business days)", default=4
    )
    ore_target_legislative = models.PositiveSmallIntegerField(
        "ORE target: legislative request (business days)", default=5
    )
    ore_target_federal_reporting = models.PositiveSmallIntegerField(
        "ORE target: federal reporting (business days)", default=20
    )
    ore_target_research = models.PositiveSmallIntegerField(
        "ORE target: research request (business days)", default=30
    )
    ore_target_other = models.PositiveSmallIntegerField(
        "ORE target: other request (business days)", default=15
    )
    ore_due_soon_business_days = models.PositiveSmallIntegerField(
        "Remind the ORE analyst and lead when a request is due within (business days)",
        default=3,
    )
    ore_max_file_mb = models.PositiveSmallIntegerField(
        "Largest ORE request attachment or deliverable accepted (MB)", default=25
    )

    class Meta:
        verbose_name = verbose_name_plural = "quality rules"

    def __str__(self) -> str:
        return "Quality rules"


# --- Case reviews ---------------------------------------------------------------------------


class ReviewInstrument(models.Model):
    """A case-review instrument: its outcomes and the items rated under each (a CFSR-style
    instrument is seeded). Editable in Django admin."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReviewOutcome(models.Model):
    """An outcome of an instrument ("Safety 1: children are first and foremost protected
    from abuse and neglect"), achieved or not from the ratings of its items."""

    instrument = models.ForeignKey(
        ReviewInstrument, on_delete=models.CASCADE, related_name="outcomes"
    )
    code = models.CharField(max_length=30, help_text='E.g. "Safety 1".')
    statement = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="review_outcome_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.statement}"


class ReviewItem(models.Model):
    """An item rated Strength, Area Needing Improvement or Not Applicable, with the
    questions the reviewer answers to rate it."""

    outcome = models.ForeignKey(ReviewOutcome, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    questions = models.TextField(help_text="One question per line.")

    class Meta:
        ordering = ["outcome__instrument", "number"]

    def __str__(self) -> str:
        return f"Item {self.number}: {self.title}"


class ReviewSample(models.Model):
    """A reproducible random sample of open cases of one office and case type: the same
    seed over the same eligible cases draws the same cases."""

    instrument = models.ForeignKey(ReviewInstrument, on_delete=models.PROTECT, related_name="+")
    work_location = models.ForeignKey(WorkLocation, on_delete=models.PROTECT, related_name="+")
    case_type = models.CharField(max_length=20, choices=Case.Type.choices)
    size = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField()
    drawn_at = models.DateTimeField(default=clock.now)
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=100, blank=True, help_text='E.g. "Spring 2026".')

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"Sample of {self.size} {self.get_case_type_display()} cases, {self.work_location}"


class CaseReview(models.Model):
    """One case reviewed against an instrument, usually drawn in a sample."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    instrument = models.ForeignKey(ReviewInstrument, on_delete=models.PROTECT, related_name="+")
    sample = models.ForeignKey(
        ReviewSample, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    created_at = models.DateTimeField(default=clock.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "case"],
                condition=Q(sample__isnull=False),
                name="case_review_once_per_sample",
            )
        ]
        indexes = [models.Index(fields=["case", "completed_at"])]

    def __str__(self) -> str:
        return f"Review of {self.case} ({self.get_status_display()})"


class ItemRating(models.Model):
    class Rating(models.TextChoices):
        STRENGTH = "strength", "Strength"
        AREA_NEEDING_IMPROVEMENT = "area_needing_improvement", "Area Needing Improvement"
        NOT_APPLICABLE = "not_applicable", "Not Applicable"

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=30, choices=Rating.choices)
    rationale = models.TextField()
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="item_rated_once")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_rating_display()}"


# --- Administrative Case Reviews ----------------------------------------------------------


class AdministrativeCaseReview(models.Model):
    """The periodic review of a child in care (state law and federal regulation): within
    6 months of entering care and every 6 months after (QualityRules)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    participants = models.TextField(help_text="Who took part, one per line, with their role.")
    parents_participated = models.BooleanField(default=False)
    findings = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["child", "held_on"])]

    def __str__(self) -> str:
        return f"ACR for {self.child} on {self.held_on}"


# --- Significant events -----------------------------------------------------------------------


class SignificantEvent(models.Model):
    """A significant event or incident, tracked by risk management and reported in
    aggregate; a child fatality or other serious event may open a Special Qualitative
    Review."""

    class Kind(models.TextChoices):
        CHILD_FATALITY = "child_fatality", "Child fatality"
        NEAR_FATALITY = "near_fatality", "Near fatality"
        EMERGENCY_SAFETY_INTERVENTION = (
            "emergency_safety_intervention",
            "Emergency safety intervention",
        )
        SERIOUS_OCCURRENCE = "serious_occurrence", "Serious occurrence"
        ADVERSE_EVENT_RESEARCH = "adverse_event_research", "Adverse event during research"

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    work_location = models.ForeignKey(
        WorkLocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency location concerned, if any.",
    )
    facility = models.CharField(
        max_length=200, blank=True, help_text="Where it happened: facility, home or place."
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="significant_events"
    )
    persons = models.ManyToManyField(Person, blank=True, related_name="+")
    description = models.TextField()
    reporter = models.CharField(
        max_length=200, help_text="Who reported it, and their role or relationship."
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["work_location", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"


class EventNotificationRule(models.Model):
    """An official notified at once when an event of a kind is recorded (editable in
    Django admin)."""

    kind = models.CharField(max_length=40, choices=SignificantEvent.Kind.choices)
    official = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "official"], name="event_rule_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: notify {self.official}"


# --- Special Qualitative Reviews (confidential) -----------------------------------------------


class SpecialQualitativeReview(models.Model):
    """A confidential review of a child fatality or other significant event. Privileged:
    only users granted access one by one (django-guardian `view_specialqualitativereview`
    on the review) may reach it, by any path; every reach is logged (SqrAccessLog). No
    history table: the access log and the records' own dates are the trail."""

    class Status(models.TextChoices):
        OPEN = "open", "Opened"
        BRIEFED = "briefed", "Briefing held"
        IN_REVIEW = "in_review", "Records and interviews"
        REPORT_DRAFT = "report_draft", "Report in draft"
        FINAL = "final", "Report final"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    event = models.ForeignKey(SignificantEvent, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=clock.now)
    briefing_held_on = models.DateField(null=True, blank=True)
    briefing_participants = models.TextField(
        blank=True,
        help_text="Who took part: the region, office or facility, the Commissioner's "
        "office, Central Office. One per line.",
    )
    records_examined = models.TextField(
        blank=True, help_text="Electronic and paper records examined, one per line."
    )
    report = models.TextField(blank=True, help_text="The report's narrative.")
    report_finalized_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "Special Qualitative Review"
        permissions = [
            ("grant_specialqualitativereview", "Can grant access to Special Qualitative Reviews")
        ]

    def __str__(self) -> str:
        # Neutral on purpose: Django shows this in places the gatekeeper does not guard
        # (admin's "protected objects" when deleting a user, log entries).
        return "Confidential review"


class SqrInterview(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", "Staff interview"
        COLLATERAL = "collateral", "Collateral interview"
        EXPERT = "expert", "Expert consultation"

    review = models.ForeignKey(
        SpecialQualitativeReview, on_delete=models.CASCADE, related_name="interviews"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    who = models.CharField(max_length=200, help_text="Name and role, or the expert's field.")
    held_on = models.DateField()
    notes = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.who}"


class SqrFinding(models.Model):
    """A finding in one of the three core areas, internal or external to the agency."""

    class Area(models.TextChoices):
        PRACTICE = "practice", "Practice"
        POLICIES = "policies", "Policies and procedures"
        SYSTEMS = "systems", "Systems"

    class Scope(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"

    review = models.ForeignKey(
        SpecialQualitativeReview, on_delete=models.CASCADE, related_name="findings"
    )
    area = models.CharField(max_length=10, choices=Area.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    theme = models.CharField(
        max_length=100, help_text='A short theme for the learning page, e.g. "Safety planning".'
    )
    finding = models.TextField()

    class Meta:
        ordering = ["area", "pk"]
        indexes = [models.Index(fields=["area", "theme"])]

    def __str__(self) -> str:
        return f"{self.get_area_display()} ({self.get_scope_display()}): {self.theme}"


class SqrRecommendation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_ADOPTED = "not_adopted", "Not adopted"

    finding = models.ForeignKey(
        SqrFinding, on_delete=models.CASCADE, related_name="recommendations"
    )
    recommendation = models.TextField()
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"Recommendation due {self.due_on} ({self.get_status_display()})"


class SqrAccessLog(models.Model):
    """Every reach of a review: who, when, what (page, download, print, export, API,
    admin), and whether it was refused. Shown to those who grant access."""

    review = models.ForeignKey(
        SpecialQualitativeReview, on_delete=models.CASCADE, related_name="access_log"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)
    action = models.CharField(max_length=40)
    what = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["review", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.review_id} at {self.at}"


class SqrGrant(models.Model):
    """Who granted whom access to a review, and when (the grant itself is a
    django-guardian object permission; this keeps who decided)."""

    review = models.ForeignKey(
        SpecialQualitativeReview, on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=clock.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.user} on {self.review_id}"


class SqrExternalShare(models.Model):
    """A review shared outside the agency, only as the Commissioner or a designee
    authorizes."""

    review = models.ForeignKey(
        SpecialQualitativeReview, on_delete=models.CASCADE, related_name="external_shares"
    )
    shared_with = models.CharField(max_length=200, help_text="Person and organisation.")
    purpose = models.TextField()
    authorized_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    shared_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-shared_on"]

    def __str__(self) -> str:
        return f"Shared with {self.shared_with} on {self.shared_on}"


# --- ORE data requests (DCF-5101 and DCF-5102) ------------------------------------------


class DataRequest(models.Model):
    """A request for data to the Office for Research and Evaluation on form DCF-5101, from
    a member of staff (submitted in Hearth) or from outside the agency (entered by ORE
    from an email or letter), followed from receipt to delivery and close.

    The clock: the answer is due `target` business days after receipt (by category, from
    QualityRules), pushed back by every business day spent waiting for a DCF-5102 project
    scope. quality/services/data_requests.py keeps `due_on` and `hold_business_days`
    current; quality/selectors/data_requests.py decides who sees which request.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        CATALOGED = "cataloged", "Cataloged, being vetted"
        SCOPE_REQUESTED = "scope_requested", "Waiting for a project scope (DCF-5102)"
        IRB_REVIEW = "irb_review", "In IRB review"
        APPROVED = "approved", "Approved, awaiting an analyst"
        ASSIGNED = "assigned", "Assigned to an analyst"
        IN_PROGRESS = "in_progress", "In progress"
        DELIVERED = "delivered", "Delivered"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    OPEN = (
        Status.RECEIVED,
        Status.CATALOGED,
        Status.SCOPE_REQUESTED,
        Status.IRB_REVIEW,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
    )

    class Category(models.TextChoices):
        AD_HOC = "ad_hoc", "Ad hoc"
        FOIA = "foia", "FOIA (with Legal Affairs)"
        LEGISLATIVE = "legislative", "Legislative"
        FEDERAL_REPORTING = "federal_reporting", "Federal reporting"
        RESEARCH = "research", "Research"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        HEARTH = "hearth", "Submitted in Hearth"
        EMAIL = "email", "Email"
        MAIL = "mail", "Mail"
        OTHER = "other", "Other"

    class Format(models.TextChoices):
        SPREADSHEET = "spreadsheet", "Spreadsheet (Excel or CSV)"
        REPORT = "report", "Written report"
        TABLES = "tables", "Summary tables"
        DATASET = "dataset", "Record-level data set"
        OTHER = "other", "Other"

    class IrbDecision(models.TextChoices):
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        NOT_APPROVED = "not_approved", "Not approved"

    reference = models.CharField(max_length=20, unique=True, help_text='e.g. "ORE-2026-0042".')
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)

    # Who asks: a member of staff, or someone outside the agency.
    requester = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_requests",
        help_text="The member of staff asking; empty for an external requester.",
    )
    requester_name = models.CharField(max_length=150)
    organization = models.CharField(
        max_length=200, help_text="The requester's organisation, division or office."
    )
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=30, blank=True)
    requester_address = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.HEARTH)
    received_at = models.DateTimeField(default=clock.now)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    # The request (DCF-5101).
    title = models.CharField(max_length=200, help_text="A short name for the request.")
    purpose = models.TextField(help_text="Why the data are needed.")
    questions = models.TextField(help_text="The questions the data should answer.")
    data_elements = models.TextField(blank=True, help_text="The data elements wanted.")
    population = models.CharField(max_length=300, blank=True)
    time_period = models.CharField(max_length=200, blank=True)
    geography = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.SPREADSHEET)
    date_needed = models.DateField(null=True, blank=True)
    identifiable_data = models.BooleanField(
        default=False, help_text="Asks for data that identify children, families or staff."
    )
    intended_use = models.TextField(blank=True)
    dissemination = models.TextField(blank=True, help_text="Who will see the results, and how.")
    is_research = models.BooleanField(
        default=False, help_text="Research goes to the IRB after ORE's assessment."
    )

    # ORE's handling.
    catalog_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    cataloged_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    vetted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vetted_at = models.DateTimeField(null=True, blank=True)
    irb_submitted_on = models.DateField(null=True, blank=True)
    irb_decision = models.CharField(max_length=30, choices=IrbDecision.choices, blank=True)
    irb_decided_on = models.DateField(null=True, blank=True)
    irb_notes = models.TextField(blank=True)
    analyst = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="ore_assignments"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.TextField(blank=True)
    delivery_link = models.URLField(blank=True, max_length=500)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The clock (kept by the services).
    target_business_days = models.PositiveSmallIntegerField(default=15)
    hold_business_days = models.PositiveSmallIntegerField(
        default=0, help_text="Business days spent waiting for a project scope (finished holds)."
    )
    on_hold_since = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(help_text="Receipt + target + business days on hold.")
    business_days_to_delivery = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Receipt to delivery, less the time on hold."
    )

    # The catalog's search runs on this one column (lower-cased; trigram index on Postgres).
    search_document = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("work_datarequest", "Work ORE data requests (ORE staff)"),
            ("lead_datarequest", "Lead ORE: assign data requests and receive their reminders"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["requester", "-received_at"]),
            models.Index(fields=["analyst", "status"]),
            models.Index(fields=["category", "-received_at"]),
            models.Index(fields=["organization"]),
            models.Index(fields=["-received_at", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["received"]) | ~Q(category=""),
                name="data_request_cataloged_has_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ProjectScope(models.Model):
    """A DCF-5102 project scope ORE asked for. The request's clock stops from
    `requested_at` until `received_at`; each ask is one hold."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="scopes")
    requested_at = models.DateTimeField(default=clock.now)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    what_ore_needs = models.TextField(help_text="What the scope must clarify.")
    received_at = models.DateTimeField(null=True, blank=True)
    objectives = models.TextField(blank=True)
    methodology = models.TextField(blank=True)
    data_sources = models.TextField(blank=True)
    timeline = models.TextField(blank=True)
    deliverables = models.TextField(blank=True)
    confidentiality = models.TextField(
        blank=True, help_text="How identifiable data will be protected."
    )
    hold_business_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Business days the clock stood still (once received)."
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(received_at__isnull=True),
                name="project_scope_one_open_hold",
            )
        ]

    def __str__(self) -> str:
        return f"Project scope for {self.request.reference}"


def _data_request_file_path(item: "DataRequestFile", filename: str) -> str:
    return f"quality/data-requests/{item.request_id}/{filename}"


class DataRequestFile(models.Model):
    """A file with a request: the requester's attachment, a project scope, or one of
    ORE's deliverables. Downloaded through Hearth, never from a public URL."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", "Attachment to the request"
        SCOPE = "scope", "Project scope (DCF-5102)"
        DELIVERABLE = "deliverable", "Deliverable"

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to=_data_request_file_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["request", "kind"])]

    def __str__(self) -> str:
        return self.name


class DataRequestEvent(models.Model):
    """One step of a request's life, shown on its timeline (to the requester too)."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=DataRequest.Status.choices)
    note = models.TextField(blank=True)
    internal = models.BooleanField(
        default=False, help_text="ORE's own note: not shown to the requester."
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.get_status_display()}"
