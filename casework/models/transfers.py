"""Case transfers between units or offices: the sending supervisor asks, the receiving
supervisor accepts (naming the new worker) or declines. Access follows the case's unit."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from agency.models import Unit
from casework.models import Case

USER = settings.AUTH_USER_MODEL


class CaseTransfer(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="incoming_transfers")
    new_case_type = models.CharField(
        max_length=20,
        choices=Case.Type.choices,
        blank=True,
        help_text="E.g. investigation to in-home services; empty keeps the type.",
    )
    summary = models.TextField(help_text="The transfer summary for the receiving unit.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    new_primary_worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["to_unit", "status"]),
            models.Index(fields=["from_unit", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="requested"),
                name="transfer_one_pending_per_case",
                violation_error_message="This case already has a transfer waiting for a decision.",
            ),
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")),
                name="transfer_to_another_unit",
                violation_error_message="A transfer goes to another unit.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.from_unit} to {self.to_unit}"
