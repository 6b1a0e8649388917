"""Django admin for the COOP registry (system administrators, OPM, superusers).

- COOP rules: one row, opened directly, every number within its bounds.
- Plans, with their key staff, emergency procedures and notification criteria inline and
  their document versions listed read-only (versions are uploaded on the plan page or
  through the API, where the file is checked). A change carries the version the form was
  opened on and is refused when someone else changed the plan since; each save is kept
  in the plan's history.
- Quarterly duties, filterable by quarter and by submission; their history too.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agency import clock
from agency.admin import RulesAdmin, RulesForm
from coop import services
from coop.models import (
    CoopPlan,
    CoopRules,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    PlanDocument,
    QuarterlyDuties,
)
from coop.permissions import is_opm
from coop.quarters import Quarter


class OpmOnly:
    """Every member of staff may read their own location's plan (`coop.view_coopplan`),
    but the admin lists every plan: only OPM, system administrators and superusers reach
    it (they hold `coop.review_quarterlyduties`)."""

    def has_module_permission(self, request):
        return is_opm(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_opm(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_opm(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_opm(request.user) and super().has_add_permission(request, *args)


class CoopRulesForm(RulesForm):
    limits = {
        "grace_days": (0, 60, "days"),
        "first_reminder_days": (1, 90, "days"),
        "second_reminder_days": (1, 60, "days"),
        "max_document_mb": (1, 100, "MB"),
        "registry_quarters": (1, 12, "quarters"),
    }

    class Meta:
        model = CoopRules
        fields = [
            "grace_days",
            "first_reminder_days",
            "second_reminder_days",
            "max_document_mb",
            "registry_quarters",
        ]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first_reminder_days"), cleaned.get("second_reminder_days")
        if first is not None and second is not None and second >= first:
            self.add_error(
                "second_reminder_days", "The second reminder comes after the first: fewer days."
            )
        return cleaned


@admin.register(CoopRules)
class CoopRulesAdmin(OpmOnly, RulesAdmin):
    form = CoopRulesForm


# --- plans -----------------------------------------------------------------------------------


class KeyStaffInline(OpmOnly, admin.TabularInline):
    model = KeyStaff
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["duty", "alternate", "name", "title", "phone", "email", "user"]


class EmergencyProcedureInline(OpmOnly, admin.StackedInline):
    model = EmergencyProcedure
    extra = 0
    fields = [("kind", "title", "position"), "procedure"]


class NotificationCriterionInline(OpmOnly, admin.TabularInline):
    model = NotificationCriterion
    extra = 0
    fields = ["audience", "who", "contact", "conditions"]


class PlanDocumentInline(OpmOnly, admin.TabularInline):
    """Read-only: versions are uploaded where the file is checked (the plan page, the
    API); earlier versions are never removed."""

    model = PlanDocument
    extra = 0
    fields = ["number", "download", "size", "summary", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="File")
    def download(self, document: PlanDocument):
        url = reverse("coop:document", args=[document.plan_id, document.pk])
        return format_html('<a href="{}">{}</a>', url, document.name)


class CoopPlanAdminForm(forms.ModelForm):
    # The version the form was opened on: a change made on an older one is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CoopPlan
        fields = ["work_location", "senior_administrator", "hard_copy_location", "assembly_point"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(services.PLAN_STALE_MESSAGE)
        return cleaned


@admin.register(CoopPlan)
class CoopPlanAdmin(OpmOnly, SimpleHistoryAdmin):
    form = CoopPlanAdminForm
    list_display = ["work_location", "region", "senior_administrator", "version", "updated_at"]
    list_filter = ["work_location__region", "work_location__kind"]
    search_fields = [
        "work_location__name",
        "senior_administrator__username",
        "senior_administrator__first_name",
        "senior_administrator__last_name",
    ]
    list_select_related = ["work_location__region", "senior_administrator"]
    autocomplete_fields = ["work_location", "senior_administrator"]
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (
            "Plan",
            {
                "fields": [
                    "work_location",
                    "senior_administrator",
                    "hard_copy_location",
                    "assembly_point",
                    "seen_version",
                ]
            },
        ),
        ("Record", {"fields": ["version", "created_at", "updated_at"]}),
    ]
    inlines = [
        KeyStaffInline,
        EmergencyProcedureInline,
        NotificationCriterionInline,
        PlanDocumentInline,
    ]

    @admin.display(description="Region", ordering="work_location__region__code")
    def region(self, plan: CoopPlan):
        return plan.work_location.region or "Central Office"

    def get_readonly_fields(self, request, obj=None):
        # A plan belongs to its location for good.
        return [*self.readonly_fields, "work_location"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj.updated_at = clock.now()
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


# --- quarterly duties ------------------------------------------------------------------------


class QuarterFilter(admin.SimpleListFilter):
    title = "quarter"
    parameter_name = "quarter"

    def lookups(self, request, model_admin):
        firsts = (
            QuarterlyDuties.objects.order_by("-quarter")
            .values_list("quarter", flat=True)
            .distinct()[:12]
        )
        return [(first.isoformat(), str(Quarter.starting(first))) for first in firsts]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(quarter=self.value())
        return queryset


class QuarterlyDutiesAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = QuarterlyDuties
        fields = [
            "plan", "quarter",
            "communicated_on", "communication_channel", "staff_count", "communication_evidence",
            "communicated_by",
            "revised_on", "revision", "revision_document", "revision_note", "revised_by",
            "submission", "submitted_on", "submitted_by",
            "opm_comments", "opm_decided_by", "opm_decided_at",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(services.DUTIES_STALE_MESSAGE)
        quarter = cleaned.get("quarter")
        if quarter is not None:
            try:
                Quarter.starting(quarter)
            except ValueError:
                self.add_error(
                    "quarter", "Give the quarter's first day (1 Jan, 1 Apr, 1 Jul, 1 Oct)."
                )
        return cleaned


@admin.register(QuarterlyDuties)
class QuarterlyDutiesAdmin(OpmOnly, SimpleHistoryAdmin):
    form = QuarterlyDutiesAdminForm
    list_display = [
        "plan",
        "quarter_label",
        "communicated_on",
        "revised_on",
        "revision",
        "submission",
        "submitted_on",
    ]
    list_filter = [QuarterFilter, "submission", "revision", "plan__work_location__region"]
    search_fields = ["plan__work_location__name"]
    list_select_related = ["plan__work_location"]
    autocomplete_fields = ["plan"]
    raw_id_fields = [
        "communicated_by",
        "revised_by",
        "submitted_by",
        "opm_decided_by",
        "revision_document",
    ]
    readonly_fields = ["version"]

    @admin.display(description="Quarter", ordering="quarter")
    def quarter_label(self, duties: QuarterlyDuties) -> str:
        return str(Quarter.starting(duties.quarter))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


# --- the rest, for lookups and search --------------------------------------------------------


@admin.register(PlanDocument)
class PlanDocumentAdmin(OpmOnly, admin.ModelAdmin):
    list_display = ["plan", "number", "name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["plan__work_location__name", "name"]
    list_select_related = ["plan__work_location", "uploaded_by"]
    fields = ["plan", "number", "name", "size", "summary", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyStaff)
class KeyStaffAdmin(OpmOnly, admin.ModelAdmin):
    list_display = ["name", "plan", "duty", "alternate", "phone"]
    list_filter = ["duty", "alternate"]
    search_fields = ["name", "plan__work_location__name"]
    list_select_related = ["plan__work_location"]
    autocomplete_fields = ["plan", "user"]


@admin.register(EmergencyProcedure)
class EmergencyProcedureAdmin(OpmOnly, admin.ModelAdmin):
    list_display = ["__str__", "plan", "kind"]
    list_filter = ["kind"]
    search_fields = ["title", "plan__work_location__name"]
    list_select_related = ["plan__work_location"]
    autocomplete_fields = ["plan"]


@admin.register(NotificationCriterion)
class NotificationCriterionAdmin(OpmOnly, admin.ModelAdmin):
    list_display = ["who", "plan", "audience", "contact"]
    list_filter = ["audience"]
    search_fields = ["who", "plan__work_location__name"]
    list_select_related = ["plan__work_location"]
    autocomplete_fields = ["plan"]
