"""Serializers of the Ombudsman API: what an inquiry looks like on the wire, and the
bodies the endpoints accept. Input serializers only check shapes and choices; every
rule (the clock, who may be assigned, what may be linked) is the service's."""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.models import Region, WorkLocation
from ombudsman import deadlines, services
from ombudsman.models import Inquiry, InquiryAttachment, InquiryEvent
from ombudsman.selectors import QUEUE_SORTS, QUEUE_VIEWS, ombudsman_staff

User = get_user_model()

SLA_STATES = list(deadlines.SLA_LABELS.items())
# What staff may log on the timeline (a named choice set for the API schema).
LOG_KINDS = [(kind.value, kind.label) for kind in services.LOGGABLE]


def _name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


# --- output ----------------------------------------------------------------------------------


class InquirySerializer(serializers.ModelSerializer):
    """An inquiry as the queue lists it. `sla_state`, `sla_label` and `time_left` come
    from the stored due time and the business calendar at the time of the request."""

    assignee_name = serializers.SerializerMethodField()
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)
    sla_state = serializers.ChoiceField(choices=SLA_STATES, read_only=True)
    sla_label = serializers.CharField(read_only=True)
    time_left = serializers.CharField(
        read_only=True,
        help_text='Business time left or overdue in words ("3 business hours left"); empty '
        "once the initial response is logged.",
    )

    class Meta:
        model = Inquiry
        fields = [
            "id", "reference", "version", "status", "channel", "source_type", "kind",
            "scope", "urgency", "contact_name", "contact_organization", "contact_email",
            "contact_phone", "contact_address", "preferred_language", "received_at",
            "effective_received_at", "initial_response_due_at", "sla_state", "sla_label",
            "time_left", "subject", "description", "region", "region_name", "work_location",
            "case", "retaliation_alleged", "hr_referred_at", "hr_referral_notes", "assignee",
            "assignee_name", "assigned_at", "initial_response_at", "initial_response_method",
            "initial_response_by", "initial_response_summary", "resolved_at", "outcome",
            "resolution_summary", "closed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_assignee_name(self, inquiry: Inquiry) -> str | None:
        return _name(inquiry.assignee)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InquiryAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class InquiryDetailSerializer(InquirySerializer):
    """One inquiry, with its linked people, attachments and the due time explained step
    by step (which days were skipped and why)."""

    persons = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    due_explanation = serializers.SerializerMethodField()

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "persons", "attachments", "due_explanation"]
        read_only_fields = fields

    def get_due_explanation(self, inquiry: Inquiry) -> list[str]:
        return services.due_explanation(inquiry, self.context.get("calendar"))


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = InquiryEvent
        fields = [
            "id", "kind", "kind_label", "occurred_at", "actor", "actor_name", "summary",
            "method", "party",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actor_name(self, event: InquiryEvent) -> str | None:
        return _name(event.actor)


# --- input -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _VisibleCaseField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": "No case you may see has this id."}

    def get_queryset(self):
        from casework.selectors import visible_cases

        return visible_cases(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _VisiblePersonField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": "Link only people on cases you may see."}

    def get_queryset(self):
        from casework.selectors import visible_people

        return visible_people(self.context["request"].user)


class InquiryCreateSerializer(serializers.Serializer):
    """A new inquiry. Only `channel`, `source_type`, `subject` and `description` are
    required; contact details are optional (anonymous inquiries are allowed)."""

    channel = serializers.ChoiceField(choices=Inquiry.Channel.choices)
    source_type = serializers.ChoiceField(choices=Inquiry.SourceType.choices)
    received_at = serializers.DateTimeField(
        required=False,
        help_text="When the inquiry actually arrived (ISO 8601; without an offset, Eastern). "
        "Defaults to now; never in the future.",
    )
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Inquiry.Urgency.choices, required=False)
    kind = serializers.ChoiceField(choices=Inquiry.Kind.choices, required=False)
    scope = serializers.ChoiceField(choices=Inquiry.Scope.choices, required=False)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_organization = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_address = serializers.CharField(required=False, allow_blank=True)
    preferred_language = serializers.CharField(max_length=40, required=False, allow_blank=True)
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )
    work_location = serializers.PrimaryKeyRelatedField(
        queryset=WorkLocation.objects.all(), required=False, allow_null=True
    )
    case = _VisibleCaseField(required=False, allow_null=True)
    persons = _VisiblePersonField(many=True, required=False)
    retaliation_alleged = serializers.BooleanField(required=False)
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Files received with the inquiry (multipart/form-data only): PDF, images, "
        "Word or text, 10 MB each at most.",
    )


class InquiryUpdateSerializer(InquiryCreateSerializer):
    """Changed details only, with the `version` you read: a change made on an older
    version is refused (400, `version`). Changing `urgency` or `received_at` recomputes
    the due time."""

    version = serializers.IntegerField(
        min_value=1, help_text="The inquiry's `version` when you read it."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("attachments")
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class _Versioned(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The inquiry's `version` when you read it: refused if someone changed it "
        "since. Leave out to skip the check.",
    )


class AssignSerializer(_Versioned):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=ombudsman_staff(),
        error_messages={"does_not_exist": "Assign inquiries to Ombudsman staff only."},
        help_text="A member of the Ombudsman's staff (staff may only take inquiries "
        "themselves; the lead assigns anyone).",
    )


class RespondSerializer(_Versioned):
    method = serializers.ChoiceField(choices=Inquiry.ResponseMethod.choices)
    summary = serializers.CharField()
    responded_at = serializers.DateTimeField(
        required=False, help_text="When the inquirer was answered; defaults to now."
    )


class ResolveSerializer(_Versioned):
    outcome = serializers.ChoiceField(choices=Inquiry.Outcome.choices)
    summary = serializers.CharField()


class ReopenSerializer(_Versioned):
    reason = serializers.CharField()


class CloseSerializer(_Versioned):
    pass


class LogSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=LOG_KINDS,
        help_text="A further contact with the inquirer, a referral, or a note.",
    )
    summary = serializers.CharField()
    method = serializers.ChoiceField(
        choices=InquiryEvent.ContactMethod.choices,
        required=False,
        allow_blank=True,
        help_text="How the contact happened (contacts only).",
    )
    party = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Who was contacted, or where the inquirer was referred (referrals).",
    )
    occurred_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class HrReferralSerializer(serializers.Serializer):
    notes = serializers.CharField(help_text="Who at HR received the referral, and how.")
    referred_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")


class QueueFilterSerializer(serializers.Serializer):
    """The queue's filters, as query parameters."""

    view = serializers.ChoiceField(
        choices=[(v, v) for v in QUEUE_VIEWS],
        default="all",
        help_text="mine: assigned to you; unassigned; all.",
    )
    status = serializers.ChoiceField(
        choices=Inquiry.Status.choices,
        required=False,
        help_text="Without a status, only open inquiries are listed.",
    )
    sla = serializers.ChoiceField(choices=SLA_STATES, required=False)
    urgency = serializers.ChoiceField(choices=Inquiry.Urgency.choices, required=False)
    source_type = serializers.ChoiceField(choices=Inquiry.SourceType.choices, required=False)
    channel = serializers.ChoiceField(choices=Inquiry.Channel.choices, required=False)
    kind = serializers.ChoiceField(choices=Inquiry.Kind.choices, required=False)
    region = serializers.IntegerField(min_value=1, required=False, help_text="A region's id.")
    assignee = serializers.IntegerField(min_value=1, required=False, help_text="A user's id.")
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Search the reference, names, subject and description.",
    )
    sort = serializers.ChoiceField(
        choices=[(s, s) for s in QUEUE_SORTS],
        default="due",
        help_text="due: most urgent first (the default); -due; received: newest first; reference.",
    )
    include_closed = serializers.BooleanField(
        default=False, help_text="Also list resolved and closed inquiries."
    )


class IngestEmailSerializer(serializers.Serializer):
    message = serializers.FileField(help_text="The raw RFC 822 message (an .eml file).")
