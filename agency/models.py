"""The organisation (regions, work locations, units, staff), closure days and
notifications. Rules live in agency/services.py; these are fields and constraints."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from agency import clock
from agency.roles import Role


class Region(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text='Short code, e.g. "R1".')
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WorkLocation(models.Model):
    class Kind(models.TextChoices):
        AREA_OFFICE = "area_office", "Area office"
        FACILITY = "facility", "Facility"
        CENTRAL_OFFICE = "central_office", "Central Office"

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_locations",
        help_text="Every area office and facility belongs to a region; Central Office does not.",
    )
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, default="CT")
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="central_office") | Q(region__isnull=False),
                name="worklocation_region_required",
                violation_error_message="Area offices and facilities belong to a region.",
            )
        ]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.postal_code}"


class Unit(models.Model):
    name = models.CharField(max_length=100)
    work_location = models.ForeignKey(WorkLocation, on_delete=models.PROTECT, related_name="units")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_units",
        help_text="A unit has one supervisor.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["work_location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["work_location", "name"], name="unit_name_per_location")
        ]

    def __str__(self) -> str:
        return f"{self.work_location.name}: {self.name}"


class StaffProfile(models.Model):
    """Links a login to where the person works and what they do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    job_title = models.CharField(max_length=100, blank=True)
    work_location = models.ForeignKey(WorkLocation, on_delete=models.PROTECT, related_name="staff")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        indexes = [models.Index(fields=["role"]), models.Index(fields=["work_location", "role"])]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    def clean(self) -> None:
        if (
            self.unit_id
            and self.work_location_id
            and self.unit.work_location_id != self.work_location_id
        ):
            raise ValidationError({"unit": "The unit must belong to the person's work location."})


class ClosureDay(models.Model):
    """A day the agency closed (weather, emergencies): not a business day."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}: {self.reason}"


class Notification(models.Model):
    # No index of its own: "notification_inbox" (recipient, -created_at) serves it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=60, help_text='What it is about, e.g. "iff_due_soon".')
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path inside Hearth.")
    # Reminders carry "<object>:<kind>:<threshold>" so a sweep that runs twice, or on
    # two workers at once, inserts the second copy into a unique index and stops there.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReferenceCounter(models.Model):
    """The last number handed out per prefix and year, for references people read out
    on the phone: "INT-2026-000123", "C-2026-000045"."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
