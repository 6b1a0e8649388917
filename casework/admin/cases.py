"""Casework admin: cases and the agency's casework rules."""

from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import RulesAdmin
from casework.models import Case, CaseMember, CaseworkRules, RecordView


class CaseMemberInline(admin.TabularInline):
    model = CaseMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Case)
class CaseAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    """Object permissions share one case with someone outside its unit: grant
    `view_case` (read) or `change_case` too."""

    list_display = ["number", "name", "case_type", "status", "unit", "primary_worker", "opened_on"]
    list_filter = ["status", "case_type", "unit__work_location__region", "candidacy"]
    search_fields = ["number", "name", "primary_worker__last_name"]
    list_select_related = ["unit__work_location", "primary_worker"]
    autocomplete_fields = ["unit", "primary_worker", "secondary_worker"]
    date_hierarchy = "opened_on"
    inlines = [CaseMemberInline]

    def has_delete_permission(self, request, obj=None):
        return False  # Cases close; they are never deleted.


@admin.register(CaseworkRules)
class CaseworkRulesAdmin(RulesAdmin):
    pass


@admin.register(RecordView)
class RecordViewAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "user", "case", "person", "channel"]
    list_filter = ["channel"]
    search_fields = ["user__username", "case__number"]
    list_select_related = ["user", "case", "person"]
    date_hierarchy = "viewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
