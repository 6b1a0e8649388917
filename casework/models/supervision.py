"""Supervision: the monthly supervisory case review with its agreed next steps, and
reflective or group supervision notes per unit (not tied to a case)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import Unit
from casework.models import Case

USER = settings.AUTH_USER_MODEL


class SupervisoryReview(models.Model):
    """A supervisor's monthly review of one case with its worker: practice, not only
    compliance (safety, permanency, well-being, barriers, tasks, family engagement)."""

    class Focus(models.TextChoices):
        SAFETY = "safety", "Safety"
        PERMANENCY = "permanency", "Permanency"
        WELL_BEING = "well_being", "Well-being"
        BARRIERS = "barriers", "Barriers"
        TASKS = "tasks", "Tasks"
        FAMILY_ENGAGEMENT = "family_engagement", "Family engagement"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supervisory_reviews")
    held_on = models.DateField()
    supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    focus_areas = models.JSONField(
        default=list, help_text="What was discussed: a list of Focus values."
    )
    discussion = models.TextField(help_text="What was discussed, case by case.")
    clinical_guidance = models.TextField(
        blank=True, help_text="The clinical guidance the supervisor gave."
    )
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker acknowledged the review."
    )
    worker_comment = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["case", "-held_on"]),
            models.Index(fields=["worker", "held_on"]),
            models.Index(fields=["held_on"]),
        ]

    def __str__(self) -> str:
        return f"Supervisory review of {self.case.number} on {self.held_on}"


class NextStep(models.Model):
    """A next step agreed in a supervisory review: it appears in its owner's caseload
    as due until it is done."""

    review = models.ForeignKey(
        SupervisoryReview, on_delete=models.CASCADE, related_name="next_steps"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="next_steps")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="next_steps")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "done_on", "due_on"]),
            models.Index(fields=["case", "done_on"]),
        ]

    def __str__(self) -> str:
        return self.description


class SupervisionNote(models.Model):
    """Reflective or group supervision in a unit, not tied to one case."""

    class Kind(models.TextChoices):
        REFLECTIVE = "reflective", "Reflective supervision"
        GROUP = "group", "Group supervision"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervision_notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    held_on = models.DateField()
    supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(USER, blank=True, related_name="+")
    topics = models.CharField(max_length=300)
    notes = models.TextField()
    recorded_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["unit", "-held_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(topics=""), name="supervision_note_has_topics")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.unit}, {self.held_on}"
