"""The practice model's records: intakes and their track, cases, people and families,
initial face-to-face contacts (IFF), and purposeful visits.

Fields, constraints and indexes only; the rules (track recommendation, due times,
approvals, the visit grid) live in casework/services/ and casework/selectors.py.
Every record keeps its history (django-simple-history) and is never hard-deleted from
the UI or API: cases close, visits are marked entered in error.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import Unit

USER = settings.AUTH_USER_MODEL


class ExceptionalCircumstance(models.Model):
    """A circumstance that keeps a report off the Family Assessment track.

    The CT slides count 15 without listing them here; the seed loads 15 placeholders,
    labelled as such, for an administrator to replace with the agency's own list."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Race(models.Model):
    """OMB race categories (a person may have several)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.label


class Person(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        X = "x", "X / another sex"
        UNKNOWN = "unknown", "Unknown"

    class Ethnicity(models.TextChoices):
        HISPANIC = "hispanic", "Hispanic or Latino"
        NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino"
        DECLINED = "declined", "Declined to answer"
        UNKNOWN = "unknown", "Unknown"

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(default=False)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    races = models.ManyToManyField(Race, blank=True, related_name="people")
    ethnicity = models.CharField(
        max_length=15, choices=Ethnicity.choices, default=Ethnicity.UNKNOWN
    )
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    communication_needs = models.TextField(
        blank=True, help_text="E.g. deaf or hard of hearing, uses ASL; reads large print."
    )
    tribal_affiliation = models.CharField(max_length=150, blank=True)
    # A parent may be missing (diligent search logged until found) or incarcerated.
    whereabouts_unknown = models.BooleanField(default=False)
    incarcerated = models.BooleanField(default=False)
    facility = models.CharField(max_length=200, blank=True)
    facility_contact = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name", "date_of_birth"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Case(models.Model):
    class Type(models.TextChoices):
        INVESTIGATION = "investigation", "Investigation"
        FAMILY_ASSESSMENT = "family_assessment", "Family assessment"
        IN_HOME = "in_home", "In-home services"
        OUT_OF_HOME = "out_of_home", "Out-of-home care"
        VOLUNTARY = "voluntary", "Voluntary services"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Candidacy(models.TextChoices):
        """Connecticut's Family First prevention candidacy (January 2020)."""

        ACCEPTED_CARELINE = "accepted_careline", "Family with an accepted Careline call"
        VOLUNTARY_SERVICES = "voluntary_services", "Family accepted for Voluntary Services"
        PREGNANT_PARENTING_YOUTH = (
            "pregnant_parenting_youth",
            ("Pregnant or parenting youth in foster care"),
        )
        SIBLING_IN_CARE = "sibling_in_care", "Sibling of a child in foster care"
        YOUTH_EXITING = "youth_exiting", "Youth exiting to permanency or aging out of care"
        CHRONIC_ABSENCE = "chronic_absence", "Community: chronic school absence or truancy"
        INCARCERATED_PARENT = "incarcerated_parent", "Community: child of an incarcerated parent"
        TRAFFICKED_YOUTH = "trafficked_youth", "Community: trafficked youth"
        UNSTABLY_HOUSED = "unstably_housed", "Community: unstably housed or homeless youth"
        INTERPERSONAL_VIOLENCE = (
            "interpersonal_violence",
            ("Community: family experiencing interpersonal violence"),
        )
        JUVENILE_REVIEW = "juvenile_review", ("Community: juvenile review board referral or arrest")
        PARENTING_CONDITION = (
            "parenting_condition",
            ("Community: substance use, mental health condition or disability affecting parenting"),
        )
        SUBSTANCE_EXPOSED_INFANT = (
            "substance_exposed_infant",
            ("Community: infant born substance-exposed"),
        )

    number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150, help_text='How staff refer to it: "Rivera family".')
    case_type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(default=clock.today)
    closed_on = models.DateField(null=True, blank=True)
    closing_reason = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases")
    primary_worker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="primary_cases")
    secondary_worker = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="secondary_cases"
    )
    candidacy = models.CharField(
        max_length=30, choices=Candidacy.choices, blank=True, verbose_name="Family First candidacy"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        permissions = [("approve_casework", "Approve extensions, assessments and plans")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="case_closed_on_matches_status",
                violation_error_message="A closed case has a closing date; an open one has none.",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["primary_worker", "status"]),
            models.Index(fields=["secondary_worker", "status"]),
            models.Index(fields=["status", "case_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class CaseMember(models.Model):
    """A person's place on a case. One row per person per case."""

    class Role(models.TextChoices):
        CHILD = "child", "Child"
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        CAREGIVER = "caregiver", "Caregiver"
        HOUSEHOLD_MEMBER = "household_member", "Household member"
        MATERNAL_RELATIVE = "maternal_relative", "Maternal relative"
        PATERNAL_RELATIVE = "paternal_relative", "Paternal relative"
        NATURAL_SUPPORT = "natural_support", "Natural support"
        FOSTER_PARENT = "foster_parent", "Foster parent"

    PARENT_ROLES = (Role.MOTHER, Role.FATHER)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    alleged_victim = models.BooleanField(default=False)
    custodial = models.BooleanField(
        default=True, help_text="For parents: has custody (unchecked: non-custodial parent)."
    )
    in_household = models.BooleanField(default=True)
    natural_support_kind = models.CharField(
        max_length=100, blank=True, help_text="E.g. former foster parent, coach, mentor, teacher."
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "role", "person__date_of_birth"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="casemember_once_per_case"),
            models.CheckConstraint(
                condition=Q(alleged_victim=False) | Q(role="child"),
                name="casemember_alleged_victim_is_child",
                violation_error_message="Only a child can be an alleged victim.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) on {self.case.number}"

    @property
    def is_parent(self) -> bool:
        return self.role in self.PARENT_ROLES


class Relationship(models.Model):
    """`person` is `kind` of `relative` (e.g. Ana is the mother of Leo); drawn as a
    genogram on the case page."""

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent of"
        PARTNER = "partner", "Partner of"
        FORMER_PARTNER = "former_partner", "Former partner of"
        SIBLING = "sibling", "Sibling of"
        GRANDPARENT = "grandparent", "Grandparent of"
        RELATIVE = "relative", "Other relative of"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "relative", "kind"], name="relationship_once"
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")),
                name="relationship_not_self",
                violation_error_message="A person cannot be related to themselves.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display().lower()} {self.relative}"


class DiligentSearchEntry(models.Model):
    """One effort to find a parent whose whereabouts are unknown."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="diligent_searches")
    searched_on = models.DateField()
    method = models.CharField(max_length=200, help_text="E.g. relative contact, DMV, DOC lookup.")
    result = models.TextField()
    found = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-searched_on", "-pk"]
        verbose_name_plural = "diligent search entries"

    def __str__(self) -> str:
        return f"Search for {self.person} on {self.searched_on}"


class Intake(models.Model):
    """A report accepted at the Careline, with its response time, risk and track."""

    class ReporterType(models.TextChoices):
        EDUCATION = "education", "School or education staff"
        MEDICAL = "medical", "Medical professional"
        MENTAL_HEALTH = "mental_health", "Mental-health professional"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
        SOCIAL_SERVICES = "social_services", "Social-services provider"
        CHILD_CARE = "child_care", "Child-care provider"
        PARENT = "parent", "Parent"
        RELATIVE = "relative", "Relative"
        NEIGHBOUR = "neighbour", "Neighbour or friend"
        ANONYMOUS = "anonymous", "Anonymous"
        OTHER = "other", "Other"

    class ResponseTime(models.TextChoices):
        SAME_DAY = "same_day", "Same day"
        H24 = "24h", "24 hours"
        H72 = "72h", "72 hours"

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        VERY_HIGH = "very_high", "Very high"

    class Track(models.TextChoices):
        INVESTIGATION = "investigation", "Investigation"
        FAMILY_ASSESSMENT = "family_assessment", "Family Assessment Response"

    reference = models.CharField(max_length=20, unique=True)
    accepted_at = models.DateTimeField()
    reporter_type = models.CharField(max_length=20, choices=ReporterType.choices)
    reporter_name = models.CharField(max_length=150, blank=True)
    narrative = models.TextField()
    response_time = models.CharField(max_length=10, choices=ResponseTime.choices)
    risk_level = models.CharField(max_length=10, choices=Risk.choices)
    exceptional_circumstances = models.ManyToManyField(
        ExceptionalCircumstance, blank=True, related_name="intakes"
    )
    recommended_track = models.CharField(max_length=20, choices=Track.choices)
    track = models.CharField(max_length=20, choices=Track.choices)
    track_override_reason = models.TextField(blank=True)
    track_overridden_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="intakes")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(track=models.F("recommended_track")) | ~Q(track_override_reason=""),
                name="intake_override_has_reason",
                violation_error_message="Overriding the recommended track needs a reason.",
            )
        ]
        indexes = [models.Index(fields=["accepted_at"])]

    def __str__(self) -> str:
        return self.reference


class Allegation(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
        SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
        EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
        PHYSICAL_NEGLECT = "physical_neglect", "Physical neglect"
        MEDICAL_NEGLECT = "medical_neglect", "Medical neglect"
        EDUCATIONAL_NEGLECT = "educational_neglect", "Educational neglect"
        EMOTIONAL_NEGLECT = "emotional_neglect", "Emotional neglect"

    class Finding(models.TextChoices):
        PENDING = "pending", "Pending"
        SUBSTANTIATED = "substantiated", "Substantiated"
        UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="allegations")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allegations")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The investigation's finding on this allegation (Family Assessment Response cases
    # make none: they stay pending).
    finding = models.CharField(max_length=20, choices=Finding.choices, default=Finding.PENDING)
    finding_on = models.DateField(null=True, blank=True)
    finding_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "child", "kind"], name="allegation_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.child}"


class IffContact(models.Model):
    """The initial face-to-face contact every alleged victim must have within the
    intake's response time. `due_at` is computed once, when written, and indexed."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="iff_contacts")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="iff_contacts")
    due_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "child"], name="iff_once_per_child")
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(seen_at__isnull=True), name="iff_pending")
        ]

    def __str__(self) -> str:
        return f"IFF {self.child} ({self.intake})"


class IffExtension(models.Model):
    class Reason(models.TextChoices):
        UNABLE_TO_LOCATE = "unable_to_locate", "Unable to locate after reasonable efforts"
        LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement protocol"
        CHILD_NOT_AVAILABLE = "child_not_available", "Child not available"
        ADDITIONAL_VICTIM = "additional_victim", "Additional victim on an existing intake"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    iff = models.ForeignKey(IffContact, on_delete=models.CASCADE, related_name="extensions")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    explanation = models.TextField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["iff"], condition=Q(status="pending"), name="iff_one_pending_extension"
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"Extension for {self.iff} ({self.get_status_display()})"


class IffAttempt(models.Model):
    """A follow-up attempt to see the child after an extension."""

    iff = models.ForeignKey(IffContact, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    outcome = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"Attempt for {self.iff} at {self.attempted_at:%Y-%m-%d %H:%M}"


class Visit(models.Model):
    """A purposeful visit: planned from the case plan with discussion points written in
    advance, then recorded as completed, attempted or cancelled."""

    class Location(models.TextChoices):
        CHILD_RESIDENCE = "child_residence", "Child's residence"
        FOSTER_HOME = "foster_home", "Foster home"
        OFFICE = "office", "Office"
        SCHOOL = "school", "School"
        OTHER = "other", "Other"

    # Where the child lives: the federal measure counts visits held there.
    RESIDENCE_LOCATIONS = (Location.CHILD_RESIDENCE, Location.FOSTER_HOME)

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COMPLETED = "completed", "Completed"
        ATTEMPTED = "attempted", "Attempted"
        CANCELLED = "cancelled", "Cancelled"

    class Barrier(models.TextChoices):
        UNABLE_TO_LOCATE = "unable_to_locate", "Unable to locate"
        NO_RESPONSE = "no_response", "No response"
        DECLINED = "declined", "Declined"
        WORKLOAD = "workload", "Workload"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits")
    planned_for = models.DateTimeField()
    location = models.CharField(max_length=20, choices=Location.choices)
    location_detail = models.CharField(max_length=200, blank=True)
    announced = models.BooleanField(default=True)
    discussion_points = models.TextField(help_text="Written before the visit, from the case plan.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    occurred_at = models.DateTimeField(null=True, blank=True)
    barrier = models.CharField(max_length=20, choices=Barrier.choices, blank=True)
    barrier_note = models.CharField(max_length=300, blank=True)
    topic_case_plan_goals = models.BooleanField("Case-plan goals", default=False)
    topic_services = models.BooleanField("Services", default=False)
    topic_well_being = models.BooleanField("Well-being", default=False)
    topic_safety_risk = models.BooleanField("Safety and risk", default=False)
    topic_family_feedback = models.BooleanField("Family feedback", default=False)
    narrative = models.TextField(blank=True)
    planned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_for"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned") | Q(occurred_at__isnull=False),
                name="visit_recorded_has_time",
                violation_error_message="A recorded visit has the time it happened.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["attempted", "cancelled"]) | ~Q(barrier=""),
                name="visit_not_held_has_barrier",
                violation_error_message="A visit that did not happen records why.",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "occurred_at"]),
            models.Index(fields=["status", "planned_for"]),
        ]

    def __str__(self) -> str:
        return f"Visit {self.case.number} {self.planned_for:%Y-%m-%d}"

    @property
    def in_residence(self) -> bool:
        return self.location in self.RESIDENCE_LOCATIONS


class VisitParticipant(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits")
    seen = models.BooleanField(default=False)
    seen_privately = models.BooleanField(
        default=False, help_text="For children: time with the worker alone."
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="visit_participant_once"),
            models.CheckConstraint(
                condition=Q(seen_privately=False) | Q(seen=True),
                name="visit_private_implies_seen",
                violation_error_message="A child seen privately was seen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.visit}"


class Assessment(models.Model):
    """A safety or risk assessment (Structured Decision Making style) or the ongoing
    family-centered assessment. Drafted by the worker, submitted, then approved or
    returned with comments by the supervisor."""

    class Kind(models.TextChoices):
        SAFETY = "safety", "Safety assessment"
        RISK = "risk", "Risk assessment"
        FAMILY_CENTERED = "family_centered", "Family-centered assessment"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with comments"

    class SafetyDecision(models.TextChoices):
        SAFE = "safe", "Safe"
        CONDITIONALLY_SAFE = "conditionally_safe", "Conditionally safe, with a safety plan"
        UNSAFE = "unsafe", "Unsafe"

    # The family-centered assessment's domains, in the order the practice model lists them.
    DOMAINS = (
        "safety", "risk", "domestic_violence", "substance_abuse", "medical", "dental",
        "educational", "psychosocial_functioning", "behavioral_health", "criminogenic_needs",
    )  # fmt: skip

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    due_on = models.DateField(help_text="From the case's events and the casework rules.")
    # Safety assessment.
    safety_decision = models.CharField(max_length=20, choices=SafetyDecision.choices, blank=True)
    threats = models.TextField("Safety threats identified", blank=True)
    safety_plan = models.TextField(blank=True)
    # Risk assessment.
    risk_level = models.CharField(max_length=10, choices=Intake.Risk.choices, blank=True)
    # Family-centered assessment: one section per domain, then how they fit together.
    safety = models.TextField(blank=True)
    risk = models.TextField(blank=True)
    domestic_violence = models.TextField(blank=True)
    substance_abuse = models.TextField(blank=True)
    medical = models.TextField(blank=True)
    dental = models.TextField(blank=True)
    educational = models.TextField(blank=True)
    psychosocial_functioning = models.TextField(blank=True)
    behavioral_health = models.TextField(blank=True)
    criminogenic_needs = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    protective_factors = models.TextField(blank=True)
    natural_supports = models.TextField(blank=True)
    family_input = models.TextField(blank=True)
    provider_input = models.TextField(blank=True)
    summary = models.TextField(
        "How the assessments fit together and inform the case plan", blank=True
    )
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-due_on", "-pk"]
        indexes = [
            models.Index(fields=["case", "kind"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case.number}"


class Placement(models.Model):
    """A child's out-of-home placement: least restrictive and close to home."""

    class ExitReason(models.TextChoices):
        # Exits to permanency (the permanency-within-12-months indicator counts these).
        REUNIFICATION = "reunification", "Reunification with parents"
        ADOPTION = "adoption", "Adoption"
        GUARDIANSHIP = "guardianship", "Guardianship"
        LIVING_WITH_RELATIVE = "living_with_relative", "Living with a relative"
        # Other exits.
        EMANCIPATION = "emancipation", "Emancipation (aged out)"
        TRANSFER = "transfer", "Transfer to another agency"
        RUNAWAY = "runaway", "Runaway"
        DEATH = "death", "Death of the child"
        OTHER = "other", "Other"

    PERMANENT_EXITS = (
        ExitReason.REUNIFICATION,
        ExitReason.ADOPTION,
        ExitReason.GUARDIANSHIP,
        ExitReason.LIVING_WITH_RELATIVE,
    )

    class Setting(models.TextChoices):
        KIN_LICENSED = "kin_licensed", "Kin (licensed)"
        KIN_UNLICENSED = "kin_unlicensed", "Kin (unlicensed)"
        FOSTER = "foster", "Licensed foster home"
        CONGREGATE = "congregate", "Congregate care"
        TRIAL_HOME_VISIT = "trial_home_visit", "Trial home visit"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    setting = models.CharField(max_length=20, choices=Setting.choices)
    caregiver = models.CharField(max_length=200, help_text="Who the child lives with.")
    address = models.CharField(max_length=300, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField(help_text="Why this placement, and why this setting.")
    end_reason = models.CharField(max_length=200, blank=True)
    exit_reason = models.CharField(
        "Why the child left care",
        max_length=25,
        choices=ExitReason.choices,
        blank=True,
        help_text="When this placement ended the child's time in care (not a move).",
    )
    emergency = models.BooleanField(
        "Emergency placement",
        default=False,
        help_text="No Family Team Decision Making meeting could be held before it: one is "
        "due within 72 hours after (configurable).",
    )
    # Unlicensed kin caregivers need a home-study referral within 30 days (configurable).
    home_study_referred_on = models.DateField(null=True, blank=True)
    entered_in_error = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_ends_after_start",
                violation_error_message="A placement ends on or after the day it starts.",
            )
        ]
        indexes = [models.Index(fields=["child", "start_date"]), models.Index(fields=["case"])]

    def __str__(self) -> str:
        return f"{self.child} with {self.caregiver} from {self.start_date}"


class PermanencyDecision(models.Model):
    """For a child in care 15 of the last 22 months: the termination petition filed, or
    the documented compelling reason not to file."""

    class Kind(models.TextChoices):
        PETITION_FILED = "petition_filed", "Termination petition filed"
        COMPELLING_REASON = "compelling_reason", "Compelling reason not to file"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="permanency_decisions")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    decided_on = models.DateField()
    note = models.TextField()
    petition = models.ForeignKey(
        "casework.CourtPetition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The termination petition filed (recorded with the petition in court work).",
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.child}"


class CasePlan(models.Model):
    """One version of a case plan. The family leads it; the supervisor approves it; a
    new version supersedes the approved one and the history of versions is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned with comments"
        SUPERSEDED = "superseded", "Superseded"

    class PermanencyGoal(models.TextChoices):
        REUNIFICATION = "reunification", "Reunification"
        ADOPTION = "adoption", "Adoption"
        GUARDIANSHIP = "guardianship", "Guardianship"
        OTHER = "other", "Another planned permanent living arrangement"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    family_participants = models.TextField(
        "Who from the family took part", help_text="Names and how each took part."
    )
    family_led = models.BooleanField("The family led the planning", default=False)
    maternal_family_engaged = models.BooleanField(default=False)
    paternal_family_engaged = models.BooleanField(default=False)
    permanency_goal = models.CharField(
        max_length=15, choices=PermanencyGoal.choices, blank=True,
        help_text="For children in care.",
    )  # fmt: skip
    concurrent_goal = models.CharField(
        max_length=15, choices=PermanencyGoal.choices, blank=True,
        help_text="The concurrent plan, for children in care.",
    )  # fmt: skip
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    review_due_on = models.DateField(
        null=True, blank=True, help_text="Set on approval: 6 months later (configurable)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="caseplan_version_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="approved"), name="caseplan_one_approved"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_due_on"]),
        ]

    def __str__(self) -> str:
        return f"Case plan v{self.version} for {self.case.number}"


class PlanGoal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    responsible = models.CharField(max_length=200, help_text="Who is responsible.")
    target_date = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.NOT_STARTED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanStep(models.Model):
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    responsible = models.CharField(max_length=200)
    target_date = models.DateField()
    status = models.CharField(
        max_length=15, choices=PlanGoal.Status.choices, default=PlanGoal.Status.NOT_STARTED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "order", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanService(models.Model):
    """A service or referral that meets a need in the plan."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referral sent"
        ACCEPTED = "accepted", "Accepted"
        STARTED = "started", "Started"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="services")
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    provider_service = models.ForeignKey(
        "casework.ProviderService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The service in the provider directory, when it is listed there.",
    )
    provider = models.CharField(max_length=200)
    service_type = models.CharField(max_length=200, help_text="E.g. parenting education.")
    evidence_based = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    referred_on = models.DateField("Referral sent on")
    accepted_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Completed or declined on.")
    decline_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "referred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.service_type} ({self.provider})"


class RecordView(models.Model):
    """Who opened which case or person record, when, and how (not what they saw)."""

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="views")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, related_name="views")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    viewed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [
            models.Index(fields=["case", "-viewed_at"]),
            models.Index(fields=["person", "-viewed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.case or self.person} ({self.channel})"


class CaseDue(models.Model):
    """What the caseload shows as due on a case, kept between requests (see
    casework/due.py): who is not yet visited this month, what its placements need, the
    assessments and plan reviews due, in words, as of `computed_on`, and when its
    initial contacts not yet made are due (overdue or not is worked out when shown).

    A derived record: any change to what it is computed from bumps `generation` and
    clears `computed_on`, and the caseload recomputes it on its next read."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="due"
    )
    generation = models.PositiveIntegerField(default=0)
    computed_on = models.DateField(null=True, blank=True)
    unvisited = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    items = models.JSONField(default=list, blank=True)
    iff_due = models.JSONField(
        default=list, blank=True, help_text="Due times (ISO 8601) of contacts not yet made."
    )

    class Meta:
        verbose_name = verbose_name_plural = "what is due on a case"

    def __str__(self) -> str:
        return f"Due on case {self.case_id} as of {self.computed_on or 'never'}"


class CaseworkRules(models.Model):
    """Numbers the policies leave to the agency, editable in Django admin (one row).
    The pages that use a rule say its current value."""

    iff_hours_24h = models.PositiveSmallIntegerField(
        "IFF window for 24-hour responses (hours)", default=24
    )
    iff_hours_72h = models.PositiveSmallIntegerField(
        "IFF window for 72-hour responses (hours)", default=72
    )
    iff_reminder_hours = models.PositiveSmallIntegerField(
        "Remind the worker when an IFF is due within (hours)", default=4
    )
    visit_reminder_days_left = models.PositiveSmallIntegerField(
        "Remind about unvisited children and parents with this many days left in the month",
        default=7,
    )
    safety_assessment_days = models.PositiveSmallIntegerField(
        "Safety assessment due (days after the intake is accepted)", default=2
    )
    risk_assessment_days = models.PositiveSmallIntegerField(
        "Risk assessment due (days after the intake is accepted)", default=30
    )
    family_assessment_days = models.PositiveSmallIntegerField(
        "Family-centered assessment due (days after the case opens)", default=60
    )
    assessment_reminder_days = models.PositiveSmallIntegerField(
        "Remind about assessments and plan reviews due within (days)", default=7
    )
    kin_home_study_days = models.PositiveSmallIntegerField(
        "Home-study referral due for an unlicensed kin placement (days)", default=30
    )
    plan_review_months = models.PositiveSmallIntegerField(
        "Case plan review due (months after approval)", default=6
    )
    first_plan_days = models.PositiveSmallIntegerField(
        "First case plan due (days after the case opens)", default=60
    )
    ftdm_emergency_hours = models.PositiveSmallIntegerField(
        "FTDM due after an emergency placement (hours)", default=72
    )
    shared_planning_first_days = models.PositiveSmallIntegerField(
        "First shared planning meeting due (days in care)", default=180
    )
    shared_planning_interval_months = models.PositiveSmallIntegerField(
        "Shared planning meetings after that (every this many months)", default=6
    )
    case_planning_meeting_days = models.PositiveSmallIntegerField(
        "Case-planning meeting with an in-home or FAR family due (days after the case opens)",
        default=30,
    )
    meeting_reminder_days = models.PositiveSmallIntegerField(
        "Remind about family meetings due within (days)", default=7
    )
    court_report_lead_days = models.PositiveSmallIntegerField(
        "Court report due (days before the hearing)", default=10
    )
    court_report_reminder_days = models.PositiveSmallIntegerField(
        "Remind about court reports due within (days)", default=5
    )
    next_step_reminder_days = models.PositiveSmallIntegerField(
        "Remind about supervisory next steps due within (days)", default=3
    )
    max_document_mb = models.PositiveSmallIntegerField(
        "Largest case document accepted (MB)", default=20
    )

    class Meta:
        verbose_name = verbose_name_plural = "casework rules"

    def __str__(self) -> str:
        return "Casework rules"


# The practice records of supervision, family meetings, court, documents, transfers and
# the provider directory live in their own modules; importing them here registers them.
from casework.models.court import CourtHearing, CourtPetition  # noqa: E402, F401
from casework.models.documents import CaseDocument, DocumentDownload  # noqa: E402, F401
from casework.models.meetings import FamilyMeeting, MeetingParticipant  # noqa: E402, F401
from casework.models.providers import Provider, ProviderService  # noqa: E402, F401
from casework.models.supervision import (  # noqa: E402, F401
    NextStep,
    SupervisionNote,
    SupervisoryReview,
)
from casework.models.transfers import CaseTransfer  # noqa: E402, F401
