"""Casework admin: case transfers, read-only with their history.

Transfers are requested, accepted, declined and withdrawn on the transfer pages (or the
API), where the version check and the move of the case happen in one transaction.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import CaseTransfer


@admin.register(CaseTransfer)
class CaseTransferAdmin(SimpleHistoryAdmin):
    list_display = ["case", "from_unit", "to_unit", "status", "requested_by", "requested_at",
                    "decided_by", "decided_at"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["case__number", "case__name"]
    list_select_related = [
        "case", "from_unit__work_location", "to_unit__work_location", "requested_by",
        "decided_by",
    ]  # fmt: skip
    date_hierarchy = "requested_at"
    fields = readonly_fields = [
        "case", "from_unit", "to_unit", "new_case_type", "summary", "status", "requested_by",
        "requested_at", "decided_by", "decided_at", "decision_comment", "new_primary_worker",
        "version",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # Requested on the case page.

    def has_change_permission(self, request, obj=None):
        return False  # Decided on the transfer page.

    def has_delete_permission(self, request, obj=None):
        return False  # Kept as the case's history.
