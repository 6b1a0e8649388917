"""Casework admin: assessments.

Read-only, with their history: assessments are started, filled in, submitted and
decided on the assessment pages (or the API), where the completeness rules and the
supervisor's approval live. Nothing is added, changed or deleted here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import Assessment
from casework.services.assessments import ALL_FIELDS


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "status", "due_on", "author", "submitted_at", "decided_by"]
    list_filter = ["kind", "status"]
    search_fields = ["case__number"]
    list_select_related = ["case", "author", "decided_by"]
    date_hierarchy = "due_on"
    readonly_fields = [
        "case",
        "kind",
        "status",
        "due_on",
        *(f.name for f in Assessment._meta.fields if f.name in ALL_FIELDS),
        "author",
        "created_at",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]

    def has_add_permission(self, request):
        return False  # Started on the case page, due under the casework rules.

    def has_change_permission(self, request, obj=None):
        return False  # Filled in and decided on the assessment pages.

    def has_delete_permission(self, request, obj=None):
        return False  # Never deleted; the history keeps every version.
