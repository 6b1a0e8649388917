"""Django admin: Special Qualitative Reviews (confidential).

The admin goes through the same gatekeeper as the pages: the list, search and every
page show only the reviews granted to the admin user, superusers included (their
superuser status gives them nothing here); any other review answers 404, and opening
one is written to its access log as "admin". Interviews, findings, recommendations,
grants and the log are shown read-only inside their review and not registered on their
own. Reviews are opened from a significant event on the pages, and never deleted; a
change to the briefing, records, report or step goes through `review_update`, with
the version the form was opened on.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404

from agency.permissions import access_object
from quality.models import (
    SpecialQualitativeReview,
    SqrAccessLog,
    SqrExternalShare,
    SqrFinding,
    SqrGrant,
    SqrInterview,
)
from quality.selectors import sqr as selectors
from quality.services import sqr as services

EDITABLE = ["status", "briefing_held_on", "briefing_participants", "records_examined", "report"]


class _Inline(admin.TabularInline):
    """Read-only rows of a review the admin user reaches (filtered again, in case)."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        ids = selectors.reachable_ids(request.user)
        return super().get_queryset(request).filter(review_id__in=ids)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return obj is not None and obj.pk in selectors.reachable_ids(request.user)


class InterviewInline(_Inline):
    model = SqrInterview
    fields = ["kind", "who", "held_on", "notes"]
    readonly_fields = fields


class FindingInline(_Inline):
    model = SqrFinding
    fields = ["area", "scope", "theme", "finding"]
    readonly_fields = fields


class GrantInline(_Inline):
    model = SqrGrant
    fields = ["user", "granted_by", "granted_at", "revoked_by", "revoked_at"]
    readonly_fields = fields
    verbose_name_plural = "Grants (granted and revoked on the review's access page)"


class ShareInline(_Inline):
    model = SqrExternalShare
    fields = ["shared_on", "shared_with", "purpose", "authorized_by", "recorded_by"]
    readonly_fields = fields


class AccessLogInline(_Inline):
    model = SqrAccessLog
    fields = ["at", "user", "action", "what"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").order_by("-at", "-pk")


class ReviewAdminForm(forms.ModelForm):
    # The version the form was opened on: a change made on an older one is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SpecialQualitativeReview
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(services.STALE_MESSAGE)
        if self.instance.pk:
            fields = {name: cleaned[name] for name in EDITABLE if name in self.changed_data}
            try:
                current = SpecialQualitativeReview.objects.select_related("event").get(
                    pk=self.instance.pk
                )
                services.review_update_check(review=current, **fields)
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned


@admin.register(SpecialQualitativeReview)
class SpecialQualitativeReviewAdmin(admin.ModelAdmin):
    form = ReviewAdminForm
    list_display = ["reference", "status", "event", "opened_by", "opened_at"]
    list_filter = ["status"]
    search_fields = ["reference", "event__reference"]
    list_select_related = ["event", "opened_by"]
    readonly_fields = [
        "reference",
        "event",
        "opened_by",
        "opened_at",
        "report_finalized_at",
        "closed_at",
        "version",
    ]
    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    ("reference", "event"),
                    "status",
                    "briefing_held_on",
                    "briefing_participants",
                    "records_examined",
                    "report",
                    "seen_version",
                ]
            },
        ),
        (
            "Record",
            {"fields": ["opened_by", "opened_at", "report_finalized_at", "closed_at", "version"]},
        ),
    ]
    inlines = [InterviewInline, FindingInline, GrantInline, ShareInline, AccessLogInline]

    def get_queryset(self, request):
        """Only the reviews granted to the admin user: the gatekeeper's list, whatever
        their model permissions or superuser status. Search and filters run inside it."""
        return super().get_queryset(request).filter(pk__in=selectors.reachable_ids(request.user))

    def has_add_permission(self, request):
        return False  # opened from a significant event, on the pages

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return bool(selectors.reachable_ids(request.user)) and super().has_module_permission(
            request
        )

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return obj.pk in selectors.reachable_ids(request.user)
        return bool(selectors.reachable_ids(request.user))

    def has_change_permission(self, request, obj=None):
        if not selectors.can_work(request.user):
            return False
        return self.has_view_permission(request, obj)

    def _reach(self, request, object_id, what: str) -> SpecialQualitativeReview:
        """The gatekeeper, logging the reach as "admin"; 404 for any other review."""
        return selectors.access_review(request.user, object_id, action="admin", what=what)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._reach(request, object_id, "admin change page")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._reach(request, object_id, "admin history")
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._reach(request, object_id, "admin delete page")
        raise Http404

    def get_object(self, request, object_id, from_field=None):
        try:
            return access_object(self.get_queryset(request), object_id)
        except Http404:
            return None

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in EDITABLE if name in form.changed_data}
        saved = services.review_update(
            review=obj,
            actor=request.user,
            version=data.get("seen_version") or obj.version,
            **fields,
        )
        obj.version = saved.version
