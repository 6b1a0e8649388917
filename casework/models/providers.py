"""The provider directory: agencies and the services they offer, chosen when a case plan
adds a service (casework.PlanService is the referral)."""

from django.db import models
from simple_history.models import HistoricalRecords


class Provider(models.Model):
    name = models.CharField(max_length=200, unique=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["active", "name"])]

    def __str__(self) -> str:
        return self.name


class ProviderService(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(max_length=200, help_text="E.g. parenting education.")
    evidence_based = models.BooleanField(default=False)
    model_name = models.CharField(
        max_length=200, blank=True, help_text='The evidence-based model, e.g. "Triple P".'
    )
    languages = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    locations = models.CharField(max_length=300, blank=True, help_text="Towns or regions served.")
    capacity_note = models.CharField(
        max_length=300, blank=True, help_text='Capacity or waitlist, e.g. "6-week waitlist".'
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider__name", "service_type"]
        indexes = [
            models.Index(fields=["active", "service_type"]),
            models.Index(fields=["evidence_based", "active"]),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} ({self.provider.name})"
