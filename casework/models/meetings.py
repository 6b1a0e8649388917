"""Family team meetings: Family Team Decision Making around a placement, shared
planning (permanency planning) meetings for children in care, case-planning meetings
with in-home and FAR families, child and family team meetings, family conferences.
When each is due lives in casework/meetings.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from casework.models import Case, Person, Placement

USER = settings.AUTH_USER_MODEL


class FamilyMeeting(models.Model):
    class Kind(models.TextChoices):
        FTDM = "ftdm", "Family Team Decision Making"
        SHARED_PLANNING = "shared_planning", "Shared planning (permanency planning) meeting"
        CASE_PLANNING = "case_planning", "Case-planning meeting with the family"
        CHILD_FAMILY_TEAM = "child_family_team", "Child and family team meeting"
        FAMILY_CONFERENCE = "family_conference", "Family conference"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    child = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The child the meeting is about (shared planning, FTDM).",
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        help_text="For an FTDM: the placement it decides on or follows.",
    )
    scheduled_for = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    decisions = models.TextField(blank=True)
    safety_discussion = models.TextField(blank=True)
    conditions_for_return = models.TextField(
        blank=True, help_text="What must change for the child to return home."
    )
    plan_changes = models.TextField(blank=True, help_text="What changes in the case plan.")
    cancel_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["case", "kind", "status"]),
            models.Index(fields=["status", "scheduled_for"]),
            models.Index(fields=["kind", "held_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_at__isnull=False),
                name="meeting_held_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.case.number}"


class MeetingParticipant(models.Model):
    """Someone invited to a meeting, and whether they came."""

    class Relation(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        MATERNAL_FAMILY = "maternal_family", "Maternal family"
        PATERNAL_FAMILY = "paternal_family", "Paternal family"
        CHILD = "child", "Child"
        CAREGIVER = "caregiver", "Caregiver or foster parent"
        PROVIDER = "provider", "Service provider"
        NATURAL_SUPPORT = "natural_support", "Natural support"
        AGENCY = "agency", "Agency staff"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(
        FamilyMeeting, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150)
    relation = models.CharField(max_length=20, choices=Relation.choices)
    invited_on = models.DateField(null=True, blank=True)
    attended = models.BooleanField(null=True, help_text="Empty until the meeting is recorded.")

    class Meta:
        ordering = ["relation", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"
