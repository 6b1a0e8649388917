"""Casework API: purposeful visits under /api/casework/visits/.

- `GET visits/` (`?case=`, `?status=`): visits on the cases the caller may see.
- `POST visits/`: plan a visit. `GET visits/{id}/`: one visit (404 outside the caller's
  cases).
- `POST visits/{id}/record/`: record it completed, attempted or cancelled.
- `POST visits/{id}/entered-in-error/`: take it out of every count (never deleted).
- `GET visits/grid/?case=`: the case's 12-month visit grid.

Writes go through casework.services.visits and need the "change" permission on the
case (403 for roles that only read); the services' rules answer 400 {field: [message]}.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from agency import clock
from agency.permissions import access_object
from casework import audit
from casework.models import Person, RecordView, Visit, VisitParticipant
from casework.permissions import access_case
from casework.selectors import visits as selectors
from casework.services import visits as services

urlpatterns: list = []


# --- serializers --------------------------------------------------------------------------


class VisitParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = VisitParticipant
        fields = ["person", "name", "seen", "seen_privately"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    topics = serializers.SerializerMethodField()
    in_residence = serializers.BooleanField(read_only=True)
    planned_by = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()
    participants = VisitParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "case",
            "case_number",
            "planned_for",
            "location",
            "location_detail",
            "in_residence",
            "announced",
            "discussion_points",
            "status",
            "occurred_at",
            "barrier",
            "barrier_note",
            "topics",
            "narrative",
            "participants",
            "planned_by",
            "recorded_by",
            "entered_in_error",
        ]
        read_only_fields = fields

    def get_topics(self, visit: Visit) -> list[str]:
        return [key for key, field in services.TOPICS.items() if getattr(visit, field)]

    def get_planned_by(self, visit: Visit) -> str:
        return visit.planned_by.get_full_name() or visit.planned_by.get_username()

    def get_recorded_by(self, visit: Visit) -> str | None:
        user = visit.recorded_by
        return (user.get_full_name() or user.get_username()) if user else None


class VisitPlanSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    planned_for = serializers.DateTimeField(help_text="ISO 8601; without an offset, Eastern.")
    location = serializers.ChoiceField(choices=Visit.Location.choices)
    location_detail = serializers.CharField(required=False, allow_blank=True, default="")
    announced = serializers.BooleanField(required=False, default=True)
    discussion_points = serializers.CharField(
        allow_blank=True, help_text="Written before the visit, from the case plan."
    )
    participants = serializers.ListField(
        child=serializers.IntegerField(), help_text="Person ids of active members of the case."
    )


class SeenSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    seen = serializers.BooleanField()
    seen_privately = serializers.BooleanField(required=False, default=False)


class VisitRecordSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=services.RECORDED_STATUS_CHOICES)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601; not in the future.")
    barrier = serializers.ChoiceField(
        choices=Visit.Barrier.choices, required=False, allow_blank=True, default=""
    )
    barrier_note = serializers.CharField(required=False, allow_blank=True, default="")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=services.TOPIC_CHOICES), required=False, default=list
    )
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    participants = SeenSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Who was seen; participants left out were not seen.",
    )


class EnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class GridCellSerializer(serializers.Serializer):
    month = serializers.CharField(source="month.key", help_text="YYYY-MM (Eastern).")
    visited = serializers.BooleanField()
    in_residence = serializers.BooleanField()
    seen_privately = serializers.BooleanField(allow_null=True, help_text="null for parents.")
    visits = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["visited", "due", "missed", "not_open"])


class GridRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="member.person_id")
    name = serializers.CharField(source="person.full_name")
    role = serializers.CharField(source="member.role")
    whereabouts_unknown = serializers.BooleanField()
    incarcerated = serializers.BooleanField()
    cells = GridCellSerializer(many=True)


class VisitGridSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case.pk")
    today = serializers.DateField()
    months = serializers.SerializerMethodField()
    rows = GridRowSerializer(many=True)

    def get_months(self, grid) -> list[str]:
        return [month.key for month in grid.months]


# --- the viewset --------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiValidationError({name: ["Give a case id (a whole number)."]}) from None


class VisitViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Purposeful visits on the cases the caller may see. Visits are never deleted: a
    wrong one is marked entered in error."""

    serializer_class = VisitSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        visits = (
            selectors.visible_visits(self.request.user)
            .select_related("case", "planned_by", "recorded_by")
            .prefetch_related("participants__person")
            .order_by("-planned_for", "-pk")
        )
        if self.action == "list":
            case_id = _int_param(self.request, "case")
            if case_id is not None:
                visits = visits.filter(case_id=case_id)
            status = self.request.query_params.get("status")
            if status:
                visits = visits.filter(status=status)
        return visits

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _visit_for_change(self, pk) -> Visit:
        visit = access_object(selectors.visible_visits(self.request.user), pk)
        access_case(self.request.user, visit.case_id, "change")
        return visit

    def _fresh(self, pk) -> Response:
        return Response(VisitSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only the visits of this case."),
            OpenApiParameter(
                "status", str, enum=Visit.Status.values, description="Only visits in this status."
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        visit = self.get_object()
        audit.record_view(user=request.user, case=visit.case, channel=RecordView.Channel.API)
        return Response(self.get_serializer(visit).data)

    @extend_schema(
        request=VisitPlanSerializer,
        responses={201: VisitSerializer},
        description="Plan a visit on an open case: when, where, who (active members of "
        "the case) and the discussion points written beforehand from the case plan.",
    )
    def create(self, request, *args, **kwargs):
        data = VisitPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = access_case(request.user, values["case"], "change")
        wanted = list(dict.fromkeys(values["participants"]))
        # Only people on this case are looked up: an id from elsewhere is not named.
        on_case = {
            p.pk: p
            for p in Person.objects.filter(pk__in=wanted, case_memberships__case=case).distinct()
        }
        missing = [pid for pid in wanted if pid not in on_case]
        if missing:
            raise ApiValidationError(
                {"participants": [f"Not on this case: person {pid}." for pid in missing]}
            )
        visit = services.visit_plan(
            case=case,
            actor=request.user,
            planned_for=values["planned_for"],
            location=values["location"],
            location_detail=values["location_detail"],
            announced=values["announced"],
            discussion_points=values["discussion_points"],
            participants=[on_case[pid] for pid in wanted],
        )
        response = self._fresh(visit.pk)
        response.status_code = 201
        return response

    @extend_schema(
        request=VisitRecordSerializer,
        responses=VisitSerializer,
        description="Record a planned visit once: completed (somebody seen; not in the "
        "future), attempted or cancelled (with a barrier). Only children are seen privately.",
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        visit = self._visit_for_change(pk)
        data = VisitRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.visit_record(
            visit=visit,
            actor=request.user,
            status=values["status"],
            occurred_at=values["occurred_at"],
            barrier=values["barrier"],
            barrier_note=values["barrier_note"],
            topics=set(values["topics"]),
            narrative=values["narrative"],
            seen={
                row["person"]: (row["seen"], row["seen_privately"])
                for row in values["participants"]
            },
        )
        return self._fresh(visit.pk)

    @extend_schema(
        request=EnteredInErrorSerializer,
        responses=VisitSerializer,
        description="Mark a visit entered in error: it stays in the record, with the "
        "reason in its narrative, and stops counting towards monthly visits.",
    )
    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request, pk=None):
        visit = self._visit_for_change(pk)
        data = EnteredInErrorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.visit_mark_entered_in_error(
            visit=visit, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._fresh(visit.pk)

    @extend_schema(
        parameters=[OpenApiParameter("case", int, required=True, description="The case.")],
        responses=VisitGridSerializer,
        description="For each active child and parent of the case and each of the last 12 "
        "months (Eastern): visited or not, in residence, seen privately (children).",
    )
    @action(detail=False, methods=["get"])
    def grid(self, request):
        case_id = _int_param(request, "case")
        if case_id is None:
            raise ApiValidationError({"case": ["Give the case id: ?case=<id>."]})
        case = access_case(request.user, case_id)
        grid = selectors.visit_grid(case, today=clock.today())
        return Response(VisitGridSerializer(grid).data)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("visits", VisitViewSet, basename="casework-visit")
