"""Django admin for ORE data requests: read them with their project scopes, files and
timeline, and search them.

Requests are worked on ORE's pages (or the API), where every step goes through
quality.services.data_requests: the clock, the catalog numbers, the notices and the
version check live there. So the admin reads and changes nothing itself; its one action
recomputes the due dates of the open requests (after the calendar changed), through the
same service. Requests are records: never deleted here.
"""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from quality.models import DataRequest, DataRequestEvent, DataRequestFile, ProjectScope
from quality.services import data_requests as services


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProjectScopeInline(_ReadOnlyInline):
    model = ProjectScope
    fields = ["requested_at", "requested_by", "what_ore_needs", "received_at",
              "hold_business_days"]  # fmt: skip
    readonly_fields = fields


class DataRequestFileInline(_ReadOnlyInline):
    model = DataRequestFile
    fields = ["kind", "name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class DataRequestEventInline(_ReadOnlyInline):
    model = DataRequestEvent
    fields = ["at", "status", "actor", "note", "internal"]
    readonly_fields = fields
    ordering = ["at", "pk"]


@admin.register(DataRequest)
class DataRequestAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "catalog_number",
        "title",
        "requester_name",
        "organization",
        "category",
        "status",
        "analyst",
        "due_on",
        "received_at",
    ]
    list_filter = ["status", "category", "channel", "is_research", "identifiable_data"]
    search_fields = [
        "reference",
        "catalog_number",
        "title",
        "requester_name",
        "organization",
        "requester_email",
    ]
    list_select_related = ["analyst"]
    date_hierarchy = "received_at"
    inlines = [ProjectScopeInline, DataRequestFileInline, DataRequestEventInline]
    actions = ["recompute_due_dates"]
    fieldsets = [
        (
            "Request (DCF-5101)",
            {
                "fields": [
                    "reference",
                    "status",
                    "title",
                    "purpose",
                    "questions",
                    "data_elements",
                    ("population", "time_period", "geography"),
                    ("format", "date_needed"),
                    ("identifiable_data", "is_research"),
                    "intended_use",
                    "dissemination",
                ]
            },
        ),
        (
            "Requester",
            {
                "fields": [
                    ("requester", "requester_name"),
                    "organization",
                    ("requester_email", "requester_phone"),
                    "requester_address",
                    ("channel", "received_at", "entered_by"),
                ]
            },
        ),
        (
            "ORE's handling",
            {
                "fields": [
                    ("catalog_number", "category", "cataloged_at"),
                    ("vetted_by", "vetted_at"),
                    "decline_reason",
                    ("irb_submitted_on", "irb_decision", "irb_decided_on"),
                    "irb_notes",
                    ("analyst", "assigned_at", "started_at"),
                    ("delivered_at", "closed_at"),
                    "delivery_note",
                    "delivery_link",
                ]
            },
        ),
        (
            "Clock",
            {
                "fields": [
                    ("target_business_days", "hold_business_days", "on_hold_since"),
                    ("due_on", "business_days_to_delivery"),
                    "version",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in DataRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Recompute the due dates of every open request")
    def recompute_due_dates(self, request, queryset):
        """Every open request, whatever is ticked: the calendar is the same for all."""
        changed = services.data_request_due_dates_recompute(
            actor=request.user, reason="recomputed from the admin"
        )
        self.message_user(
            request,
            f"{changed} open request{'s' if changed != 1 else ''} got a new due date.",
            messages.SUCCESS,
        )


@admin.register(ProjectScope)
class ProjectScopeAdmin(admin.ModelAdmin):
    """DCF-5102 project scopes ORE asked for, and the business days each held the clock."""

    list_display = ["request", "requested_at", "requested_by", "received_at", "hold_business_days"]
    list_filter = [("received_at", admin.EmptyFieldListFilter)]
    search_fields = ["request__reference", "request__title", "what_ore_needs", "objectives"]
    list_select_related = ["request", "requested_by"]
    date_hierarchy = "requested_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ProjectScope._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
