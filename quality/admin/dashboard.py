"""Django admin: the key-indicator facts, read-only (quality/facts.py writes them)."""

from django.contrib import admin

from quality.models import FactRefresh, MemberMonth, Tally


class ReadOnlyAdmin(admin.ModelAdmin):
    """Derived records: looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FactRefresh)
class FactRefreshAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "first_month", "last_month", "member_months"]


@admin.register(Tally)
class TallyAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "period",
        "starts_on",
        "unit",
        "worker",
        "numerator",
        "denominator",
    ]
    list_filter = ["indicator", "period", "starts_on"]
    list_select_related = ["unit", "worker"]
    raw_id_fields = ["region", "work_location", "unit", "worker"]
    show_full_result_count = False


@admin.register(MemberMonth)
class MemberMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "person", "role", "case", "unit", "visits", "open_whole_month"]
    list_filter = ["month", "role", "open_whole_month", "in_care_whole_month"]
    list_select_related = ["person", "case", "unit"]
    raw_id_fields = ["case", "person", "region", "work_location", "unit", "worker"]
    show_full_result_count = False
