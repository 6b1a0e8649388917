"""Casework admin: people, relationships, diligent searches, the race list.

People are added from a case page (the duplicate check lives there) and never deleted;
changes here go through casework.services.people like everywhere else. Relationships
and diligent searches are recorded on the pages; admin shows them, and may remove a
relationship entered in error (its history keeps the row).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from casework.models import DiligentSearchEntry, Person, Race, Relationship
from casework.services import people as services


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = list(services.PERSON_FIELDS)

    def clean(self):
        cleaned = super().clean()
        candidate = Person(
            **{
                name: cleaned.get(name, getattr(self.instance, name))
                for name in services.PERSON_FIELDS
                if name != "races"
            }
        )
        for name in ("first_name", "last_name", "preferred_language"):
            setattr(candidate, name, (getattr(candidate, name) or "").strip())
        try:
            services.person_check(candidate, cleaned.get("races"))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field in self.fields and field in self.errors:
                    continue  # already explained by the field's own check
                self.add_error(field if field in self.fields else None, errors)
        return cleaned


class DiligentSearchInline(admin.TabularInline):
    model = DiligentSearchEntry
    extra = 0
    can_delete = False
    fields = ["searched_on", "method", "result", "found", "recorded_by"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # logged from the person page, where the rules apply


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    form = PersonAdminForm
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "whereabouts_unknown",
        "incarcerated",
    ]
    list_filter = ["sex", "ethnicity", "whereabouts_unknown", "incarcerated"]
    search_fields = ["last_name", "first_name", "middle_name"]
    filter_horizontal = ["races"]
    readonly_fields = ["created_at"]
    inlines = [DiligentSearchInline]
    fieldsets = [
        (
            "Name and birth",
            {
                "fields": [
                    ("first_name", "middle_name", "last_name"),
                    ("date_of_birth", "date_of_birth_estimated"),
                    "sex",
                ]
            },
        ),
        ("Race and ethnicity", {"fields": ["races", "ethnicity", "tribal_affiliation"]}),
        (
            "Language and communication",
            {"fields": ["preferred_language", "interpreter_needed", "communication_needs"]},
        ),
        (
            "Whereabouts",
            {
                "fields": [
                    "whereabouts_unknown",
                    "incarcerated",
                    "facility",
                    "facility_contact",
                    "created_at",
                ]
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False  # people join through a case, with the duplicate check

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.PERSON_FIELDS
        }
        services.person_update(person=obj, actor=request.user, **changed)

    def save_related(self, request, form, formsets, change):
        # Races were set by person_update; the inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Relationship)
class RelationshipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "kind", "relative", "note"]
    list_filter = ["kind"]
    search_fields = [
        "person__last_name",
        "person__first_name",
        "relative__last_name",
        "relative__first_name",
    ]
    list_select_related = ["person", "relative"]

    def has_add_permission(self, request) -> bool:
        return False  # recorded on the case page, among the case's members

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        services.relationship_remove(relationship=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for relationship in queryset:
            services.relationship_remove(relationship=relationship, actor=request.user)


@admin.register(DiligentSearchEntry)
class DiligentSearchEntryAdmin(SimpleHistoryAdmin):
    list_display = ["person", "searched_on", "method", "found", "recorded_by"]
    list_filter = ["found"]
    search_fields = ["person__last_name", "person__first_name", "method", "result"]
    list_select_related = ["person", "recorded_by"]
    date_hierarchy = "searched_on"

    def has_add_permission(self, request) -> bool:
        return False  # logged from the person page, only while whereabouts are unknown

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Race)
class RaceAdmin(admin.ModelAdmin):
    """The OMB categories: labels and order may be adjusted; codes are what reports and
    the API use, so they stay."""

    list_display = ["label", "code", "order"]
    list_editable = ["order"]
    ordering = ["order"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
