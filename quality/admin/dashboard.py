"""Django admin: the key-indicator facts, read-only (quality/facts.py writes them), and
the child population figures behind the disproportionality referral rates."""

from django import forms
from django.contrib import admin

from quality import equity
from quality.models import CaseFact, ChildPopulation, FactRefresh, MemberMonth, Tally


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


class ChildPopulationForm(forms.ModelForm):
    group = forms.ChoiceField(
        choices=equity.GROUPS,
        help_text="The race and ethnicity groups of the disproportionality tables (Hispanic "
        "or Latino of any race; the others not Hispanic).",
    )

    class Meta:
        model = ChildPopulation
        fields = ["year", "region", "group", "children", "source"]


@admin.register(ChildPopulation)
class ChildPopulationAdmin(admin.ModelAdmin):
    """Children living in the state or a region by race and ethnicity group (census
    estimates): the base of the referral rate on the disproportionality page. Reference
    figures entered by hand, like the exceptional circumstances; leave the region empty
    for the whole state. Without state rows the state adds up its regions'."""

    form = ChildPopulationForm
    list_display = ["year", "region", "group", "children", "source"]
    list_filter = ["year", "region", "group"]
    list_select_related = ["region"]
    search_fields = ["source"]


@admin.register(CaseFact)
class CaseFactAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "month", "what", "case", "due_on", "done_on", "outcome"]
    list_filter = ["indicator", "month", "outcome"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "person", "region", "work_location", "unit", "worker"]
    show_full_result_count = False
