"""Forms of the family meeting pages. They check shapes (a date, a choice); the rules
live in casework.services.meetings, whose errors the views put back on these forms with
agency.forms.show_service_errors."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.models import FamilyMeeting, MeetingParticipant, Placement
from casework.selectors.meetings import Invitable
from casework.services.meetings import FACILITATOR_ROLES

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
_CHECK = forms.CheckboxInput(attrs={"class": "usa-checkbox__input"})


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(format=LOCAL_INPUT, attrs={"type": "datetime-local"})


def local_input(value) -> str:
    return timezone.localtime(value).strftime(LOCAL_INPUT) if value else ""


def placement_label(placement: Placement) -> str:
    emergency = ", emergency" if placement.emergency else ""
    ended = f" to {placement.end_date.day} {placement.end_date:%b %Y}" if placement.end_date else ""
    return (
        f"{placement.child.first_name}: {placement.get_setting_display()} with "
        f"{placement.caregiver}, from {placement.start_date.day} "
        f"{placement.start_date:%b %Y}{ended}{emergency}"
    )


class MeetingForm(forms.Form):
    """A meeting's details, to schedule it or change them before it is held."""

    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=[("", "- Select -"), *FamilyMeeting.Kind.choices],
        error_messages={"required": "Choose the kind of meeting."},
    )
    child = forms.ChoiceField(
        label="Child",
        required=False,
        help_text="The child the meeting is about: required for an FTDM and a shared "
        "planning meeting.",
    )
    placement = forms.ChoiceField(
        label="Placement (FTDM only)",
        required=False,
        help_text="The placement the FTDM decides on or follows. An FTDM held before a "
        "placement can be linked once the placement is recorded.",
    )
    scheduled_for = forms.DateTimeField(
        label="When (date and time, Eastern)",
        widget=_datetime_input(),
        error_messages={"required": "Say when the meeting is (date and time)."},
        help_text="A time in the past is fine to record a meeting after the fact.",
    )
    location = forms.CharField(
        label="Where", max_length=200, required=False, help_text="E.g. the area office, the "
        "family's home, by video."
    )  # fmt: skip
    facilitator = forms.ChoiceField(label="Facilitator", required=False)
    purpose = forms.CharField(
        label="Purpose",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the meeting is to decide or plan.",
    )

    def __init__(
        self,
        *args,
        children: list,
        placements: list[Placement],
        facilitators: list,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.children = {str(p.pk): p for p in children}
        self.placements = {str(p.pk): p for p in placements}
        self.facilitators = {str(u.pk): u for u in facilitators}
        self.fields["child"].choices = [("", "- None -")] + [
            (key, p.full_name) for key, p in self.children.items()
        ]
        self.fields["placement"].choices = [("", "- None -")] + [
            (key, placement_label(p)) for key, p in self.placements.items()
        ]
        self.fields["facilitator"].choices = [("", "- None yet -")] + [
            (key, u.get_full_name() or u.get_username()) for key, u in self.facilitators.items()
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "child": self.children.get(data["child"]),
            "placement": self.placements.get(data["placement"]),
            "scheduled_for": data["scheduled_for"],
            "location": data["location"],
            "facilitator": self.facilitators.get(data["facilitator"]),
            "purpose": data["purpose"],
        }


class MeetingEditForm(MeetingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def initial_for(meeting: FamilyMeeting) -> dict:
        return {
            "kind": meeting.kind,
            "child": str(meeting.child_id or ""),
            "placement": str(meeting.placement_id or ""),
            "scheduled_for": local_input(meeting.scheduled_for),
            "location": meeting.location,
            "facilitator": str(meeting.facilitator_id or ""),
            "purpose": meeting.purpose,
            "version": meeting.version,
        }


def facilitators_for(case) -> list:
    """Casework staff of the case's office, who may facilitate its meetings."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            staff__role__in=FACILITATOR_ROLES,
            staff__work_location_id=case.unit.work_location_id,
        )
        .order_by("last_name", "first_name", "pk")
    )


class InviteForm(forms.Form):
    """Invite people on the case (ticked) and someone not on it (by name)."""

    people = forms.MultipleChoiceField(
        label="People on the case",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )
    other_name = forms.CharField(
        label="Someone not on the case: name",
        max_length=150,
        required=False,
        help_text="A provider, a natural support, a member of agency staff.",
    )
    other_relation = forms.ChoiceField(
        label="Their relation to the family",
        required=False,
        choices=[("", "- Select -"), *MeetingParticipant.Relation.choices],
    )
    invited_on = forms.DateField(
        label="Invited on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Say when they were invited."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, invitable: list[Invitable], **kwargs):
        super().__init__(*args, **kwargs)
        self.invitable = {str(i.person.pk): i for i in invitable}
        self.fields["people"].choices = [
            (key, f"{i.person.full_name} ({i.relation_label})") for key, i in self.invitable.items()
        ]
        if not self.is_bound:
            self.initial.setdefault(
                "people", [key for key, i in self.invitable.items() if i.ticked]
            )

    @property
    def rows(self):
        """(checkbox, Invitable) for the template, in the order of their relation."""
        boxes = {str(box.data["value"]): box for box in self["people"]}
        return [(boxes[key], i) for key, i in self.invitable.items()]

    def clean(self):
        data = super().clean()
        name, relation = data.get("other_name", "").strip(), data.get("other_relation", "")
        if name and not relation:
            self.add_error("other_relation", f"Say how {name} relates to the family.")
        if relation and not name:
            self.add_error("other_name", "Give the name of the person invited.")
        if not data.get("people") and not name and not self.errors:
            raise forms.ValidationError(
                "Tick at least one person on the case, or name someone not on it."
            )
        return data

    def invitees(self) -> list[dict]:
        data = self.cleaned_data
        invited_on: date = data["invited_on"]
        rows = [
            {
                "person": self.invitable[key].person,
                "relation": self.invitable[key].relation,
                "invited_on": invited_on,
            }
            for key in data["people"]
        ]
        if data["other_name"].strip():
            rows.append(
                {
                    "name": data["other_name"],
                    "relation": data["other_relation"],
                    "invited_on": invited_on,
                }
            )
        return rows


class RecordForm(forms.Form):
    held_at = forms.DateTimeField(
        label="When it was held (Eastern)",
        widget=_datetime_input(),
        error_messages={"required": "Say when the meeting was held."},
    )
    attended = forms.MultipleChoiceField(
        label="Who came",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        help_text="Those invited who are not ticked are recorded as not attending.",
    )
    decisions = forms.CharField(
        label="Decisions",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Record what was decided."},
    )
    safety_discussion = forms.CharField(
        label="Safety discussion",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The safety threats talked about and how they are managed (required for "
        "FTDMs and shared planning meetings).",
    )
    conditions_for_return = forms.CharField(
        label="Conditions for return home",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What must change, and what support is needed, for the child to return home.",
    )
    plan_changes = forms.CharField(
        label="Changes to the case plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, participants: list[MeetingParticipant], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(p.pk), f"{p.name} ({p.get_relation_display()})") for p in participants
        ]


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label="Why the meeting is cancelled",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the meeting is cancelled."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class LinkPlacementForm(forms.Form):
    """Link an FTDM, scheduled or held, to the placement it decided on or followed."""

    placement = forms.ChoiceField(
        label="Placement",
        required=False,
        help_text="Choose the placement this FTDM decided on or followed. Choose none to "
        "take a wrong link off.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    back = forms.ChoiceField(
        choices=[("meeting", "meeting"), ("placement", "placement")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, placements: list[Placement], **kwargs):
        super().__init__(*args, **kwargs)
        self.placements = {str(p.pk): p for p in placements}
        self.fields["placement"].choices = [("", "- None -")] + [
            (key, placement_label(p)) for key, p in self.placements.items()
        ]

    def chosen(self) -> Placement | None:
        return self.placements.get(self.cleaned_data["placement"])
