"""Casework admin: case plans.

Read-only, with their history: plans are started, filled in, submitted and decided on
the plan pages (or the API), where the completeness rules and the supervisor's approval
live. Nothing is added, changed or deleted here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import CasePlan, PlanGoal, PlanService


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanGoalInline(_ReadOnlyInline):
    model = PlanGoal
    fields = readonly_fields = ["order", "description", "responsible", "target_date", "status"]


class PlanServiceInline(_ReadOnlyInline):
    model = PlanService
    fields = readonly_fields = [
        "service_type",
        "provider",
        "evidence_based",
        "status",
        "referred_on",
        "started_on",
        "ended_on",
    ]


@admin.register(CasePlan)
class CasePlanAdmin(SimpleHistoryAdmin):
    list_display = ["case", "version", "status", "author", "decided_by", "review_due_on"]
    list_filter = ["status"]
    search_fields = ["case__number"]
    list_select_related = ["case", "author", "decided_by"]
    inlines = [PlanGoalInline, PlanServiceInline]
    readonly_fields = [
        "case",
        "version",
        "status",
        "family_participants",
        "family_led",
        "maternal_family_engaged",
        "paternal_family_engaged",
        "permanency_goal",
        "concurrent_goal",
        "author",
        "created_at",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_comment",
        "review_due_on",
    ]

    def has_add_permission(self, request):
        return False  # Started on the case page.

    def has_change_permission(self, request, obj=None):
        return False  # Filled in and decided on the plan pages.

    def has_delete_permission(self, request, obj=None):
        return False  # Never deleted; superseded versions are kept.
