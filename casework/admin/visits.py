"""Casework admin: visits.

Read-only: visits are planned and recorded on the case pages (or the API), where the
rules live. The one write here is the "Mark entered in error" action, which asks for a
reason and goes through the same service. Nothing is deleted, nothing is reverted
from the history.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from casework.forms.visits import EnteredInErrorForm
from casework.models import Visit, VisitParticipant
from casework.services.visits import visit_mark_entered_in_error


class VisitParticipantInline(admin.TabularInline):
    model = VisitParticipant
    fields = ["person", "seen", "seen_privately"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = [
        "case",
        "planned_for",
        "status",
        "location",
        "occurred_at",
        "entered_in_error",
    ]
    list_filter = ["status", "location", "entered_in_error", "announced"]
    search_fields = ["case__number", "case__name"]
    list_select_related = ["case"]
    date_hierarchy = "planned_for"
    inlines = [VisitParticipantInline]
    actions = ["mark_entered_in_error"]

    def has_add_permission(self, request):
        return False  # Planned on the case page, from the case plan.

    def has_change_permission(self, request, obj=None):
        return False  # Recorded on the case page, through the rules.

    def has_delete_permission(self, request, obj=None):
        return False  # Marked entered in error, never deleted.

    def has_mark_in_error_permission(self, request) -> bool:
        return request.user.has_perm("casework.change_visit")

    @admin.action(description="Mark entered in error", permissions=["mark_in_error"])
    def mark_entered_in_error(self, request, queryset):
        form = EnteredInErrorForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            marked, refused = 0, []
            for visit in queryset.select_related("case"):
                try:
                    visit_mark_entered_in_error(
                        visit=visit, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as exc:
                    refused.append(f"{visit}: {' '.join(exc.messages)}")
                else:
                    marked += 1
            if marked:
                self.message_user(request, f"{marked} visit(s) marked entered in error.")
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "casework/visits/admin_entered_in_error.html",
            {
                **self.admin_site.each_context(request),
                "title": "Mark visits entered in error",
                "opts": self.model._meta,
                "visits": queryset.select_related("case"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
