"""The Special Qualitative Review API (confidential).

/api/quality/sqr/                              GET the reviews granted to the caller (only
                                               those; ?q= searches their references);
                                               POST {event} opens one
/api/quality/sqr/{id}/                         GET one (briefing, records, report);
                                               PATCH {version, ...} the briefing, records,
                                               report or step
/api/quality/sqr/{id}/interviews/              GET; POST {kind, who, held_on, notes}
/api/quality/sqr/{id}/findings/                GET with their recommendations;
                                               POST {area, scope, theme, finding}
/api/quality/sqr/{id}/recommendations/         GET; POST {finding, recommendation, owner,
                                               due_on}
/api/quality/sqr/{id}/recommendations/{rec}/   PATCH {version, status, ...}

The same gatekeeper as the pages (quality.selectors.sqr): a review not granted to the
caller answers 404 whatever their role, superusers included, and every reach is written
to the review's access log as "api". Writing needs the review team's permission (403).
Service ValidationErrors answer 400 with a field map.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agency.permissions import access_object
from quality.models import (
    SignificantEvent,
    SpecialQualitativeReview,
    SqrFinding,
    SqrInterview,
    SqrRecommendation,
)
from quality.selectors import sqr as selectors
from quality.services import sqr as services

urlpatterns: list = []

User = get_user_model()


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- output ----------------------------------------------------------------------------------


class SqrSerializer(serializers.ModelSerializer):
    event_reference = serializers.CharField(source="event.reference", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SpecialQualitativeReview
        fields = [
            "id", "reference", "version", "status", "status_label", "event", "event_reference",
            "opened_by", "opened_at", "report_finalized_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class SqrDetailSerializer(SqrSerializer):
    class Meta(SqrSerializer.Meta):
        fields = [
            *SqrSerializer.Meta.fields,
            "briefing_held_on",
            "briefing_participants",
            "records_examined",
            "report",
        ]
        read_only_fields = fields


class SqrInterviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = SqrInterview
        fields = ["id", "kind", "who", "held_on", "notes", "recorded_by"]
        read_only_fields = fields


class SqrRecommendationSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = SqrRecommendation
        fields = [
            "id", "finding", "version", "recommendation", "owner", "owner_name", "due_on",
            "status", "completed_on",
        ]  # fmt: skip
        read_only_fields = fields

    def get_owner_name(self, rec: SqrRecommendation) -> str:
        return _name(rec.owner)


class SqrFindingSerializer(serializers.ModelSerializer):
    recommendations = SqrRecommendationSerializer(many=True, read_only=True)

    class Meta:
        model = SqrFinding
        fields = ["id", "area", "scope", "theme", "finding", "recommendations"]
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------


class SqrOpenSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="The significant event's id (one you may see).")


class SqrUpdateSerializer(serializers.Serializer):
    """Send only what changes, with the `version` you read (400 `version` when stale)."""

    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(
        choices=SpecialQualitativeReview.Status.choices, required=False
    )
    briefing_held_on = serializers.DateField(required=False, allow_null=True)
    briefing_participants = serializers.CharField(required=False, allow_blank=True)
    records_examined = serializers.CharField(required=False, allow_blank=True)
    report = serializers.CharField(required=False, allow_blank=True)


class SqrInterviewInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SqrInterview.Kind.choices)
    who = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    notes = serializers.CharField()


class SqrFindingInputSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=SqrFinding.Area.choices)
    scope = serializers.ChoiceField(choices=SqrFinding.Scope.choices)
    theme = serializers.CharField(max_length=100, help_text="A short theme; never a name.")
    finding = serializers.CharField()


class SqrRecommendationInputSerializer(serializers.Serializer):
    finding = serializers.IntegerField(help_text="A finding of this review.")
    recommendation = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class SqrRecommendationUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=SqrRecommendation.Status.choices, required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)
    recommendation = serializers.CharField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    due_on = serializers.DateField(required=False)


# --- the endpoints ---------------------------------------------------------------------------


class SqrViewSet(viewsets.GenericViewSet):
    """Special Qualitative Reviews: confidential, reached only by those granted each one."""

    serializer_class = SqrSerializer
    queryset = SpecialQualitativeReview.objects.none()  # the schema's model; see the gatekeeper
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _input(self, serializer_class, data=None) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _review(self, pk, what: str) -> SpecialQualitativeReview:
        return selectors.access_review(self.request.user, pk, action="api", what=what)

    def _require_work(self) -> None:
        if not selectors.can_work(self.request.user):
            raise PermissionDenied("Those granted access to read a review do not change it.")

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Review or event reference.")],
        responses=SqrSerializer(many=True),
    )
    def list(self, request):
        """The reviews granted to the caller, newest first (an empty list for others)."""
        reviews = selectors.review_list(request.user, query=request.query_params.get("q", ""))
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(SqrSerializer(page, many=True).data)

    @extend_schema(request=SqrOpenSerializer, responses={201: SqrDetailSerializer})
    def create(self, request):
        """Open a review of a significant event; the caller is granted it at once."""
        if not selectors.can_open_reviews(request.user):
            raise PermissionDenied("Quality reviewers and the Commissioner's office open reviews.")
        data = self._input(SqrOpenSerializer)
        event: SignificantEvent = selectors.openable_event(request.user, data["event"])
        review = services.review_open(event=event, actor=request.user)
        return Response(SqrDetailSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SqrDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(SqrDetailSerializer(self._review(pk, "review")).data)

    @extend_schema(request=SqrUpdateSerializer, responses=SqrDetailSerializer)
    def partial_update(self, request, pk=None):
        """The briefing, records examined, report or step, with the `version` you read.
        The report becomes final on the review page (it checks the review is complete)."""
        review = self._review(pk, "changed the review")
        self._require_work()
        data = self._input(SqrUpdateSerializer)
        version = data.pop("version")
        review = services.review_update(review=review, actor=request.user, version=version, **data)
        return Response(SqrDetailSerializer(review).data)

    @extend_schema(methods=["GET"], responses=SqrInterviewSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request=SqrInterviewInputSerializer,
        responses={201: SqrInterviewSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def interviews(self, request, pk=None):
        """Staff and collateral interviews and expert consultations."""
        if request.method == "POST":
            review = self._review(pk, "added an interview")
            self._require_work()
            data = self._input(SqrInterviewInputSerializer)
            interview = services.interview_add(review=review, actor=request.user, **data)
            return Response(SqrInterviewSerializer(interview).data, status=status.HTTP_201_CREATED)
        review = self._review(pk, "interviews")
        return Response(SqrInterviewSerializer(review.interviews.all(), many=True).data)

    @extend_schema(methods=["GET"], responses=SqrFindingSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=SqrFindingInputSerializer, responses={201: SqrFindingSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def findings(self, request, pk=None):
        """Findings in the three core areas, each with its recommendations."""
        if request.method == "POST":
            review = self._review(pk, "added a finding")
            self._require_work()
            data = self._input(SqrFindingInputSerializer)
            finding = services.finding_add(review=review, actor=request.user, **data)
            return Response(SqrFindingSerializer(finding).data, status=status.HTTP_201_CREATED)
        review = self._review(pk, "findings")
        findings = selectors.review_sections(review)["findings"]
        return Response(SqrFindingSerializer(findings, many=True).data)

    @extend_schema(methods=["GET"], responses=SqrRecommendationSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"],
        request=SqrRecommendationInputSerializer,
        responses={201: SqrRecommendationSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def recommendations(self, request, pk=None):
        """Recommendations on the review's findings: owner, due date, status."""
        if request.method == "POST":
            review = self._review(pk, "added a recommendation")
            self._require_work()
            data = self._input(SqrRecommendationInputSerializer)
            finding = access_object(review.findings.all(), data.pop("finding"))
            rec = services.recommendation_add(finding=finding, actor=request.user, **data)
            return Response(SqrRecommendationSerializer(rec).data, status=status.HTTP_201_CREATED)
        review = self._review(pk, "recommendations")
        return Response(
            SqrRecommendationSerializer(
                selectors.review_sections(review)["recommendations"], many=True
            ).data
        )

    @extend_schema(request=SqrRecommendationUpdateSerializer, responses=SqrRecommendationSerializer)
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"recommendations/(?P<rec>[0-9]+)",
        url_name="recommendation",
    )
    def recommendation(self, request, pk=None, rec=None):
        """Change a recommendation (the owner: its status) with the `version` you read."""
        review = self._review(pk, "changed a recommendation")
        recommendation = access_object(
            SqrRecommendation.objects.filter(finding__review=review).select_related(
                "finding", "owner"
            ),
            rec,
        )
        data = self._input(SqrRecommendationUpdateSerializer)
        version = data.pop("version")
        updated = services.recommendation_update(
            recommendation=recommendation, actor=request.user, version=version, **data
        )
        return Response(SqrRecommendationSerializer(updated).data)


def register(router) -> None:
    """Register this module's viewsets on the quality API router."""
    router.register("sqr", SqrViewSet, basename="quality-sqr")
