"""The Ombudsman's records: inquiries and complaints, their timeline, consultations
with agency staff, attachments, and the office's rules.

Fields, constraints and indexes only. The clock (effective receipt, the initial-response
due time and its explanation), status changes and reminders live in
ombudsman/services.py and ombudsman/deadlines.py; the queue's filters in
ombudsman/selectors.py. `initial_response_due_at` is computed when an inquiry is
written and stored in an indexed column, so the queue sorts and filters on it in SQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from agency.models import Region, WorkLocation

USER = settings.AUTH_USER_MODEL

# The queue's default order puts inquiries still waiting for their initial response
# first, then by due time; indexed as this very expression (see Inquiry.Meta.indexes).
WAITING_FIRST = models.Case(
    models.When(initial_response_at__isnull=True, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class Inquiry(models.Model):
    """An inquiry or complaint to the Office of the Ombudsman, from any source and by
    any channel. Every one gets an initial response within two business days (some
    immediately)."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        LETTER = "letter", "Letter"
        FAX = "fax", "Fax"
        EMAIL = "email", "Email"
        WEB = "web", "Web form"
        WALK_IN = "walk_in", "Walk-in"

    class SourceType(models.TextChoices):
        CLIENT = "client", "Client"
        YOUTH = "youth", "Youth"
        FOSTER_PARENT = "foster_parent", "Foster parent"
        ADOPTIVE_PARENT = "adoptive_parent", "Adoptive parent"
        RELATIVE = "relative", "Relative"
        GOVERNOR_OFFICE = "governor_office", "Governor's Office"
        LEGISLATOR = "legislator", "Legislator"
        PROVIDER = "provider", "Provider"
        AGENCY_STAFF = "agency_staff", "Agency staff"
        ADVOCATE = "advocate", "Advocate"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        COMPLAINT = "complaint", "Complaint"
        INFORMATION_REFERRAL = "information_referral", "Information and referral"
        COMMISSIONER_CORRESPONDENCE = (
            "commissioner_correspondence",
            "Correspondence on behalf of the Commissioner",
        )

    class Scope(models.TextChoices):
        CASE_RELATED = "case_related", "Case-related"
        SYSTEMIC = "systemic", "Systemic"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        IMMEDIATE = "immediate", "Immediate"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        RESPONDED = "initial_response_sent", "Initial response sent"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class ResponseMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        FAX = "fax", "Fax"
        VOICEMAIL = "voicemail", "Voicemail left"

    class Outcome(models.TextChoices):
        INFORMATION_PROVIDED = "information_provided", "Information provided"
        REFERRED = "referred", "Referred elsewhere"
        RESOLVED_WITH_AGENCY = "resolved_with_agency", "Resolved with agency staff"
        PRACTICE_CHANGED = "practice_changed", "Agency practice or policy changed"
        NOT_SUBSTANTIATED = "not_substantiated", "Concern not substantiated"
        WITHDRAWN = "withdrawn", "Withdrawn by the inquirer"
        NO_CONTACT = "no_contact", "Inquirer could not be reached"
        OTHER = "other", "Other"

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.RESPONDED, Status.IN_PROGRESS)

    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.INQUIRY)
    scope = models.CharField(max_length=15, choices=Scope.choices, default=Scope.CASE_RELATED)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    status = models.CharField(max_length=25, choices=Status.choices, default=Status.NEW)

    # The inquirer: every field optional (anonymous inquiries are allowed).
    contact_name = models.CharField(max_length=150, blank=True)
    contact_organization = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=40, blank=True)

    received_at = models.DateTimeField(
        help_text="When the inquiry actually arrived (a letter's or fax's arrival)."
    )
    effective_received_at = models.DateTimeField(
        help_text="Receipt on the business calendar: the next business morning when it "
        "arrived after 17:00 or on a day that is not a business day."
    )
    initial_response_due_at = models.DateTimeField()
    subject = models.CharField(max_length=200)
    description = models.TextField()
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_location = models.ForeignKey(
        WorkLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ombudsman_inquiries",
    )
    persons = models.ManyToManyField("casework.Person", blank=True, related_name="+")

    retaliation_alleged = models.BooleanField(default=False)
    hr_referred_at = models.DateTimeField(
        null=True, blank=True, help_text="When the retaliation allegation went to HR."
    )
    hr_referral_notes = models.TextField(blank=True)

    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    initial_response_at = models.DateTimeField(null=True, blank=True)
    initial_response_method = models.CharField(
        max_length=10, choices=ResponseMethod.choices, blank=True
    )
    initial_response_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    initial_response_summary = models.TextField(blank=True)

    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, blank=True)
    resolution_summary = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Lower-cased reference, inquirer and people's names, subject and description: the
    # queue's search runs on this one column (a trigram index on Postgres).
    search_document = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every write: an edit made on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["search_document"])

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["initial_response_due_at", "pk"]
        permissions = [("lead_ombudsman", "Lead the Ombudsman's office (assign, report)")]
        indexes = [
            models.Index(
                WAITING_FIRST, F("initial_response_due_at"), F("id"), name="inquiry_queue"
            ),
            models.Index(
                F("assignee"),
                WAITING_FIRST,
                F("initial_response_due_at"),
                F("id"),
                name="inquiry_mine_queue",
            ),
            models.Index(fields=["status", "assignee"], name="inquiry_status_assignee"),
            # Inquiries still waiting for their initial response: the SLA filters (overdue,
            # due today, on track) and the lead's digest read only these.
            models.Index(
                fields=["initial_response_due_at", "status"],
                condition=Q(initial_response_at__isnull=True),
                name="inquiry_waiting_due",
            ),
            models.Index(fields=["initial_response_due_at", "id"], name="inquiry_due"),
            models.Index(fields=["status", "initial_response_due_at"], name="inquiry_status_due"),
            models.Index(
                fields=["assignee", "status", "initial_response_due_at"],
                name="inquiry_assignee_due",
            ),
            models.Index(fields=["received_at"], name="inquiry_received"),
            models.Index(fields=["-created_at"], name="inquiry_created"),
            models.Index(fields=["kind", "initial_response_due_at"], name="inquiry_kind_due"),
            models.Index(fields=["source_type"], name="inquiry_source"),
            models.Index(fields=["channel"], name="inquiry_channel"),
            models.Index(fields=["region"], name="inquiry_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hr_referred_at__isnull=True) | Q(retaliation_alleged=True),
                name="inquiry_hr_referral_needs_allegation",
                violation_error_message="Only a retaliation allegation is referred to HR.",
            ),
            models.CheckConstraint(
                condition=Q(initial_response_at__isnull=True)
                | (~Q(initial_response_method="") & Q(initial_response_by__isnull=False)),
                name="inquiry_response_complete",
                violation_error_message="An initial response needs its method and author.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | ~Q(outcome=""),
                name="inquiry_resolution_has_outcome",
                violation_error_message="A resolved inquiry needs an outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class InquiryEvent(models.Model):
    """One line of the inquiry's timeline: every action, contact and referral."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        EDITED = "edited", "Details changed"
        ASSIGNED = "assigned", "Assigned"
        INITIAL_RESPONSE = "initial_response", "Initial response"
        CONTACT = "contact", "Contact"
        CONSULTATION = "consultation", "Consultation requested"
        CONSULTATION_REPLY = "consultation_reply", "Consultation answered"
        REFERRAL = "referral", "Referral"
        HR_REFERRAL = "hr_referral", "Referred to Human Resource Management"
        NOTE = "note", "Note"
        URGENCY = "urgency", "Urgency changed"
        DUE_RECOMPUTED = "due_recomputed", "Due time recomputed"
        ATTACHMENT = "attachment", "Attachment added"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        FAX = "fax", "Fax"
        OTHER = "other", "Other"

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True)
    method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    # A referral's destination, a contact's counterpart.
    party = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["inquiry", "-occurred_at"], name="inquiry_event_timeline")]

    def __str__(self) -> str:
        return f"{self.inquiry.reference}: {self.get_kind_display()}"


class Consultation(models.Model):
    """The Ombudsman asks Regional, facility or Central Office staff about an inquiry.
    The person consulted sees this consultation (the question and the inquiry's
    reference and subject) and nothing else of the inquiry."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="consultations")
    consulted = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["consulted", "-requested_at"], name="consultation_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""),
                name="consultation_reply_has_text",
                violation_error_message="A reply needs its text.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inquiry.reference}: consultation with {self.consulted}"


def _attachment_path(instance: "InquiryAttachment", filename: str) -> str:
    return f"ombudsman/{instance.inquiry.reference}/{filename}"


class InquiryAttachment(models.Model):
    """A file received with or added to an inquiry (a letter's scan, an email's
    attachment). Downloaded through Hearth, never from a public URL."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class OmbudsmanRules(models.Model):
    """The office's clock settings, editable by a system administrator (one row)."""

    routine_business_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="A routine inquiry's initial response is due at 17:00 on this business "
        "day after the day of effective receipt.",
    )
    immediate_business_hours = models.PositiveSmallIntegerField(
        default=4,
        help_text="An immediate inquiry's initial response is due this many "
        "business hours after effective receipt.",
    )
    due_soon_business_hours = models.PositiveSmallIntegerField(
        default=4, help_text="Remind the assignee when this many business hours remain."
    )
    unassigned_alert_business_hours = models.PositiveSmallIntegerField(
        default=1,
        help_text="Tell the lead when an inquiry has stayed unassigned this many business "
        "hours after effective receipt.",
    )
    public_form_limit_per_hour = models.PositiveSmallIntegerField(
        default=5, help_text="Web-form submissions accepted from one address in an hour."
    )

    class Meta:
        verbose_name = "Ombudsman rules"
        verbose_name_plural = "Ombudsman rules"

    def __str__(self) -> str:
        return "Ombudsman rules"
