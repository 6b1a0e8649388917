"""Casework admin: supervisory reviews with their next steps, next steps, and unit
supervision notes.

Read-only, with their history: reviews are recorded by the case's supervisor, acknowledged
by the worker and next steps marked done by their owners on the supervision pages (or the
API), where those rules live. Nothing is added, changed or deleted here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import NextStep, SupervisionNote, SupervisoryReview

STEP_FIELDS = ["description", "owner", "due_on", "done_on", "done_note", "version"]


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NextStepInline(_ReadOnly, admin.TabularInline):
    model = NextStep
    extra = 0
    can_delete = False
    fields = readonly_fields = STEP_FIELDS


@admin.register(SupervisoryReview)
class SupervisoryReviewAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["case", "held_on", "supervisor", "worker", "acknowledged_at"]
    list_filter = ["held_on"]
    search_fields = ["case__number", "case__name"]
    list_select_related = ["case", "supervisor", "worker"]
    date_hierarchy = "held_on"
    inlines = [NextStepInline]
    readonly_fields = [
        "case",
        "held_on",
        "supervisor",
        "worker",
        "focus_areas",
        "discussion",
        "clinical_guidance",
        "acknowledged_at",
        "worker_comment",
        "recorded_at",
        "version",
    ]


@admin.register(NextStep)
class NextStepAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["description", "case", "owner", "due_on", "done_on"]
    list_filter = ["due_on", "done_on"]
    search_fields = ["description", "case__number"]
    list_select_related = ["case", "owner"]
    readonly_fields = ["review", "case", *STEP_FIELDS]


@admin.register(SupervisionNote)
class SupervisionNoteAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["unit", "kind", "held_on", "supervisor", "topics"]
    list_filter = ["kind", "unit__work_location"]
    search_fields = ["topics", "unit__name"]
    list_select_related = ["unit__work_location", "supervisor"]
    date_hierarchy = "held_on"
    readonly_fields = [
        "unit",
        "kind",
        "held_on",
        "supervisor",
        "attendees",
        "topics",
        "notes",
        "recorded_at",
        "version",
    ]
