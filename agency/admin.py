from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from guardian.admin import GuardedModelAdmin

from agency import services
from agency.models import ClosureDay, Notification, Region, StaffProfile, Unit, WorkLocation

User = get_user_model()


class RulesForm(forms.ModelForm):
    """The form of an app's rules row (casework, Ombudsman, quality rules): every number
    within its bounds. `limits` maps a field to (lowest, highest, unit in words)."""

    limits: dict[str, tuple[int, int, str]] = {}

    def clean(self):
        cleaned = super().clean()
        for name, (low, high, unit) in self.limits.items():
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Between {low} and {high} {unit}.")
        return cleaned


class RulesAdmin(admin.ModelAdmin):
    """An app's rules: one row (pk 1, created with the defaults on first use). The list
    opens it directly; it is never added twice or deleted."""

    def has_add_permission(self, request):
        return not self.model.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # the 403
        row = self.model.objects.get_or_create(pk=1)[0]
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(WorkLocation)
class WorkLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "city", "active"]
    list_filter = ["kind", "region", "active"]
    search_fields = ["name", "city", "street"]
    list_select_related = ["region"]


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    """Object permissions ("Object permissions" button) share one unit with someone
    outside it, e.g. a caseworker covering a colleague's unit: grant `view_unit`."""

    list_display = ["name", "work_location", "supervisor", "active"]
    list_filter = ["work_location__region", "work_location__kind", "active"]
    search_fields = ["name", "work_location__name", "supervisor__last_name"]
    list_select_related = ["work_location", "supervisor"]
    autocomplete_fields = ["work_location", "supervisor"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "job_title", "work_location", "unit"]
    list_filter = ["role", "work_location__region", "work_location"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "job_title"]
    list_select_related = ["user", "work_location", "unit__work_location"]
    autocomplete_fields = ["user", "work_location", "unit"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the user's group always matches the role.
        profile = services.staff_profile_save(
            user=obj.user,
            role=obj.role,
            work_location=obj.work_location,
            unit=obj.unit,
            job_title=obj.job_title,
            phone=obj.phone,
        )
        # The service saved its own instance; the admin's history and redirect use obj.pk.
        obj.pk = profile.pk


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "created_by", "created_at"]
    date_hierarchy = "date"
    search_fields = ["reason"]
    fields = ["date", "reason"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["reason"])
            return
        try:
            closure = services.closure_day_add(day=obj.date, reason=obj.reason, actor=request.user)
        except ValidationError as exc:  # pragma: no cover - the form's unique check runs first
            messages.error(request, "; ".join(exc.messages))
            return
        # The service saved its own instance; the admin's history and redirect use obj.pk.
        obj.pk, obj.created_by, obj.created_at = closure.pk, closure.created_by, closure.created_at

    def delete_model(self, request, obj):
        services.closure_day_remove(day=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for closure in queryset:
            services.closure_day_remove(day=closure.date, actor=request.user)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "recipient__username", "dedupe_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "read_at", "emailed_at", "dedupe_key"]
    raw_id_fields = ["recipient"]


class HearthUserAdmin(UserAdmin):
    """Only superusers grant superuser status, groups and single permissions. A system
    administrator manages accounts; roles come from the staff profile (which sets the
    group), so nobody can lift their own access by editing their account."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly


admin.site.unregister(User)
admin.site.register(User, HearthUserAdmin)
