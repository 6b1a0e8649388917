"""Documents on a case or a person (court orders, reports, signed plans, evaluations),
stored through Django's storage API and downloaded only through Hearth, each download
logged."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from agency import clock
from casework.models import Case, Person

USER = settings.AUTH_USER_MODEL


def _document_path(document: "CaseDocument", filename: str) -> str:
    owner = f"cases/{document.case_id}" if document.case_id else f"people/{document.person_id}"
    return f"casework/documents/{owner}/{filename}"


class CaseDocument(models.Model):
    class Kind(models.TextChoices):
        COURT_ORDER = "court_order", "Court order"
        COURT_REPORT = "court_report", "Court report"
        REPORT = "report", "Report"
        SIGNED_PLAN = "signed_plan", "Signed plan"
        EVALUATION = "evaluation", "Evaluation"
        MEDICAL = "medical", "Medical record"
        SCHOOL = "school", "School record"
        CORRESPONDENCE = "correspondence", "Correspondence"
        OTHER = "other", "Other"

    class Visibility(models.TextChoices):
        CASE_TEAM = "case_team", "Everyone who can open the case"
        RESTRICTED = "restricted", "Restricted: the uploader and the case's supervisors"

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    document_date = models.DateField(help_text="The date on the document.")
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.CASE_TEAM
    )
    file = models.FileField(upload_to=_document_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Entered in error: hidden, never deleted."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-document_date", "-pk"]
        indexes = [
            models.Index(fields=["case", "-document_date"]),
            models.Index(fields=["person", "-document_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(person__isnull=False),
                name="document_on_case_or_person",
                violation_error_message="A document belongs to a case or a person.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentDownload(models.Model):
    """Who downloaded which document, when and how (page or API): logged like a case view."""

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"

    document = models.ForeignKey(CaseDocument, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["document", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} downloaded {self.document_id} ({self.channel})"
