"""The Ombudsman's records in Django admin.

Inquiries are recorded and edited through ombudsman.services, as on the pages: adding
one here computes its effective receipt, due time and reference; changing its urgency or
time received recomputes the due time and says so on its timeline. The work itself
(assigning, the initial response, resolving) is done on the inquiry page, so those
fields are read-only here; the timeline, consultations and attachments are shown, never
edited. The office's rules are one row; changing the clock's numbers recomputes the due
time of every inquiry still waiting for its initial response.

Only a superuser opens the inquiries here: the System Administrator role holds the
rules' permissions and none on inquiries (they are confidential).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from agency import clock
from agency.admin import RulesAdmin, RulesForm
from ombudsman import services
from ombudsman.models import (
    Consultation,
    Inquiry,
    InquiryAttachment,
    InquiryEvent,
    OmbudsmanRules,
)

STALE = (
    "Someone else changed this inquiry after you opened it. Reload the page to see their "
    "changes, then make yours again."
)


class _ReadOnly:
    """Shown for reference; the services are the only writers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InquiryAdminForm(forms.ModelForm):
    # The version the form was opened on: an edit made on an older one is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Inquiry
        fields = list(services.DETAIL_FIELDS)

    actor = None  # set by InquiryAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(STALE)
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # copies the values onto the instance, model checks
        try:
            services.inquiry_check(self.instance, actor=self.actor)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field in self.fields and field in self.errors:
                    continue  # already explained by the field's own check
                self.add_error(field if field in self.fields else None, errors)


class InquiryEventInline(_ReadOnly, admin.TabularInline):
    model = InquiryEvent
    extra = 0
    fields = ["occurred_at", "kind", "actor", "method", "party", "summary"]
    readonly_fields = fields
    verbose_name_plural = "Timeline"


class ConsultationInline(_ReadOnly, admin.TabularInline):
    model = Consultation
    extra = 0
    fields = ["consulted", "question", "requested_by", "requested_at", "reply", "replied_at"]
    readonly_fields = fields
    show_change_link = True


class InquiryAttachmentInline(_ReadOnly, admin.TabularInline):
    model = InquiryAttachment
    extra = 0
    # The file itself is downloaded from the inquiry page (no public URL).
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


WORK_FIELDS = [
    "status",
    "assignee",
    "assigned_at",
    "initial_response_at",
    "initial_response_method",
    "initial_response_by",
    "initial_response_summary",
    "hr_referred_at",
    "hr_referral_notes",
    "resolved_at",
    "outcome",
    "resolution_summary",
    "closed_at",
]
CLOCK_FIELDS = ["reference", "effective_received_at", "initial_response_due_at"]
RECORD_FIELDS = ["version", "created_by", "created_at", "search_document"]


@admin.register(Inquiry)
class InquiryAdmin(SimpleHistoryAdmin):
    form = InquiryAdminForm
    list_display = [
        "reference",
        "subject",
        "status",
        "urgency",
        "initial_response_due_at",
        "assignee",
        "received_at",
    ]
    list_filter = ["status", "urgency", "kind", "scope", "channel", "source_type", "region"]
    search_fields = ["reference", "subject", "contact_name", "contact_email"]
    list_select_related = ["assignee"]
    date_hierarchy = "received_at"
    ordering = ["initial_response_due_at", "pk"]
    autocomplete_fields = ["region", "work_location", "case"]
    inlines = [InquiryEventInline, ConsultationInline, InquiryAttachmentInline]
    readonly_fields = [*CLOCK_FIELDS, *WORK_FIELDS, *RECORD_FIELDS]
    fieldsets = [
        (
            "Inquiry",
            {
                "fields": [
                    ("channel", "source_type"),
                    ("kind", "scope"),
                    "urgency",
                    "received_at",
                    "subject",
                    "description",
                    ("region", "work_location"),
                    "case",
                    "retaliation_alleged",
                    "seen_version",
                ]
            },
        ),
        (
            "Inquirer (all optional)",
            {
                "fields": [
                    "contact_name",
                    "contact_organization",
                    ("contact_email", "contact_phone"),
                    "contact_address",
                    "preferred_language",
                ]
            },
        ),
        (
            "Clock (computed from the time received and the urgency)",
            {"fields": CLOCK_FIELDS},
        ),
        ("Work (recorded on the inquiry page)", {"fields": WORK_FIELDS}),
        ("Record", {"classes": ["collapse"], "fields": RECORD_FIELDS}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the clock, the work and the record do not exist yet
            return self.fieldsets[:2]
        return self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"received_at": clock.now(), **super().get_changeform_initial_data(request)}

    def has_delete_permission(self, request, obj=None):
        return False  # Inquiries are records: they close, they are never deleted.

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in services.DETAIL_FIELDS
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }
        if change:
            if fields:
                services.inquiry_update(
                    inquiry=obj,
                    actor=request.user,
                    version=form.cleaned_data.get("seen_version"),
                    **fields,
                )
            return
        created = services.inquiry_create(actor=request.user, **fields)
        # The service saved its own instance; the admin's log and redirect use obj.
        obj.pk, obj.reference = created.pk, created.reference


@admin.register(Consultation)
class ConsultationAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["inquiry", "consulted", "requested_by", "requested_at", "replied_at"]
    list_filter = [("replied_at", admin.EmptyFieldListFilter)]
    search_fields = ["inquiry__reference", "consulted__last_name", "question"]
    list_select_related = ["inquiry", "consulted", "requested_by"]
    date_hierarchy = "requested_at"


@admin.register(InquiryAttachment)
class InquiryAttachmentAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["name", "inquiry", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "inquiry__reference"]
    list_select_related = ["inquiry", "uploaded_by"]
    fields = ["inquiry", "name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class OmbudsmanRulesForm(RulesForm):
    limits = {
        "routine_business_days": (1, 20, "business days"),
        "immediate_business_hours": (1, 45, "business hours"),
        "due_soon_business_hours": (1, 45, "business hours"),
        "unassigned_alert_business_hours": (1, 45, "business hours"),
        "public_form_limit_per_hour": (1, 1000, "submissions"),
    }

    class Meta:
        model = OmbudsmanRules
        fields = [
            "routine_business_days",
            "immediate_business_hours",
            "due_soon_business_hours",
            "unassigned_alert_business_hours",
            "public_form_limit_per_hour",
        ]


CLOCK_RULES = ("routine_business_days", "immediate_business_hours")


@admin.register(OmbudsmanRules)
class OmbudsmanRulesAdmin(RulesAdmin):
    form = OmbudsmanRulesForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not set(CLOCK_RULES) & set(form.changed_data):
            return
        moved = services.due_times_recompute(actor=request.user, reason="Ombudsman rules changed")
        messages.info(
            request,
            f"The due time of {moved} inquir{'y' if moved == 1 else 'ies'} waiting for an "
            "initial response moved with the new rules.",
        )
