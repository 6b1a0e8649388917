"""Casework admin: the provider directory, kept by system administrators.

Providers with their services inline; a service no longer offered is made inactive
rather than deleted (plan services that referred to it keep the link, and deleting it
is refused while they do).
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from casework.models import Provider, ProviderService

SERVICE_FIELDS = [
    "service_type", "evidence_based", "model_name", "languages", "locations",
    "capacity_note", "active",
]  # fmt: skip


class ProviderServiceInline(admin.StackedInline):
    model = ProviderService
    extra = 1
    fields = SERVICE_FIELDS


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "active", "service_count"]
    list_filter = ["active"]
    search_fields = ["name", "services__service_type", "services__model_name"]
    fields = ["name", "phone", "email", "website", "address", "active", "notes"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ProviderServiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(service_total=Count("services"))

    @admin.display(description="Services", ordering="service_total")
    def service_count(self, provider) -> int:
        return provider.service_total


@admin.register(ProviderService)
class ProviderServiceAdmin(SimpleHistoryAdmin):
    list_display = ["service_type", "provider", "evidence_based", "model_name", "locations",
                    "active"]  # fmt: skip
    list_filter = ["active", "evidence_based"]
    search_fields = ["service_type", "model_name", "provider__name", "languages", "locations"]
    list_select_related = ["provider"]
    autocomplete_fields = ["provider"]
    fields = ["provider", *SERVICE_FIELDS]
