"""Casework admin: court petitions and hearings.

Read-only, with their history: petitions and hearings are recorded on the case pages
(or the API), where the court report's due day is computed and a termination petition
records its permanency decision. Nothing is added, changed or deleted here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import CourtHearing, CourtPetition


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False  # Recorded on the case page, through the rules.

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Never deleted.


@admin.register(CourtPetition)
class CourtPetitionAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["case", "kind", "child", "filed_on", "court", "docket_number", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["case__number", "case__name", "docket_number", "court"]
    list_select_related = ["case", "child"]
    date_hierarchy = "filed_on"
    readonly_fields = [
        "case",
        "child",
        "kind",
        "filed_on",
        "court",
        "docket_number",
        "status",
        "decided_on",
        "note",
        "recorded_by",
        "version",
    ]


@admin.register(CourtHearing)
class CourtHearingAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = [
        "case",
        "kind",
        "scheduled_for",
        "court",
        "status",
        "report_due_on",
        "report_filed_on",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["case__number", "case__name", "court"]
    list_select_related = ["case"]
    date_hierarchy = "scheduled_for"
    readonly_fields = [
        "case",
        "child",
        "petition",
        "kind",
        "scheduled_for",
        "court",
        "status",
        "outcome",
        "next_hearing",
        "report_due_on",
        "report_filed_on",
        "recorded_by",
        "created_at",
        "version",
    ]
