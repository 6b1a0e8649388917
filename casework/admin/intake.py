"""Casework admin: exceptional circumstances (the agency's list), and intakes with their
allegations, initial face-to-face contacts, extensions and attempts.

Intakes and IFF records are written by casework.services.intake (the pages and the API),
where the track rule, due times and approvals live; here they are read-only, with their
history, and never deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import (
    Allegation,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
)


class _ReadOnly:
    """Shown for reference; the services are the only writers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExceptionalCircumstance)
class ExceptionalCircumstanceAdmin(admin.ModelAdmin):
    """The circumstances that keep a report off the Family Assessment track. The list
    starts with 15 placeholders: rename them to the agency's own, and untick "active"
    on any no longer used (intakes keep the ones they were recorded with)."""

    list_display = ["name", "active"]
    list_editable = ["active"]
    list_filter = ["active"]
    search_fields = ["name", "description"]

    def has_delete_permission(self, request, obj=None):
        return False  # Past intakes refer to them: retire with "active" instead.


class AllegationInline(_ReadOnly, admin.TabularInline):
    """Findings are recorded on the intake page or the API (casework.services.findings):
    shown here read-only."""

    model = Allegation
    extra = 0
    fields = ["child", "kind", "finding", "finding_on", "finding_by"]
    readonly_fields = fields


class IffContactInline(_ReadOnly, admin.TabularInline):
    model = IffContact
    extra = 0
    fields = ["child", "due_at", "seen_at", "seen_by", "note"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Intake)
class IntakeAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "accepted_at",
        "case",
        "response_time",
        "risk_level",
        "recommended_track",
        "track",
    ]
    list_filter = ["track", "recommended_track", "response_time", "risk_level"]
    search_fields = ["reference", "case__number", "case__name"]
    list_select_related = ["case"]
    date_hierarchy = "accepted_at"
    inlines = [AllegationInline, IffContactInline]
    readonly_fields = [
        "reference",
        "accepted_at",
        "reporter_type",
        "reporter_name",
        "narrative",
        "response_time",
        "risk_level",
        "exceptional_circumstances",
        "recommended_track",
        "track",
        "track_override_reason",
        "track_overridden_by",
        "case",
        "created_by",
    ]

    def has_add_permission(self, request):
        return False  # Recorded on the intake page or through the API (the track rule).

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Allegation)
class AllegationAdmin(_ReadOnly, SimpleHistoryAdmin):
    """Allegations and their findings, read-only (the history shows corrections)."""

    list_display = ["child", "kind", "intake", "finding", "finding_on", "finding_by"]
    list_filter = ["finding", "kind", "intake__track"]
    search_fields = ["intake__reference", "child__last_name", "child__first_name"]
    list_select_related = ["child", "intake", "finding_by"]
    date_hierarchy = "finding_on"


@admin.register(IffContact)
class IffContactAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["child", "intake", "due_at", "seen_at"]
    list_filter = [("seen_at", admin.EmptyFieldListFilter)]
    search_fields = ["intake__reference", "child__last_name", "child__first_name"]
    list_select_related = ["child", "intake"]
    date_hierarchy = "due_at"


@admin.register(IffExtension)
class IffExtensionAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["iff", "reason", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status", "reason"]
    search_fields = ["iff__intake__reference", "iff__child__last_name"]
    list_select_related = ["iff__child", "iff__intake", "requested_by", "decided_by"]
    date_hierarchy = "requested_at"


@admin.register(IffAttempt)
class IffAttemptAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["iff", "attempted_at", "recorded_by"]
    search_fields = ["iff__intake__reference", "iff__child__last_name"]
    list_select_related = ["iff__child", "iff__intake", "recorded_by"]
    date_hierarchy = "attempted_at"
