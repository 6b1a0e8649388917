"""The Continuity of Operations Plan registry.

Every work location keeps one COOP plan (`CoopPlan`): who is accountable, the key staff
for an emergency, what to do in each kind of emergency, whom to notify and when, where
the hard copy is, and the plan document itself with every earlier version
(`PlanDocument`). Every calendar quarter the location's most senior administrator
communicates the plan to all staff, revises it and submits the revision to the Office of
Performance Management (OPM): one `QuarterlyDuties` row per plan and quarter holds all
three. Fields, constraints and indexes only; every write is in coop/services.py, duty
status in coop/duties.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import WorkLocation

USER = settings.AUTH_USER_MODEL


class CoopRules(models.Model):
    """OPM's numbers, editable by a system administrator (one row)."""

    grace_days = models.PositiveSmallIntegerField(
        "Duties fall due this many days after the quarter ends",
        default=0,
        help_text="0: on the quarter's last day.",
    )
    first_reminder_days = models.PositiveSmallIntegerField(
        "First reminder (days before the quarter ends)", default=30
    )
    second_reminder_days = models.PositiveSmallIntegerField(
        "Second reminder (days before the quarter ends)", default=7
    )
    max_document_mb = models.PositiveSmallIntegerField(
        "Largest plan document accepted (MB)", default=20
    )
    registry_quarters = models.PositiveSmallIntegerField(
        "Quarters shown in OPM's registry", default=4
    )

    class Meta:
        verbose_name = verbose_name_plural = "COOP rules"

    def __str__(self) -> str:
        return "COOP rules"


class CoopPlan(models.Model):
    """A work location's current Continuity of Operations Plan (one per location)."""

    work_location = models.OneToOneField(
        WorkLocation, on_delete=models.PROTECT, related_name="coop_plan"
    )
    senior_administrator = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="coop_plans",
        help_text="The location's most senior administrator, accountable for the plan "
        "and its quarterly duties.",
    )
    hard_copy_location = models.CharField(
        max_length=300,
        blank=True,
        help_text='Where staff find the printed plan, e.g. "Reception desk, red binder".',
    )
    assembly_point = models.CharField(
        max_length=300, blank=True, help_text="Where staff gather after leaving the building."
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["work_location__name"]
        indexes = [models.Index(fields=["senior_administrator"])]

    def __str__(self) -> str:
        return f"COOP plan: {self.work_location.name}"


class KeyStaff(models.Model):
    """Someone the plan names: to manage the overall response, or to represent the
    location at COOP meetings called by Central Office; each may have alternates."""

    class Duty(models.TextChoices):
        MANAGE_RESPONSE = "manage_response", "Manages the overall response"
        REPRESENT = "represent", "Represents the location at COOP meetings"

    plan = models.ForeignKey(CoopPlan, on_delete=models.CASCADE, related_name="key_staff")
    duty = models.CharField(max_length=20, choices=Duty.choices)
    alternate = models.BooleanField(
        default=False, help_text="Stands in when the primary person is not available."
    )
    user = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Their Hearth login, if they have one.",
    )
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=30)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["duty", "alternate", "name"]
        verbose_name_plural = "key staff"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_duty_display()}{', alternate' if self.alternate else ''})"


class EmergencyProcedure(models.Model):
    """What to do in one kind of emergency. Every plan covers the five standard kinds;
    a location adds others it faces (kind "other" with a title)."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", "Medical emergency"
        FIRE = "fire", "Fire"
        HAZARDOUS_MATERIALS = "hazardous_materials", "Release of hazardous materials"
        BOMB_THREAT = "bomb_threat", "Bomb threat"
        WEATHER = "weather", "Weather-related event"
        OTHER = "other", "Other"

    STANDARD = (Kind.MEDICAL, Kind.FIRE, Kind.HAZARDOUS_MATERIALS, Kind.BOMB_THREAT, Kind.WEATHER)

    plan = models.ForeignKey(CoopPlan, on_delete=models.CASCADE, related_name="procedures")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(
        max_length=150, blank=True, help_text='For "Other": the emergency, e.g. "Power outage".'
    )
    procedure = models.TextField(help_text="What staff do, step by step.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=~Q(kind="other"),
                name="coop_procedure_standard_kind_once",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(title=""),
                name="coop_procedure_other_has_title",
                violation_error_message='An "Other" emergency needs a title.',
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def name(self) -> str:
        return self.title if self.kind == self.Kind.OTHER else self.get_kind_display()


class NotificationCriterion(models.Model):
    """Whom to notify (an agency official or an outside emergency service), how to reach
    them, and under what conditions."""

    class Audience(models.TextChoices):
        AGENCY_OFFICIAL = "agency_official", "Agency official"
        EMERGENCY_SERVICE = "emergency_service", "Outside emergency service"

    plan = models.ForeignKey(CoopPlan, on_delete=models.CASCADE, related_name="notifications")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    who = models.CharField(max_length=150, help_text='e.g. "Regional Administrator", "911".')
    contact = models.CharField(max_length=150, blank=True, help_text="Phone or email.")
    conditions = models.TextField(help_text="When to notify them.")

    class Meta:
        ordering = ["audience", "pk"]
        verbose_name_plural = "notification criteria"

    def __str__(self) -> str:
        return self.who


def _document_path(document: "PlanDocument", filename: str) -> str:
    return f"coop/plans/{document.plan_id}/{filename}"


class PlanDocument(models.Model):
    """One version of the plan document (PDF). The newest is the current plan; every
    earlier version is kept."""

    plan = models.ForeignKey(CoopPlan, on_delete=models.CASCADE, related_name="documents")
    number = models.PositiveIntegerField(help_text="Version 1, 2, 3, ... of this plan.")
    file = models.FileField(upload_to=_document_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    summary = models.CharField(
        max_length=500, blank=True, help_text="What changed in this version."
    )
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="coop_document_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan.work_location.name}, version {self.number}"


class QuarterlyDuties(models.Model):
    """One plan's three duties in one calendar quarter: communicated to all staff,
    revised and updated, submitted to OPM (which accepts or returns it)."""

    class Channel(models.TextChoices):
        STAFF_MEETING = "staff_meeting", "Staff meeting"
        EMAIL = "email", "Email to all staff"
        INTRANET = "intranet", "Intranet posting"
        TRAINING = "training", "Training or drill"
        OTHER = "other", "Other"

    class Revision(models.TextChoices):
        NEW_VERSION = "new_version", "Revised: a new version of the plan"
        NO_CHANGES = "no_changes", "Reviewed: no changes needed"

    class Submission(models.TextChoices):
        NOT_SUBMITTED = "not_submitted", "Not submitted"
        SUBMITTED = "submitted", "Submitted, awaiting OPM"
        ACCEPTED = "accepted", "Accepted by OPM"
        RETURNED = "returned", "Returned by OPM"

    plan = models.ForeignKey(CoopPlan, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.DateField(help_text="The quarter's first day (see coop/quarters.py).")

    communicated_on = models.DateField(null=True, blank=True)
    communication_channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    staff_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many staff it reached."
    )
    communication_evidence = models.TextField(
        blank=True, help_text='e.g. "Sign-in sheet of the 14 October staff meeting".'
    )
    communicated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    revised_on = models.DateField(null=True, blank=True)
    revision = models.CharField(max_length=20, choices=Revision.choices, blank=True)
    revision_document = models.ForeignKey(
        PlanDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The new version, when the plan was revised.",
    )
    revision_note = models.TextField(
        blank=True, help_text="What changed, or the attestation that nothing needed to."
    )
    revised_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    submission = models.CharField(
        max_length=20, choices=Submission.choices, default=Submission.NOT_SUBMITTED
    )
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opm_comments = models.TextField(blank=True)
    opm_decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opm_decided_at = models.DateTimeField(null=True, blank=True)

    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-quarter"]
        verbose_name = verbose_name_plural = "quarterly duties"
        permissions = [("review_quarterlyduties", "Accept or return a quarter's plan (OPM)")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "quarter"], name="coop_duties_once_a_quarter"),
            models.CheckConstraint(
                condition=Q(communicated_on__isnull=True) | ~Q(communication_channel=""),
                name="coop_communication_has_channel",
            ),
            models.CheckConstraint(
                condition=Q(revised_on__isnull=True) | ~Q(revision=""),
                name="coop_revision_has_kind",
            ),
            models.CheckConstraint(
                condition=Q(submission="not_submitted") | Q(submitted_on__isnull=False),
                name="coop_submission_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["quarter", "submission"]),
        ]

    def __str__(self) -> str:
        from coop.quarters import Quarter

        return f"{self.plan.work_location.name}, {Quarter.of(self.quarter)}"
