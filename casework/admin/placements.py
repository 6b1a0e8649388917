"""Casework admin: placements and permanency decisions.

Read-only: placements are recorded on the case pages (or the API), where the rules
live. The one write here is the "Mark entered in error" action, which asks for a reason
and goes through the same service. Nothing is deleted, nothing is reverted from the
history.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from casework.forms.placements import PlacementEnteredInErrorForm
from casework.models import PermanencyDecision, Placement
from casework.services.placements import placement_mark_entered_in_error


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False  # Recorded on the case page, through the rules.

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Never deleted.


@admin.register(Placement)
class PlacementAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = [
        "child",
        "case",
        "setting",
        "caregiver",
        "start_date",
        "end_date",
        "exit_reason",
        "home_study_referred_on",
        "entered_in_error",
    ]
    list_filter = ["setting", "exit_reason", "entered_in_error"]
    search_fields = [
        "case__number",
        "case__name",
        "child__first_name",
        "child__last_name",
        "caregiver",
    ]
    list_select_related = ["case", "child"]
    date_hierarchy = "start_date"
    actions = ["mark_entered_in_error"]

    def has_mark_in_error_permission(self, request) -> bool:
        return request.user.has_perm("casework.change_placement")

    @admin.action(description="Mark entered in error", permissions=["mark_in_error"])
    def mark_entered_in_error(self, request, queryset):
        form = PlacementEnteredInErrorForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            marked, refused = 0, []
            for placement in queryset.select_related("child"):
                try:
                    placement_mark_entered_in_error(
                        placement=placement, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as exc:
                    refused.append(f"{placement}: {' '.join(exc.messages)}")
                else:
                    marked += 1
            if marked:
                self.message_user(request, f"{marked} placement(s) marked entered in error.")
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "casework/placements/admin_entered_in_error.html",
            {
                **self.admin_site.each_context(request),
                "title": "Mark placements entered in error",
                "opts": self.model._meta,
                "placements": queryset.select_related("child"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(PermanencyDecision)
class PermanencyDecisionAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["child", "case", "kind", "decided_on", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["case__number", "case__name", "child__first_name", "child__last_name"]
    list_select_related = ["case", "child", "recorded_by"]
    date_hierarchy = "decided_on"
