"""Casework API: court work under /api/casework/.

- `GET petitions/` (`?case=`, `?child=`, `?kind=`, `?status=`), `POST petitions/`: record
  a petition filed (a termination of parental rights petition, kind `tpr`, also records
  the permanency decision that answers the 15-of-22-months rule, in the same
  transaction). `GET petitions/{id}/`; `PATCH petitions/{id}/` with the `version` read:
  status and decision day, court, docket, filing day, note.
- `GET hearings/` (`?case=`, `?upcoming=1`, `?report_due=1`), `POST hearings/`:
  schedule one; its `report_due_on` is `court_report_lead_days` (10 by default) before
  it. `GET hearings/{id}/`; `PATCH hearings/{id}/` with the `version`: move it or change
  it (the report's due day follows). `POST hearings/{id}/record/`: held, continued or
  cancelled, with the outcome and optionally `next_hearing` (scheduled and linked).
  `POST hearings/{id}/report-filed/`: the day the court report was filed.

Writes go through casework.services.court and need the "change" permission on the case
(403 for roles that only read); records outside the caller's cases answer 404; the
services' rules and stale versions answer 400 with a field map, nothing saved.
"""

from datetime import datetime, time

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from agency import clock
from agency.calendar import TIMEZONE
from agency.permissions import access_object
from casework import audit
from casework.models import (
    CaseMember,
    CourtHearing,
    CourtPetition,
    PermanencyDecision,
    Person,
    RecordView,
)
from casework.permissions import access_case
from casework.selectors import court as selectors
from casework.selectors import rules
from casework.services import court as services

urlpatterns: list = []


# --- serializers -----------------------------------------------------------------------------


class CourtPetitionSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    permanency_decision = serializers.IntegerField(
        source="permanency_decision_id",
        read_only=True,
        allow_null=True,
        help_text="The permanency decision (id) a termination petition recorded for the "
        "15-of-22-months rule.",
    )

    class Meta:
        model = CourtPetition
        fields = [
            "id",
            "version",
            "case",
            "case_number",
            "child",
            "child_name",
            "kind",
            "kind_label",
            "filed_on",
            "court",
            "docket_number",
            "status",
            "decided_on",
            "note",
            "permanency_decision",
            "recorded_by",
        ]
        read_only_fields = fields


class PetitionCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    child = serializers.IntegerField(help_text="Person id of a child of the case.")
    kind = serializers.ChoiceField(choices=CourtPetition.Kind.choices)
    filed_on = serializers.DateField(allow_null=True, help_text="Not in the future.")
    court = serializers.CharField(allow_blank=True)
    docket_number = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PetitionUpdateSerializer(serializers.Serializer):
    """Changed fields only, with the `version` you read."""

    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=CourtPetition.Status.choices, required=False)
    decided_on = serializers.DateField(required=False, allow_null=True)
    filed_on = serializers.DateField(required=False, allow_null=True)
    court = serializers.CharField(required=False, allow_blank=True)
    docket_number = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class CourtHearingSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    report_state = serializers.SerializerMethodField()

    class Meta:
        model = CourtHearing
        fields = [
            "id",
            "version",
            "case",
            "case_number",
            "child",
            "petition",
            "kind",
            "kind_label",
            "scheduled_for",
            "court",
            "status",
            "outcome",
            "next_hearing",
            "report_due_on",
            "report_filed_on",
            "report_state",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_report_state(self, hearing: CourtHearing) -> str:
        """filed, filed_late, overdue, due_soon, due, missed (not filed, hearing past) or
        not_needed (cancelled)."""
        days = self.context.get("reminder_days")
        if days is None:
            days = rules().court_report_reminder_days
        return selectors.report_state(hearing, today=clock.today(), reminder_days=days).state


class HearingCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices)
    scheduled_for = serializers.DateTimeField(allow_null=True, help_text="ISO 8601 with offset.")
    court = serializers.CharField(allow_blank=True)
    child = serializers.IntegerField(required=False, allow_null=True)
    petition = serializers.IntegerField(required=False, allow_null=True)


class HearingUpdateSerializer(serializers.Serializer):
    """Changed fields only, with the `version` you read."""

    version = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices, required=False)
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True)
    court = serializers.CharField(required=False, allow_blank=True)
    child = serializers.IntegerField(required=False, allow_null=True)
    petition = serializers.IntegerField(required=False, allow_null=True)


class NextHearingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CourtHearing.Kind.choices)
    scheduled_for = serializers.DateTimeField()
    court = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Default: the same court."
    )


class HearingRecordSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(
        choices=[(s, s) for s in services.OUTCOME_STATUSES],
        help_text="held, continued (next_hearing required) or cancelled.",
    )
    outcome = serializers.CharField(allow_blank=True)
    next_hearing = NextHearingSerializer(required=False, allow_null=True)


class ReportFiledSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    filed_on = serializers.DateField(allow_null=True, help_text="Not in the future.")


# --- helpers ---------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiValidationError({name: ["Give an id (a whole number)."]}) from None


def _input(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _child(case, person_id) -> Person | None:
    if person_id is None:
        return None
    child = Person.objects.filter(
        pk=person_id, case_memberships__case=case, case_memberships__role=CaseMember.Role.CHILD
    ).first()
    if child is None:
        raise ApiValidationError({"child": [f"Not a child on this case: person {person_id}."]})
    return child


def _petition(case, petition_id) -> CourtPetition | None:
    if petition_id is None:
        return None
    petition = CourtPetition.objects.filter(pk=petition_id, case=case).first()
    if petition is None:
        raise ApiValidationError({"petition": [f"Not a petition of this case: {petition_id}."]})
    return petition


# --- petitions -------------------------------------------------------------------------------


class CourtPetitionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Petitions filed on the cases the caller may see, latest first."""

    serializer_class = CourtPetitionSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        linked = PermanencyDecision.objects.filter(petition=OuterRef("pk")).order_by("pk")
        petitions = (
            selectors.visible_petitions(self.request.user)
            .select_related("case", "child")
            .annotate(permanency_decision_id=Subquery(linked.values("pk")[:1]))
            .order_by("-filed_on", "-pk")
        )
        if self.action == "list":
            for name in ("case", "child"):
                value = _int_param(self.request, name)
                if value is not None:
                    petitions = petitions.filter(**{f"{name}_id": value})
            params = self.request.query_params
            if params.get("kind") in CourtPetition.Kind.values:
                petitions = petitions.filter(kind=params["kind"])
            if params.get("status") in CourtPetition.Status.values:
                petitions = petitions.filter(status=params["status"])
        return petitions

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _answer(self, pk, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only this case."),
            OpenApiParameter("child", int, description="Only this child (person id)."),
            OpenApiParameter("kind", str, enum=CourtPetition.Kind.values),
            OpenApiParameter("status", str, enum=CourtPetition.Status.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        petition = self.get_object()
        audit.record_view(user=request.user, case=petition.case, channel=RecordView.Channel.API)
        return Response(self.get_serializer(petition).data)

    @extend_schema(request=PetitionCreateSerializer, responses={201: CourtPetitionSerializer})
    def create(self, request, *args, **kwargs):
        """Record a petition filed; a termination petition (`tpr`) also records the
        permanency decision for the 15-of-22-months rule."""
        data = _input(PetitionCreateSerializer, request)
        case = access_case(request.user, data.pop("case"), "change")
        data["child"] = _child(case, data["child"])
        petition = services.petition_file(case=case, actor=request.user, **data)
        return self._answer(petition.pk, status.HTTP_201_CREATED)

    @extend_schema(request=PetitionUpdateSerializer, responses=CourtPetitionSerializer)
    def partial_update(self, request, pk=None):
        """Change a petition: send what changes and the `version` you read."""
        petition = access_object(selectors.visible_petitions(request.user), pk)
        access_case(request.user, petition.case_id, "change")
        data = _input(PetitionUpdateSerializer, request)
        version = data.pop("version")
        services.petition_update(petition=petition, actor=request.user, version=version, **data)
        return self._answer(petition.pk)


# --- hearings --------------------------------------------------------------------------------


class CourtHearingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Hearings on the cases the caller may see, with their court reports."""

    serializer_class = CourtHearingSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        hearings = (
            selectors.visible_hearings(self.request.user)
            .select_related("case")
            .order_by("-scheduled_for", "-pk")
        )
        if self.action == "list":
            case_id = _int_param(self.request, "case")
            if case_id is not None:
                hearings = hearings.filter(case_id=case_id)
            params = self.request.query_params
            start = datetime.combine(clock.today(), time.min, tzinfo=TIMEZONE)
            if params.get("upcoming") in ("1", "true") or params.get("report_due") in (
                "1",
                "true",
            ):
                hearings = hearings.filter(
                    status=CourtHearing.Status.SCHEDULED, scheduled_for__gte=start
                ).order_by("scheduled_for", "pk")
            if params.get("report_due") in ("1", "true"):
                hearings = hearings.filter(report_filed_on__isnull=True)
        return hearings

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "reminder_days": rules().court_report_reminder_days
        }

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _to_change(self, pk) -> CourtHearing:
        hearing = access_object(selectors.visible_hearings(self.request.user), pk)
        access_case(self.request.user, hearing.case_id, "change")
        return hearing

    def _answer(self, pk, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only this case."),
            OpenApiParameter(
                "upcoming",
                int,
                enum=[1],
                description="1: scheduled hearings from today, soonest first.",
            ),
            OpenApiParameter(
                "report_due",
                int,
                enum=[1],
                description="1: scheduled hearings from today whose court report is not filed.",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        hearing = self.get_object()
        audit.record_view(user=request.user, case=hearing.case, channel=RecordView.Channel.API)
        return Response(self.get_serializer(hearing).data)

    @extend_schema(request=HearingCreateSerializer, responses={201: CourtHearingSerializer})
    def create(self, request, *args, **kwargs):
        """Schedule a hearing; its court report is due `court_report_lead_days` before."""
        data = _input(HearingCreateSerializer, request)
        case = access_case(request.user, data.pop("case"), "change")
        hearing = services.hearing_schedule(
            case=case,
            actor=request.user,
            kind=data["kind"],
            scheduled_for=data["scheduled_for"],
            court=data["court"],
            child=_child(case, data.get("child")),
            petition=_petition(case, data.get("petition")),
        )
        return self._answer(hearing.pk, status.HTTP_201_CREATED)

    @extend_schema(request=HearingUpdateSerializer, responses=CourtHearingSerializer)
    def partial_update(self, request, pk=None):
        """Move or change a scheduled hearing: send what changes and the `version`."""
        hearing = self._to_change(pk)
        data = _input(HearingUpdateSerializer, request)
        version = data.pop("version")
        if "child" in data:
            data["child"] = _child(hearing.case, data["child"])
        if "petition" in data:
            data["petition"] = _petition(hearing.case, data["petition"])
        services.hearing_update(hearing=hearing, actor=request.user, version=version, **data)
        return self._answer(hearing.pk)

    @extend_schema(request=HearingRecordSerializer, responses=CourtHearingSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the outcome; `next_hearing` schedules the next one and links it."""
        hearing = self._to_change(pk)
        data = _input(HearingRecordSerializer, request)
        services.hearing_record(
            hearing=hearing,
            actor=request.user,
            version=data["version"],
            status=data["status"],
            outcome=data["outcome"],
            next_hearing=data.get("next_hearing"),
        )
        return self._answer(hearing.pk)

    @extend_schema(request=ReportFiledSerializer, responses=CourtHearingSerializer)
    @action(detail=True, methods=["post"], url_path="report-filed")
    def report_filed(self, request, pk=None):
        """Record the day the court report was filed."""
        hearing = self._to_change(pk)
        data = _input(ReportFiledSerializer, request)
        services.hearing_report_filed(
            hearing=hearing, actor=request.user, version=data["version"], filed_on=data["filed_on"]
        )
        return self._answer(hearing.pk)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("petitions", CourtPetitionViewSet, basename="casework-petition")
    router.register("hearings", CourtHearingViewSet, basename="casework-hearing")
