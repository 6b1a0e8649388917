"""Casework API: intake, differential response and initial face-to-face contacts.

/api/casework/intakes/            list (visible), retrieve, create (POST: opens the case)
/api/casework/intakes/{id}/override-track/   POST, the case's supervisor
/api/casework/iff/{id}/           retrieve; POST .../contact/, .../extension/, .../attempts/
/api/casework/iff-extensions/     list (visible, ?status=pending), retrieve
/api/casework/iff-extensions/{id}/decide/    POST {approve, comment}, the case's supervisor
/api/casework/allegations/{id}/   retrieve; POST .../finding/ {finding, finding_on}: the
                                  investigation's finding (workers who may change the case)

Objects outside the caller's cases answer 404; visible but not theirs to change 403.
Writes go through casework.services.intake, whose ValidationErrors become 400 field maps.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock
from agency.permissions import access_object
from agency.selectors import visible_units
from casework.audit import record_view
from casework.models import (
    Allegation,
    Case,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    Person,
)
from casework.permissions import access_case
from casework.selectors import intake as selectors
from casework.selectors import visible_people
from casework.services import findings as finding_services
from casework.services import intake as services

User = get_user_model()

urlpatterns: list = []


# --- serializers -----------------------------------------------------------------------------


class _NowMixin:
    def _now(self):
        return self.context.get("now") or clock.now()


class IffExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IffExtension
        fields = [
            "id",
            "iff",
            "reason",
            "explanation",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class IffAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = IffAttempt
        fields = ["id", "iff", "attempted_at", "outcome", "recorded_by"]
        read_only_fields = fields


class IntakeIffSerializer(_NowMixin, serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = IffContact
        fields = ["id", "child", "child_name", "due_at", "seen_at", "state"]
        read_only_fields = fields

    def get_state(self, iff: IffContact) -> str:
        return selectors.iff_state(iff, self._now())


class IffSerializer(IntakeIffSerializer):
    time_left_seconds = serializers.SerializerMethodField()
    extensions = IffExtensionSerializer(many=True, read_only=True)
    attempts = IffAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = IffContact
        fields = [
            "id",
            "intake",
            "child",
            "child_name",
            "due_at",
            "seen_at",
            "seen_by",
            "note",
            "state",
            "time_left_seconds",
            "extensions",
            "attempts",
        ]
        read_only_fields = fields

    def get_time_left_seconds(self, iff: IffContact) -> int | None:
        """Seconds until due (negative once overdue); null once the child is seen."""
        left = selectors.iff_time_left(iff, self._now())
        return None if left is None else int(left.total_seconds())


class AllegationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allegation
        fields = ["id", "child", "kind", "finding", "finding_on", "finding_by"]
        read_only_fields = fields


class AllegationDetailSerializer(AllegationSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)

    class Meta(AllegationSerializer.Meta):
        fields = ["id", "intake", "child", "child_name", "kind", "finding", "finding_on",
                  "finding_by"]  # fmt: skip
        read_only_fields = fields


class FindingInputSerializer(serializers.Serializer):
    finding = serializers.ChoiceField(
        choices=Allegation.Finding.choices, help_text="substantiated or unsubstantiated"
    )
    finding_on = serializers.DateField(
        help_text="Not in the future, not before the report was accepted."
    )


class IntakeSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    exceptional_circumstances = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    allegations = AllegationSerializer(many=True, read_only=True)
    iff = IntakeIffSerializer(source="iff_contacts", many=True, read_only=True)

    class Meta:
        model = Intake
        fields = [
            "id",
            "reference",
            "case",
            "case_number",
            "accepted_at",
            "reporter_type",
            "reporter_name",
            "narrative",
            "response_time",
            "risk_level",
            "exceptional_circumstances",
            "recommended_track",
            "track",
            "track_override_reason",
            "track_overridden_by",
            "created_by",
            "allegations",
            "iff",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _VisiblePersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_people(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _VisibleUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return visible_units(self.context["request"].user)


class ChildInputSerializer(serializers.Serializer):
    """An alleged victim: an existing person on one of the caller's cases (`person`), or
    a new one (first and last name, optional date of birth and sex)."""

    person = _VisiblePersonField(required=False, allow_null=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    allegations = serializers.ListField(
        child=serializers.ChoiceField(choices=Allegation.Kind.choices), allow_empty=False
    )

    def validate(self, attrs):
        if not attrs.get("person") and not (attrs.get("first_name") and attrs.get("last_name")):
            raise serializers.ValidationError(
                {"person": "Give an existing person's id, or a first and last name."}
            )
        return attrs


class IntakeCreateSerializer(serializers.Serializer):
    accepted_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, Eastern.")
    reporter_type = serializers.ChoiceField(choices=Intake.ReporterType.choices)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    narrative = serializers.CharField()
    response_time = serializers.ChoiceField(choices=Intake.ResponseTime.choices)
    risk_level = serializers.ChoiceField(choices=Intake.Risk.choices)
    exceptional_circumstances = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ExceptionalCircumstance.objects.filter(active=True), required=False
    )
    unit = _VisibleUnitField(help_text="A unit the caller may see.")
    worker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True).select_related("staff"),
        help_text="A caseworker or the supervisor of `unit`.",
    )
    case_name = serializers.CharField(max_length=150)
    candidacy = serializers.ChoiceField(
        choices=Case.Candidacy.choices, required=False, allow_blank=True
    )
    children = ChildInputSerializer(many=True, allow_empty=False)
    track = serializers.ChoiceField(
        choices=Intake.Track.choices,
        required=False,
        allow_null=True,
        help_text="Leave out to follow the recommendation; another track needs a supervisor.",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True)


class OverrideTrackSerializer(serializers.Serializer):
    track = serializers.ChoiceField(choices=Intake.Track.choices)
    reason = serializers.CharField(allow_blank=True)


class IffContactInputSerializer(serializers.Serializer):
    seen_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True)


class IffExtensionInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=IffExtension.Reason.choices)
    explanation = serializers.CharField(allow_blank=True)


class IffAttemptInputSerializer(serializers.Serializer):
    attempted_at = serializers.DateTimeField()
    outcome = serializers.CharField(allow_blank=True)


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)


# --- views -----------------------------------------------------------------------------------


class _CaseworkViewSet(viewsets.GenericViewSet):
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": clock.now()}

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class IntakeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    _CaseworkViewSet,
):
    """Intakes of the caller's cases. Creating one records the report, opens its case
    and sets an initial face-to-face contact due for every alleged victim; the answer
    has Hearth's `recommended_track` and the `track` taken."""

    serializer_class = IntakeSerializer

    def get_queryset(self):
        return selectors.intake_page_queryset(
            selectors.visible_intakes(self.request.user)
        ).order_by("-accepted_at", "-pk")

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        intake = self.get_object()
        record_view(user=request.user, channel="api", case=intake.case)
        return Response(self.get_serializer(intake).data)

    @extend_schema(request=IntakeCreateSerializer, responses={201: IntakeSerializer})
    def create(self, request, *args, **kwargs):
        if not request.user.has_perm("casework.add_intake"):
            raise PermissionDenied("Intakes are recorded by caseworkers and supervisors.")
        data = self._input(IntakeCreateSerializer)
        intake = services.intake_accept(
            actor=request.user,
            accepted_at=data["accepted_at"],
            reporter_type=data["reporter_type"],
            reporter_name=data.get("reporter_name", ""),
            narrative=data["narrative"],
            response_time=data["response_time"],
            risk_level=data["risk_level"],
            exceptional_circumstances=data.get("exceptional_circumstances", []),
            children=[services.ChildAllegations.from_mapping(c) for c in data["children"]],
            unit=data["unit"],
            worker=data["worker"],
            case_name=data["case_name"],
            candidacy=data.get("candidacy", ""),
            track=data.get("track"),
            override_reason=data.get("override_reason", ""),
        )
        intake = selectors.intake_page_queryset().get(pk=intake.pk)
        return Response(self.get_serializer(intake).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OverrideTrackSerializer, responses=IntakeSerializer)
    @action(detail=True, methods=["post"], url_path="override-track")
    def override_track(self, request, pk=None):
        """The case's supervisor puts the intake on another track, with a reason."""
        intake = access_object(selectors.visible_intakes(request.user), pk)
        access_case(request.user, intake.case_id, "approve")
        data = self._input(OverrideTrackSerializer)
        services.intake_override_track(
            intake=intake, actor=request.user, track=data["track"], reason=data["reason"]
        )
        return Response(self.get_serializer(self.get_object()).data)


class IffViewSet(mixins.RetrieveModelMixin, _CaseworkViewSet):
    """One alleged victim's initial face-to-face contact: its state, extensions and
    follow-up attempts; record the contact, ask for an extension, record attempts."""

    serializer_class = IffSerializer

    def get_queryset(self):
        return (
            selectors.visible_iff(self.request.user)
            .prefetch_related("extensions", "attempts")
            .select_related("child")
        )

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _iff_to_change(self, pk) -> IffContact:
        iff = access_object(
            selectors.visible_iff(self.request.user).select_related("child", "intake__case"), pk
        )
        access_case(self.request.user, iff.intake.case_id, "change")
        return iff

    @extend_schema(request=IffContactInputSerializer, responses=IffSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        iff = self._iff_to_change(pk)
        data = self._input(IffContactInputSerializer)
        services.iff_record_contact(
            iff=iff, actor=request.user, seen_at=data["seen_at"], note=data.get("note", "")
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=IffExtensionInputSerializer, responses={201: IffExtensionSerializer})
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        iff = self._iff_to_change(pk)
        data = self._input(IffExtensionInputSerializer)
        extension = services.iff_extension_request(iff=iff, actor=request.user, **data)
        return Response(IffExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IffAttemptInputSerializer, responses={201: IffAttemptSerializer})
    @action(detail=True, methods=["post"])
    def attempts(self, request, pk=None):
        iff = self._iff_to_change(pk)
        data = self._input(IffAttemptInputSerializer)
        attempt = services.iff_attempt_record(iff=iff, actor=request.user, **data)
        return Response(IffAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class IffExtensionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _CaseworkViewSet):
    """Extension requests on the caller's cases, newest first; the case's supervisor
    approves or denies a pending one with a comment."""

    serializer_class = IffExtensionSerializer

    def get_queryset(self):
        extensions = selectors.visible_iff_extensions(self.request.user).order_by(
            "-requested_at", "-pk"
        )
        wanted = self.request.query_params.get("status")
        if wanted in IffExtension.Status.values:
            extensions = extensions.filter(status=wanted)
        return extensions

    def get_object(self):
        return access_object(selectors.visible_iff_extensions(self.request.user), self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", str, enum=IffExtension.Status.values, description="Only this status."
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ExtensionDecisionSerializer, responses=IffExtensionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        extension = access_object(
            selectors.visible_iff_extensions(request.user).select_related("iff__intake"), pk
        )
        access_case(request.user, extension.iff.intake.case_id, "approve")
        data = self._input(ExtensionDecisionSerializer)
        extension = services.iff_extension_decide(
            extension=extension,
            actor=request.user,
            approve=data["approve"],
            comment=data["comment"],
        )
        return Response(IffExtensionSerializer(extension).data)


class AllegationViewSet(mixins.RetrieveModelMixin, _CaseworkViewSet):
    """One allegation of an intake on the caller's cases, with its finding; record the
    investigation's finding (workers who may change the case, investigations only)."""

    serializer_class = AllegationDetailSerializer

    def get_queryset(self):
        return Allegation.objects.filter(
            intake__in=selectors.visible_intakes(self.request.user).values("pk")
        ).select_related("child", "intake__case")

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        request=FindingInputSerializer,
        responses=AllegationDetailSerializer,
        description="Record or correct the investigation's finding on the allegation.",
    )
    @action(detail=True, methods=["post"])
    def finding(self, request, pk=None):
        allegation = self.get_object()
        access_case(request.user, allegation.intake.case_id, "change")
        data = self._input(FindingInputSerializer)
        finding_services.allegation_finding_record(
            allegation=allegation, actor=request.user, **data
        )
        return Response(self.get_serializer(self.get_object()).data)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("intakes", IntakeViewSet, basename="casework-intake")
    router.register("allegations", AllegationViewSet, basename="casework-allegation")
    router.register("iff", IffViewSet, basename="casework-iff")
    router.register("iff-extensions", IffExtensionViewSet, basename="casework-iff-extension")
