"""Casework admin: family team meetings.

Read-only, with their history and the people invited inline: meetings are scheduled,
recorded and cancelled on the case pages (or the API), where the due rules and the
version checks live. Nothing is added, changed or deleted here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import FamilyMeeting, MeetingParticipant


class MeetingParticipantInline(admin.TabularInline):
    model = MeetingParticipant
    extra = 0
    can_delete = False
    fields = readonly_fields = ["name", "relation", "person", "invited_on", "attended"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FamilyMeeting)
class FamilyMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "status", "child", "scheduled_for", "held_at", "facilitator"]
    list_filter = ["kind", "status"]
    search_fields = ["case__number", "case__name", "child__first_name", "child__last_name"]
    list_select_related = ["case", "child", "facilitator"]
    date_hierarchy = "scheduled_for"
    inlines = [MeetingParticipantInline]
    readonly_fields = [
        "case",
        "kind",
        "status",
        "child",
        "placement",
        "scheduled_for",
        "location",
        "facilitator",
        "purpose",
        "held_at",
        "decisions",
        "safety_discussion",
        "conditions_for_return",
        "plan_changes",
        "cancel_reason",
        "recorded_by",
        "created_at",
        "version",
    ]

    def has_add_permission(self, request):
        return False  # Scheduled on the case page.

    def has_change_permission(self, request, obj=None):
        return False  # Recorded or cancelled on the meeting's page.

    def has_delete_permission(self, request, obj=None):
        return False  # Never deleted; a meeting not held is cancelled.
