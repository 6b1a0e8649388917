"""What the COOP API answers and accepts. Input serializers check shapes; the rules live
in coop.services, whose errors become 400 field maps with the same field names."""

from datetime import date

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from coop import duties as duty_rules
from coop.models import (
    CoopPlan,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    PlanDocument,
    QuarterlyDuties,
)
from coop.quarters import Quarter
from coop.selectors import created_on


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


@extend_schema_field({"type": "string", "example": "2026-Q4", "pattern": r"^\d{4}-?Q[1-4]$"})
class QuarterField(serializers.Field):
    """A calendar quarter as "2026-Q4"."""

    default_error_messages = {"invalid": 'Give a quarter as "2026-Q4".'}

    def to_internal_value(self, data) -> Quarter:
        try:
            return Quarter.parse(str(data))
        except (ValueError, TypeError):
            self.fail("invalid")

    def to_representation(self, value) -> str:
        quarter = value if isinstance(value, Quarter) else Quarter.starting(value)
        return quarter.slug


# --- plans -----------------------------------------------------------------------------------


class KeyStaffSerializer(serializers.ModelSerializer):
    duty_label = serializers.CharField(source="get_duty_display", read_only=True)

    class Meta:
        model = KeyStaff
        fields = ["duty", "duty_label", "alternate", "user", "name", "title", "phone", "email"]
        read_only_fields = fields


class EmergencyProcedureSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The emergency, in words.")

    class Meta:
        model = EmergencyProcedure
        fields = ["kind", "title", "name", "procedure"]
        read_only_fields = fields


class NotificationCriterionSerializer(serializers.ModelSerializer):
    audience_label = serializers.CharField(source="get_audience_display", read_only=True)

    class Meta:
        model = NotificationCriterion
        fields = ["audience", "audience_label", "who", "contact", "conditions"]
        read_only_fields = fields


class PlanDocumentSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = PlanDocument
        fields = [
            "id", "number", "name", "size", "summary", "uploaded_by", "uploaded_by_name",
            "uploaded_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_uploaded_by_name(self, document: PlanDocument) -> str | None:
        return _name(document.uploaded_by)

    def get_download_url(self, document: PlanDocument) -> str:
        return reverse(
            "coop-plan-document-download",
            kwargs={"pk": document.plan_id, "document_pk": document.pk},
            request=self.context.get("request"),
        )


class CoopPlanSerializer(serializers.ModelSerializer):
    work_location_name = serializers.CharField(source="work_location.name", read_only=True)
    region = serializers.CharField(source="work_location.region.code", read_only=True, default=None)
    senior_administrator_name = serializers.SerializerMethodField()
    key_staff = KeyStaffSerializer(many=True, read_only=True)
    procedures = EmergencyProcedureSerializer(many=True, read_only=True)
    notifications = NotificationCriterionSerializer(many=True, read_only=True)
    documents = PlanDocumentSerializer(
        many=True, read_only=True, help_text="Every version, newest (the current plan) first."
    )

    class Meta:
        model = CoopPlan
        fields = [
            "id", "version", "work_location", "work_location_name", "region",
            "senior_administrator", "senior_administrator_name", "hard_copy_location",
            "assembly_point", "created_at", "updated_at", "key_staff", "procedures",
            "notifications", "documents",
        ]  # fmt: skip
        read_only_fields = fields

    def get_senior_administrator_name(self, plan: CoopPlan) -> str | None:
        return _name(plan.senior_administrator)


class KeyStaffInputSerializer(serializers.Serializer):
    duty = serializers.ChoiceField(choices=KeyStaff.Duty.choices)
    alternate = serializers.BooleanField(default=False)
    user = serializers.IntegerField(
        required=False, allow_null=True, help_text="Their Hearth login (a user id), if any."
    )
    name = serializers.CharField(max_length=150)
    title = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class EmergencyProcedureInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EmergencyProcedure.Kind.choices)
    title = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text='For "other".'
    )
    procedure = serializers.CharField()


class NotificationCriterionInputSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=NotificationCriterion.Audience.choices)
    who = serializers.CharField(max_length=150)
    contact = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    conditions = serializers.CharField()


class CoopPlanUpdateSerializer(serializers.Serializer):
    """Send only the sections that change, with the plan's `version` as you read it: a
    change made on an older version is refused (400, `version`). A list replaces its
    section whole; `procedures` always covers the five standard emergencies."""

    version = serializers.IntegerField(min_value=1)
    hard_copy_location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    assembly_point = serializers.CharField(max_length=300, required=False, allow_blank=True)
    key_staff = KeyStaffInputSerializer(many=True, required=False)
    procedures = EmergencyProcedureInputSerializer(many=True, required=False)
    notifications = NotificationCriterionInputSerializer(many=True, required=False)


class CoopPlanFilterSerializer(serializers.Serializer):
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text='A region code, e.g. "R4".'
    )


class PlanDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The plan document: a PDF.")
    summary = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="What changed."
    )


# --- quarterly duties ------------------------------------------------------------------------


class DutyStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s.value, s.value) for s in duty_rules.State])
    label = serializers.CharField(help_text='In words, e.g. "Done late", "Due 31 Dec 2026".')
    detail = serializers.CharField()
    overdue = serializers.BooleanField()
    due_on = serializers.DateField()
    on = serializers.DateField(allow_null=True, help_text="When it was done (or submitted).")


class DutyStatusesSerializer(serializers.Serializer):
    communicated = DutyStatusSerializer()
    revised = DutyStatusSerializer()
    submitted = DutyStatusSerializer()


class QuarterlyDutiesSerializer(serializers.ModelSerializer):
    quarter = QuarterField(read_only=True)
    quarter_first_day = serializers.DateField(source="quarter", read_only=True)
    work_location = serializers.IntegerField(source="plan.work_location_id", read_only=True)
    work_location_name = serializers.CharField(source="plan.work_location.name", read_only=True)
    region = serializers.CharField(
        source="plan.work_location.region.code", read_only=True, default=None
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = QuarterlyDuties
        fields = [
            "id", "version", "plan", "work_location", "work_location_name", "region",
            "quarter", "quarter_first_day", "status",
            "communicated_on", "communication_channel", "staff_count",
            "communication_evidence", "communicated_by",
            "revised_on", "revision", "revision_document", "revision_note", "revised_by",
            "submission", "submitted_on", "submitted_by",
            "opm_comments", "opm_decided_by", "opm_decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DutyStatusesSerializer)
    def get_status(self, duties: QuarterlyDuties) -> dict:
        today: date = self.context["today"]
        status = duty_rules.quarter_status(
            duties,
            quarter=Quarter.starting(duties.quarter),
            created_on=created_on(duties.plan),
            today=today,
            rules=self.context["rules"],
        )
        return {
            s.duty.value: {
                "state": s.state.value,
                "label": s.label,
                "detail": s.detail,
                "overdue": s.overdue,
                "due_on": s.due_on,
                "on": s.on,
            }
            for s in status.duties
        }


class CoopReturnSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    by = serializers.CharField()
    comments = serializers.CharField()


class QuarterlyDutiesDetailSerializer(QuarterlyDutiesSerializer):
    returns = serializers.SerializerMethodField()

    class Meta(QuarterlyDutiesSerializer.Meta):
        fields = [*QuarterlyDutiesSerializer.Meta.fields, "returns"]
        read_only_fields = fields

    @extend_schema_field(CoopReturnSerializer(many=True))
    def get_returns(self, duties: QuarterlyDuties) -> list[dict]:
        entries = self.context.get("returns", {}).get(duties.quarter, [])
        return [{"at": e.at, "by": e.by, "comments": e.comments} for e in entries]


class QuarterlyDutiesFilterSerializer(serializers.Serializer):
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text='A region code, e.g. "R4".'
    )
    quarter = QuarterField(required=False, help_text='e.g. "2026-Q4".')
    plan = serializers.IntegerField(required=False, min_value=1, help_text="A plan id.")


class _QuarterInput(serializers.Serializer):
    quarter = QuarterField(help_text="The current quarter or the one before, e.g. 2026-Q4.")
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The quarter's `version` as you read it (0 when nothing was recorded yet). "
        "Optional: when given and the quarter changed since, 400 and nothing is saved.",
    )


class CoopCommunicationInputSerializer(_QuarterInput):
    communicated_on = serializers.DateField(help_text="From the quarter's first day to today.")
    communication_channel = serializers.ChoiceField(choices=QuarterlyDuties.Channel.choices)
    staff_count = serializers.IntegerField(min_value=1, help_text="How many staff it reached.")
    communication_evidence = serializers.CharField()


class CoopRevisionInputSerializer(_QuarterInput):
    revised_on = serializers.DateField(help_text="From the quarter's first day to today.")
    revision = serializers.ChoiceField(choices=QuarterlyDuties.Revision.choices)
    file = serializers.FileField(required=False, help_text="The new version (PDF).")
    revision_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What changed; for no_changes, the attestation (required).",
    )


class DutiesSubmitInputSerializer(_QuarterInput):
    pass


class CoopReviewInputSerializer(serializers.Serializer):
    opm_comments = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to return the plan; optional to accept it.",
    )
    version = serializers.IntegerField(required=False, min_value=1)
