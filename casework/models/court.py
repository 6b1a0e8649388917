"""Court work: hearings with the court report due before each, and petitions, including
termination of parental rights (which answers the 15-of-22-months rule)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from agency import clock
from casework.models import Case, Person

USER = settings.AUTH_USER_MODEL


class CourtPetition(models.Model):
    class Kind(models.TextChoices):
        NEGLECT = "neglect", "Neglect petition"
        OTC = "otc", "Order of temporary custody"
        COMMITMENT = "commitment", "Commitment"
        TPR = "tpr", "Termination of parental rights"
        REVOCATION = "revocation", "Revocation of commitment"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        FILED = "filed", "Filed"
        GRANTED = "granted", "Granted"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="petitions")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    filed_on = models.DateField()
    court = models.CharField(max_length=150)
    docket_number = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FILED)
    decided_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_on", "-pk"]
        indexes = [models.Index(fields=["case", "kind"]), models.Index(fields=["kind", "filed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child}, filed {self.filed_on}"


class CourtHearing(models.Model):
    class Kind(models.TextChoices):
        OTC = "otc", "Order of temporary custody hearing"
        PLEA = "plea", "Plea hearing"
        ADJUDICATION = "adjudication", "Adjudication"
        DISPOSITION = "disposition", "Disposition"
        PERMANENCY = "permanency", "Permanency plan hearing"
        REVIEW = "review", "Review hearing"
        TPR_TRIAL = "tpr_trial", "Termination of parental rights trial"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CONTINUED = "continued", "Continued"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    petition = models.ForeignKey(
        CourtPetition, on_delete=models.PROTECT, null=True, blank=True, related_name="hearings"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    scheduled_for = models.DateTimeField()
    court = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    outcome = models.TextField(blank=True)
    next_hearing = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="previous_hearing"
    )
    report_due_on = models.DateField(
        null=True,
        blank=True,
        help_text="The court report is due this day (see the lead time in the rules).",
    )
    report_filed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["case", "-scheduled_for"]),
            models.Index(fields=["status", "report_due_on"]),
            models.Index(fields=["scheduled_for"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.case.number}, {self.scheduled_for:%d %b %Y}"
