"""Django admin: review instruments (editable: their outcomes and items), samples, case
reviews, Administrative Case Reviews and the quality rules.

Instruments are reference data a system administrator edits here. Samples are drawn on
the reviews pages (quality/views/reviews.py), where the draw's rules live; here they
are read only. A case review's reviewer may be changed here, through
`review_assign`; its ratings are given on the review page and shown read-only. An
Administrative Case Review added here is recorded through `acr_record`, as on the page;
once recorded it is a record and is not edited.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from quality.models import (
    AdministrativeCaseReview,
    CaseReview,
    ItemRating,
    QualityRules,
    ReviewInstrument,
    ReviewItem,
    ReviewOutcome,
    ReviewSample,
)
from quality.selectors import reviews as selectors
from quality.selectors import rules
from quality.services import acr as acr_services
from quality.services import reviews as services


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- instruments ------------------------------------------------------------------------------


class ReviewOutcomeInline(admin.TabularInline):
    model = ReviewOutcome
    fields = ["order", "code", "statement"]
    extra = 0
    show_change_link = True  # its items are edited on the outcome's page


class ReviewItemInline(admin.StackedInline):
    model = ReviewItem
    fields = [("number", "title"), "questions"]
    extra = 0


@admin.register(ReviewInstrument)
class ReviewInstrumentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [ReviewOutcomeInline]


@admin.register(ReviewOutcome)
class ReviewOutcomeAdmin(admin.ModelAdmin):
    list_display = ["code", "statement", "instrument", "order"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    search_fields = ["code", "statement", "items__title"]
    inlines = [ReviewItemInline]


# --- samples and reviews ----------------------------------------------------------------------


@admin.register(ReviewSample)
class ReviewSampleAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "label", "case_type", "size", "seed", "drawn_at", "drawn_by"]
    list_filter = ["case_type", "instrument", "work_location"]
    list_select_related = ["work_location", "drawn_by"]
    date_hierarchy = "drawn_at"


class ItemRatingInline(_ReadOnly, admin.TabularInline):
    model = ItemRating
    fields = ["item", "rating", "rationale"]
    readonly_fields = fields
    extra = 0


class CaseReviewAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CaseReview
        fields = ["reviewer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = selectors.reviewers()
        self.fields["reviewer"].required = True
        self.fields["seen_version"].initial = self.instance.version


@admin.register(CaseReview)
class CaseReviewAdmin(SimpleHistoryAdmin):
    form = CaseReviewAdminForm
    list_display = ["case", "status", "reviewer", "sample", "created_at", "completed_at"]
    list_filter = ["status", "instrument"]
    list_select_related = ["case", "reviewer", "sample__work_location"]
    search_fields = ["case__number", "case__name"]
    date_hierarchy = "created_at"
    readonly_fields = ["case", "instrument", "sample", "status", "completed_at", "version"]
    fields = ["case", "instrument", "sample", "status", "reviewer", "completed_at", "version",
              "seen_version"]  # fmt: skip
    inlines = [ItemRatingInline]

    def has_add_permission(self, request):
        return False  # drawn in a sample on the reviews pages

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == CaseReview.Status.COMPLETED:
            return [*self.readonly_fields, "reviewer"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if "reviewer" not in form.changed_data:
            return
        try:
            services.review_assign(
                review=obj,
                reviewer=form.cleaned_data["reviewer"],
                actor=request.user,
                version=form.cleaned_data.get("seen_version"),
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level="error")


# --- Administrative Case Reviews ------------------------------------------------------------------


class AcrAdminForm(forms.ModelForm):
    """Recording goes through the service; its refusals show on the form."""

    class Meta:
        model = AdministrativeCaseReview
        fields = ["case", "child", "held_on", "participants", "parents_participated", "findings"]

    actor = None  # set by AdministrativeCaseReviewAdmin.get_form
    recorded: AdministrativeCaseReview | None = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # Inside the admin's transaction: undone if anything after it fails.
            self.recorded = acr_services.acr_record(
                actor=self.actor,
                case=cleaned["case"],
                child=cleaned["child"],
                held_on=cleaned["held_on"],
                participants=cleaned["participants"],
                parents_participated=cleaned.get("parents_participated", False),
                findings=cleaned["findings"],
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


@admin.register(AdministrativeCaseReview)
class AdministrativeCaseReviewAdmin(SimpleHistoryAdmin):
    form = AcrAdminForm
    list_display = ["child", "case", "held_on", "parents_participated", "recorded_by"]
    list_filter = ["parents_participated"]
    list_select_related = ["child", "case", "recorded_by"]
    search_fields = ["case__number", "child__last_name", "child__first_name"]
    date_hierarchy = "held_on"
    raw_id_fields = ["case", "child"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*AcrAdminForm.Meta.fields, "recorded_by", "recorded_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change or form.recorded is None:
            return  # recorded reviews are not edited
        obj.pk = form.recorded.pk
        obj.recorded_by = form.recorded.recorded_by
        obj.recorded_at = form.recorded.recorded_at


# --- the rules ------------------------------------------------------------------------------------


class QualityRulesForm(forms.ModelForm):
    class Meta:
        model = QualityRules
        fields = [
            "acr_first_months",
            "acr_interval_months",
            "acr_reminder_days",
            "review_lookback_months",
            "facts_months",
        ]

    def clean(self):
        cleaned = super().clean()
        limits = {
            "acr_first_months": (1, 24, "months"),
            "acr_interval_months": (1, 24, "months"),
            "acr_reminder_days": (1, 180, "days"),
            "review_lookback_months": (0, 60, "months"),
            "facts_months": (1, 120, "months"),
        }
        for name, (low, high, unit) in limits.items():
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Between {low} and {high} {unit}.")
        return cleaned


@admin.register(QualityRules)
class QualityRulesAdmin(admin.ModelAdmin):
    """One row: the list opens it directly; it is never added twice or deleted."""

    form = QualityRulesForm

    def has_add_permission(self, request):
        return not QualityRules.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # the 403
        return HttpResponseRedirect(reverse("admin:quality_qualityrules_change", args=[rules().pk]))
