"""The significant-events API.

/api/quality/events/           GET the events the caller may see (filters as query
                               parameters), POST a new event
/api/quality/events/{id}/      GET; PATCH the details (with the `version` you read)
/api/quality/events/report/    GET the aggregate report by kind and place for a month
                               (?period=month&month=2026-11) or a year (?period=year&year=2026)

The same gatekeeper as the pages (quality.selectors.events): the list needs
`quality.view_significantevent`, recording `quality.add_significantevent`, the report a
quality, Commissioner's office or area administrator role (403 otherwise); an event the
caller may not see answers 404, and correcting one needs `quality.change_significantevent`
or to have recorded it (403). Writes go through quality.services.events, whose
ValidationErrors become 400 field maps.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock, periods
from agency.api.permissions import HasRole
from agency.models import WorkLocation
from quality.models import SignificantEvent
from quality.selectors import events as selectors
from quality.services import events as services

urlpatterns: list = []


# --- output ----------------------------------------------------------------------------------


class SignificantEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    work_location_name = serializers.CharField(
        source="work_location.name", read_only=True, default=None
    )
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = SignificantEvent
        fields = [
            "id", "reference", "version", "kind", "kind_label", "occurred_at", "work_location",
            "work_location_name", "facility", "case", "case_number", "description", "reporter",
            "recorded_by", "recorded_by_name", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recorded_by_name(self, event: SignificantEvent) -> str:
        user = event.recorded_by
        return user.get_full_name() or user.get_username()


class SignificantEventDetailSerializer(SignificantEventSerializer):
    persons = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(SignificantEventSerializer.Meta):
        fields = [*SignificantEventSerializer.Meta.fields, "persons"]
        read_only_fields = fields


class EventReportPlaceSerializer(serializers.Serializer):
    place = serializers.CharField(source="label")
    work_location = serializers.IntegerField(source="location_id", allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="By kind.")
    total = serializers.IntegerField()


class EventReportMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="By kind.")
    total = serializers.IntegerField()


class EventReportSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="month or year")
    label = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    kinds = serializers.DictField(child=serializers.CharField(), help_text="Kind -> label.")
    places = EventReportPlaceSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="By kind.")
    total = serializers.IntegerField()
    summary = serializers.CharField()
    months = EventReportMonthSerializer(
        many=True, help_text="The 12 months ending with the period."
    )


def _report_data(report: selectors.EventReport) -> dict:
    keys = [value for value, _ in report.kinds]

    def by_kind(counts: list[int]) -> dict[str, int]:
        return dict(zip(keys, counts, strict=True))

    return {
        "period": report.period.kind,
        "label": report.period.label,
        "first_day": report.period.first,
        "last_day": report.period.last,
        "kinds": dict(report.kinds),
        "places": [
            {
                "label": p.label,
                "location_id": p.location_id,
                "counts": by_kind(p.counts),
                "total": p.total,
            }
            for p in report.places
        ],
        "totals": by_kind(report.totals),
        "total": report.total,
        "summary": report.summary,
        "months": [
            {"month": f"{m.month:%Y-%m}", "counts": by_kind(m.counts), "total": m.total}
            for m in report.months
        ],
    }


# --- input -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class _VisibleCaseField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": "No case you may see has this id."}

    def get_queryset(self):
        from casework.selectors import visible_cases

        return visible_cases(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _PersonField(serializers.PrimaryKeyRelatedField):
    """Any person id; whether they are on the case is the service's rule."""

    default_error_messages = {"does_not_exist": "No such person."}

    def get_queryset(self):
        from casework.models import Person

        return Person.objects.all()


class SignificantEventCreateSerializer(serializers.Serializer):
    """A new event. Say where with `work_location`, `facility` or both."""

    kind = serializers.ChoiceField(choices=SignificantEvent.Kind.choices)
    occurred_at = serializers.DateTimeField(
        help_text="When it happened (ISO 8601; without an offset, Eastern). Never in the future."
    )
    work_location = serializers.PrimaryKeyRelatedField(
        queryset=WorkLocation.objects.all(), required=False, allow_null=True
    )
    facility = serializers.CharField(max_length=200, required=False, allow_blank=True)
    case = _VisibleCaseField(required=False, allow_null=True)
    persons = _PersonField(
        many=True, required=False, help_text="People on the case whom the event concerns."
    )
    description = serializers.CharField()
    reporter = serializers.CharField(max_length=200)


class SignificantEventUpdateSerializer(SignificantEventCreateSerializer):
    """Changed details only, with the `version` you read: a change made on an older
    version is refused (400, `version`)."""

    version = serializers.IntegerField(min_value=1, help_text="The event's `version` as read.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class SignificantEventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SignificantEvent.Kind.choices, required=False)
    location = serializers.IntegerField(min_value=1, required=False, help_text="A location id.")
    region = serializers.IntegerField(min_value=1, required=False, help_text="A region id.")
    date_from = serializers.DateField(required=False, help_text="Happened on or after (local).")
    date_to = serializers.DateField(required=False, help_text="Happened on or before (local).")
    q = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Reference or description."
    )


# --- the endpoints ---------------------------------------------------------------------------


class EventPermission(HasRole):
    """Listing needs the view permission, recording the add permission, the report a
    reporting role; one event goes to the gatekeeper (404 when not visible)."""

    message = "Your role does not work with significant events."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        user = request.user
        if view.action == "report":
            return selectors.can_read_report(user)
        if view.action == "create":
            return selectors.can_record_events(user)
        if view.action == "list":
            return selectors.can_list_events(user)
        return True


class EventViewSet(viewsets.GenericViewSet):
    """Significant events and incidents (child fatality, near fatality, emergency safety
    intervention, serious occurrence, adverse event during research)."""

    permission_classes = [EventPermission]
    serializer_class = SignificantEventSerializer
    queryset = SignificantEvent.objects.none()  # the schema's model; requests use the gatekeeper
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _input(self, serializer_class, data=None):
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _detail(self, pk, *, status_code: int = status.HTTP_200_OK) -> Response:
        event = selectors.access_event(self.request.user, pk)
        data = SignificantEventDetailSerializer(event).data
        return Response(data, status=status_code)

    @extend_schema(
        parameters=[SignificantEventFilterSerializer],
        responses=SignificantEventSerializer(many=True),
    )
    def list(self, request):
        """The events the caller may see, newest first."""
        filters = self._input(SignificantEventFilterSerializer, data=request.query_params)
        events = selectors.event_list(
            request.user,
            kind=filters.get("kind", ""),
            location=filters.get("location"),
            region=filters.get("region"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
            query=filters.get("q", ""),
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(SignificantEventSerializer(page, many=True).data)

    @extend_schema(
        request=SignificantEventCreateSerializer, responses={201: SignificantEventDetailSerializer}
    )
    def create(self, request):
        """Record an event; the officials designated for its kind are notified at once."""
        data = self._input(SignificantEventCreateSerializer)
        event = services.event_record(
            actor=request.user,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            work_location=data.get("work_location"),
            facility=data.get("facility", ""),
            case=data.get("case"),
            persons=data.get("persons", []),
            description=data["description"],
            reporter=data["reporter"],
        )
        return self._detail(event.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=SignificantEventDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(
        request=SignificantEventUpdateSerializer, responses=SignificantEventDetailSerializer
    )
    def partial_update(self, request, pk=None):
        """Correct details; send only what changes, and the `version` you read."""
        event = selectors.access_event(request.user, pk)
        if not selectors.can_change_event(request.user, event):
            raise PermissionDenied("Quality staff, or whoever recorded the event, correct it.")
        data = self._input(SignificantEventUpdateSerializer)
        version = data.pop("version")
        services.event_update(event=event, actor=request.user, version=version, **data)
        return self._detail(event.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=["month", "year"], description="Default month."),
            OpenApiParameter("month", str, description="YYYY-MM (period=month)."),
            OpenApiParameter("year", int, description="The calendar year (period=year)."),
        ],
        responses=EventReportSerializer,
    )
    @action(detail=False, methods=["get"])
    def report(self, request):
        """Events by kind and place for a month or a calendar year (the place is the
        agency location, or the facility named when there is none), and the 12 months
        ending with the period. A period that cannot be read answers 400."""
        period, error = periods.period_from(request.query_params, clock.today())
        if error:
            raise serializers.ValidationError({"period": [error]})
        report = selectors.event_report(request.user, period)
        return Response(EventReportSerializer(_report_data(report)).data)


def register(router) -> None:
    router.register("events", EventViewSet, basename="quality-event")
