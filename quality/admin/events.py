"""Django admin: significant events and who is notified of each kind.

Events are recorded and corrected through quality.services.events, as on the pages:
adding one here hands out its reference and notifies the designated officials; a change
carries the version the form was opened on and is refused when someone else changed the
event since. The reference, who recorded it and when are read-only; the history is
django-simple-history's. Events are records: never deleted.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from quality.models import EventNotificationRule, SignificantEvent
from quality.services import events as services

EDITABLE = [
    "kind",
    "occurred_at",
    "work_location",
    "facility",
    "case",
    "persons",
    "description",
    "reporter",
]


class SignificantEventAdminForm(forms.ModelForm):
    # The version the form was opened on: a change made on an older one is refused.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SignificantEvent
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    actor = None  # set by SignificantEventAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(services.STALE_MESSAGE)
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # copies the values onto the instance, model checks
        event = self.instance
        try:
            services.event_check(
                actor=self.actor,
                kind=event.kind,
                occurred_at=event.occurred_at,
                work_location=event.work_location,
                facility=event.facility,
                case=event.case,
                persons=self.cleaned_data.get("persons") or [],
                description=event.description,
                reporter=event.reporter,
                check_case=not event.pk or "case" in self.changed_data,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field in self.errors:
                    continue  # already explained by the field's own check
                self.add_error(field if field in self.fields else None, errors)


@admin.register(SignificantEvent)
class SignificantEventAdmin(SimpleHistoryAdmin):
    form = SignificantEventAdminForm
    list_display = [
        "reference",
        "kind",
        "occurred_at",
        "work_location",
        "facility",
        "case",
        "recorded_by",
    ]
    list_filter = ["kind", "work_location__region", "work_location"]
    search_fields = ["reference", "description", "facility", "reporter", "case__number"]
    list_select_related = ["work_location", "case", "recorded_by"]
    date_hierarchy = "occurred_at"
    autocomplete_fields = ["work_location", "case"]
    raw_id_fields = ["persons"]
    readonly_fields = ["reference", "recorded_by", "recorded_at", "version"]
    fieldsets = [
        (
            "Event",
            {
                "fields": [
                    "kind",
                    "occurred_at",
                    ("work_location", "facility"),
                    "case",
                    "persons",
                    "description",
                    "reporter",
                    "seen_version",
                ]
            },
        ),
        ("Record", {"fields": ["reference", "recorded_by", "recorded_at", "version"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.fieldsets[:1]

    def has_delete_permission(self, request, obj=None):
        return False

    def _write(self, request, obj, form, change) -> SignificantEvent:
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in EDITABLE if name in form.changed_data}
            return services.event_update(
                event=obj,
                actor=request.user,
                version=data.get("seen_version") or obj.version,
                **fields,
            )
        return services.event_record(
            actor=request.user, **{name: data.get(name) for name in EDITABLE}
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        saved = self._write(request, obj, form, change)
        # The service saved its own instance; the admin's log and redirect use obj.
        obj.pk, obj.reference, obj.version = saved.pk, saved.reference, saved.version

    def save_related(self, request, form, formsets, change):
        """The people concerned were set by the service (checked against the case)."""


@admin.register(EventNotificationRule)
class EventNotificationRuleAdmin(admin.ModelAdmin):
    """Who is notified at once of each kind of event."""

    list_display = ["kind", "official"]
    list_filter = ["kind"]
    search_fields = ["official__username", "official__first_name", "official__last_name"]
    list_select_related = ["official"]
    autocomplete_fields = ["official"]
