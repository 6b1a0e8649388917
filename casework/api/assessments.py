"""Casework API: assessments (safety, risk, family-centered) and their approval.

/api/casework/assessments/              list (visible; ?case=, ?kind=, ?status=), create
                                        {case, kind}: a draft, due under the casework rules
/api/casework/assessments/{id}/         retrieve; PATCH the kind's fields (draft or returned;
                                        `edit_token` refuses a change made in between)
/api/casework/assessments/{id}/submit/  POST: complete? then to the supervisor
/api/casework/assessments/{id}/decide/  POST {approve, comment}: the case's supervisor

Assessments outside the caller's cases answer 404; visible but not theirs to change 403.
Writes go through casework.services.assessments, whose ValidationErrors become 400 field
maps.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.fields import EditTokenField, edit_token_input
from agency.concurrency import with_edit_tokens
from agency.permissions import access_object
from casework.audit import record_view
from casework.models import Assessment, Intake
from casework.permissions import access_case
from casework.selectors import assessments as selectors
from casework.services import assessments as services

urlpatterns: list = []

_CONTENT_FIELDS = [name for kind in Assessment.Kind.values for name in services.KIND_FIELDS[kind]]


# --- serializers -------------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    author_name = serializers.SerializerMethodField()
    edit_token = EditTokenField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "status",
            "due_on",
            *_CONTENT_FIELDS,
            "author",
            "author_name",
            "created_at",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "edit_token",
        ]
        read_only_fields = fields

    def get_author_name(self, assessment: Assessment) -> str:
        return assessment.author.get_full_name() or assessment.author.username


class AssessmentCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A case the caller works on.")
    kind = serializers.ChoiceField(choices=Assessment.Kind.choices)


def _text() -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True)


class AssessmentUpdateSerializer(serializers.Serializer):
    """Any of the assessment's own fields (safety: safety_decision, threats, safety_plan;
    risk: risk_level; family-centered: the domains, strengths, protective_factors,
    natural_supports, family_input, provider_input, summary). Other kinds' fields: 400.
    `edit_token` (from the assessment as read) refuses a change made in between."""

    safety_decision = serializers.ChoiceField(
        choices=Assessment.SafetyDecision.choices, required=False, allow_blank=True
    )
    threats = _text()
    safety_plan = _text()
    risk_level = serializers.ChoiceField(
        choices=Intake.Risk.choices, required=False, allow_blank=True
    )
    # The family-centered assessment: its domains, then how they fit together.
    safety = _text()
    risk = _text()
    domestic_violence = _text()
    substance_abuse = _text()
    medical = _text()
    dental = _text()
    educational = _text()
    psychosocial_functioning = _text()
    behavioral_health = _text()
    criminogenic_needs = _text()
    strengths = _text()
    protective_factors = _text()
    natural_supports = _text()
    family_input = _text()
    provider_input = _text()
    summary = _text()
    edit_token = edit_token_input()


class AssessmentDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed when returning (approve false)."
    )


# --- views -------------------------------------------------------------------------------------


class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments on the caller's cases, latest due first. Caseworkers start a draft
    (POST), fill in the kind's fields (PATCH) and submit it; the case's supervisor
    approves or returns it with a comment (`decide`). Nobody decides their own."""

    serializer_class = AssessmentSerializer

    def get_queryset(self):
        assessments = with_edit_tokens(
            selectors.assessment_page_queryset(selectors.visible_assessments(self.request.user))
        ).order_by("-due_on", "-pk")
        params = self.request.query_params
        if params.get("case", "").isdigit():
            assessments = assessments.filter(case_id=int(params["case"]))
        if params.get("kind") in Assessment.Kind.values:
            assessments = assessments.filter(kind=params["kind"])
        if params.get("status") in Assessment.Status.values:
            assessments = assessments.filter(status=params["status"])
        return assessments

    def get_object(self):
        return access_object(
            with_edit_tokens(
                selectors.assessment_page_queryset(selectors.visible_assessments(self.request.user))
            ),
            self.kwargs["pk"],
        )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _to_change(self, pk) -> Assessment:
        assessment = access_object(selectors.visible_assessments(self.request.user), pk)
        access_case(self.request.user, assessment.case_id, "change")
        return assessment

    def _answer(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        fresh = with_edit_tokens(selectors.assessment_page_queryset()).get(pk=assessment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only this case's assessments."),
            OpenApiParameter(
                "kind", str, enum=Assessment.Kind.values, description="Only this kind."
            ),
            OpenApiParameter(
                "status", str, enum=Assessment.Status.values, description="Only this status."
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        record_view(user=request.user, channel="api", case=assessment.case)
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(AssessmentCreateSerializer)
        case = access_case(request.user, data["case"], "change")
        assessment = services.assessment_start(case=case, actor=request.user, kind=data["kind"])
        return self._answer(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentUpdateSerializer, responses=AssessmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        assessment = self._to_change(kwargs["pk"])
        unknown = sorted(set(request.data) - set(AssessmentUpdateSerializer().fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field cannot be changed here."] for name in unknown}
            )
        data = self._input(AssessmentUpdateSerializer)
        services.assessment_update(assessment=assessment, actor=request.user, **data)
        return self._answer(assessment)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a complete draft (or a corrected returned assessment) to the supervisor."""
        assessment = self._to_change(pk)
        services.assessment_submit(assessment=assessment, actor=request.user)
        return self._answer(assessment)

    @extend_schema(request=AssessmentDecisionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The case's supervisor approves, or returns with a comment."""
        assessment = access_object(selectors.visible_assessments(request.user), pk)
        access_case(request.user, assessment.case_id, "approve")
        data = self._input(AssessmentDecisionSerializer)
        services.assessment_decide(
            assessment=assessment,
            actor=request.user,
            approve=data["approve"],
            comment=data.get("comment", ""),
        )
        return self._answer(assessment)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("assessments", AssessmentViewSet, basename="casework-assessment")
