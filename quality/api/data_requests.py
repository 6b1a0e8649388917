"""The ORE data-requests API.

/api/quality/data-requests/                    GET the requests the caller may see (ORE: all,
                                               filters as query parameters; anyone else: their
                                               own); POST a new request (JSON, or multipart
                                               with `attachments`)
/api/quality/data-requests/{id}/               GET one, with its scopes, files and timeline
/api/quality/data-requests/{id}/catalog/ .../approve/ .../decline/ .../request-scope/
    .../scope/ .../irb-decision/ .../assign/ .../start/ .../deliver/ .../close/    POST
/api/quality/data-requests/{id}/files/         POST a file (multipart: `file`, `kind`)
/api/quality/data-requests/{id}/files/{file}/  GET the file's content

The same gatekeeper as the pages (quality.selectors.data_requests): ORE staff
(`quality.work_datarequest`) see and work every request; anyone with
`quality.add_datarequest` (every role) submits requests and sees their own, and sends a
project scope ORE asked them for. A request the caller may not see answers 404; ORE's
actions answer 403 to anyone else; the list and a new request answer 403 to accounts
without either permission. Every action carries the `version` the caller read (400
`{"version": [...]}` when someone changed the request since). Writes go through
quality.services.data_requests, whose ValidationErrors become 400 field maps.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import parsers, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock
from agency.api.permissions import HasRole
from agency.permissions import access_object
from agency.selectors import business_calendar
from quality.models import DataRequest, DataRequestEvent, DataRequestFile, ProjectScope
from quality.selectors import data_requests as selectors
from quality.selectors import rules
from quality.services import data_requests as services

urlpatterns: list = []

_PARSERS = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
# Choice sets of the input that are not a model's (named in ENUM_NAME_OVERRIDES).
STATUS_FILTER_CHOICES = [*DataRequest.Status.choices, ("all", "Any status")]
UPLOAD_KIND_CHOICES = [
    (DataRequestFile.Kind.ATTACHMENT.value, DataRequestFile.Kind.ATTACHMENT.label),
    (DataRequestFile.Kind.DELIVERABLE.value, DataRequestFile.Kind.DELIVERABLE.label),
]


def _name(user) -> str | None:
    return services.display_name(user) if user is not None else None


# --- output --------------------------------------------------------------------------------------


class DataRequestFileSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DataRequestFile
        fields = ["id", "kind", "kind_label", "name", "content_type", "size", "uploaded_at",
                  "download_url"]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, item: DataRequestFile) -> str:
        from django.urls import reverse

        return reverse("datarequest-file-download", args=[item.request_id, item.pk])


class ProjectScopeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectScope
        fields = [
            "id", "requested_at", "what_ore_needs", "received_at", "objectives", "methodology",
            "data_sources", "timeline", "deliverables", "confidentiality", "hold_business_days",
        ]  # fmt: skip
        read_only_fields = fields


class DataRequestEventSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = DataRequestEvent
        fields = ["id", "at", "status", "status_label", "actor_name", "note", "internal"]
        read_only_fields = fields

    def get_actor_name(self, event: DataRequestEvent) -> str | None:
        return _name(event.actor)


class DataRequestSerializer(serializers.ModelSerializer):
    """A request as a list shows it, with its clock in words (`clock_state`: on_track,
    due_soon, due_today, overdue, stopped, delivered, declined or closed)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    analyst_name = serializers.SerializerMethodField()
    clock_state = serializers.CharField(source="clock.state", read_only=True)
    clock_label = serializers.CharField(source="clock.label", read_only=True)

    class Meta:
        model = DataRequest
        fields = [
            "id", "reference", "catalog_number", "version", "status", "status_label",
            "category", "category_label", "title", "requester", "requester_name",
            "organization", "channel", "received_at", "date_needed", "target_business_days",
            "hold_business_days", "on_hold_since", "due_on", "clock_state", "clock_label",
            "analyst", "analyst_name", "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_analyst_name(self, data_request: DataRequest) -> str | None:
        return _name(data_request.analyst)


class DataRequestDetailSerializer(DataRequestSerializer):
    """One request: the DCF-5101 form, the requester's contact details, ORE's handling,
    the clock (`working_business_days` and `hold_business_days_total` kept apart), its
    project scopes, files and timeline (ORE's internal notes only for ORE)."""

    working_business_days = serializers.IntegerField(source="clock.working_days", read_only=True)
    hold_business_days_total = serializers.IntegerField(source="clock.hold_days", read_only=True)
    scopes = ProjectScopeSerializer(many=True, read_only=True)
    files = DataRequestFileSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(DataRequestSerializer.Meta):
        fields = [
            *DataRequestSerializer.Meta.fields,
            "purpose", "questions", "data_elements", "population", "time_period", "geography",
            "format", "identifiable_data", "intended_use", "dissemination", "is_research",
            "requester_email", "requester_phone", "requester_address", "cataloged_at",
            "decline_reason", "vetted_at", "irb_submitted_on", "irb_decision", "irb_decided_on",
            "irb_notes", "assigned_at", "started_at", "delivery_note", "delivery_link",
            "business_days_to_delivery", "closed_at", "working_business_days",
            "hold_business_days_total", "scopes", "files", "events",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DataRequestEventSerializer(many=True))
    def get_events(self, data_request: DataRequest) -> list[dict]:
        internal = self.context.get("internal", False)
        events = selectors.data_request_timeline(data_request, internal=internal)
        return DataRequestEventSerializer(events, many=True).data


# --- input ---------------------------------------------------------------------------------------


def _required_text(message: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(error_messages={"required": message, "blank": message}, **kwargs)


def _optional_text(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, **kwargs)


class DataRequestCreateSerializer(serializers.Serializer):
    """A new request (DCF-5101). Leave `channel` out (or "hearth") to ask for yourself:
    your name, email and work location fill in the requester unless given. ORE enters a
    request from outside the agency with `channel` email, mail or other, the requester's
    details and `received_at`."""

    title = _required_text("Give the request a short title.", max_length=200)
    purpose = _required_text("Say why the data are needed.")
    questions = _required_text("Say which questions the data should answer.")
    data_elements = _optional_text()
    population = _optional_text(max_length=300)
    time_period = _optional_text(max_length=200)
    geography = _optional_text(max_length=200)
    format = serializers.ChoiceField(choices=DataRequest.Format.choices, required=False)
    date_needed = serializers.DateField(
        required=False, allow_null=True, help_text="Not before the day received."
    )
    identifiable_data = serializers.BooleanField(required=False)
    intended_use = _optional_text()
    dissemination = _optional_text()
    is_research = serializers.BooleanField(required=False)
    requester_name = _optional_text(max_length=150)
    organization = _optional_text(max_length=200)
    requester_email = serializers.EmailField(required=False, allow_blank=True)
    requester_phone = _optional_text(max_length=30, help_text="External requests only.")
    requester_address = _optional_text(help_text="External requests only.")
    channel = serializers.ChoiceField(
        choices=DataRequest.Channel.choices,
        required=False,
        help_text="hearth (default): your own request. email, mail or other: ORE enters an "
        "external request.",
    )
    received_at = serializers.DateTimeField(
        required=False,
        help_text="External requests: when it arrived (ISO 8601; without an offset, Eastern). "
        "Defaults to now; never in the future.",
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Files sent with the request (multipart/form-data only): PDF, Word, Excel, "
        "CSV, text or images, within the size limit of the quality rules (25 MB by default).",
    )


class DataRequestVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The request's `version` as you read it: refused (400) if someone changed "
        "it since.",
        error_messages={"required": "Send the version of the request you read."},
    )


class DataRequestCatalogSerializer(DataRequestVersionSerializer):
    category = serializers.ChoiceField(
        choices=DataRequest.Category.choices,
        help_text="Sets the target in business days (quality rules).",
    )


class DataRequestApproveSerializer(DataRequestVersionSerializer):
    irb_submitted_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Research only: the day it went to the IRB (default today).",
    )


class DataRequestDeclineSerializer(DataRequestVersionSerializer):
    reason = _required_text("Give the reason; the requester sees it.")


class DataRequestScopeRequestSerializer(DataRequestVersionSerializer):
    what_ore_needs = _required_text(
        "Say what the project scope must clarify; the requester sees it.",
        help_text="What the project scope must clarify. The clock stops until it arrives.",
    )


class DataRequestScopeSerializer(DataRequestVersionSerializer):
    """The DCF-5102 project scope. `objectives` are required unless `file` is sent;
    `received_at` is for ORE recording a scope that came by email."""

    objectives = _optional_text()
    methodology = _optional_text()
    data_sources = _optional_text()
    timeline = _optional_text()
    deliverables = _optional_text()
    confidentiality = _optional_text(
        help_text="How identifiable data will be protected (required when they are asked for)."
    )
    file = serializers.FileField(required=False, help_text="The scope as a file (multipart).")
    received_at = serializers.DateTimeField(
        required=False, help_text="ORE only: when it arrived (default now)."
    )


class DataRequestIrbDecisionSerializer(DataRequestVersionSerializer):
    decision = serializers.ChoiceField(choices=DataRequest.IrbDecision.choices)
    decided_on = serializers.DateField(required=False, allow_null=True, help_text="Default today.")
    notes = _optional_text(help_text="Required for conditions or a refusal.")


class DataRequestAssignSerializer(DataRequestVersionSerializer):
    analyst = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={"does_not_exist": "Assign data requests to ORE staff only."},
        help_text="A member of ORE's staff. The ORE lead assigns anyone; an analyst takes an "
        "approved request nobody has by sending their own id.",
    )


class DataRequestDeliverSerializer(DataRequestVersionSerializer):
    note = _required_text("Write the delivery note: what is delivered, and anything to know.")
    link = _optional_text(max_length=500, help_text="A link to the deliverables.")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Deliverable files (multipart). Send files, a link, or both.",
    )


class DataRequestFileUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=UPLOAD_KIND_CHOICES)
    file = serializers.FileField()


class DataRequestFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=STATUS_FILTER_CHOICES,
        required=False,
        help_text="ORE only. Default: every open status.",
    )
    category = serializers.ChoiceField(
        choices=DataRequest.Category.choices, required=False, help_text="ORE only."
    )
    mine = serializers.BooleanField(
        required=False, default=False, help_text="ORE only: assigned to me."
    )
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="ORE only: past due with the clock running."
    )


# --- the endpoints -------------------------------------------------------------------------------


class DataRequestPermission(HasRole):
    """The list and a new request need ORE's work permission or the permission to ask
    for data; one request goes to the gatekeeper (404 when not visible)."""

    message = "Your account may not ask ORE for data."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if view.detail:
            return True
        user = request.user
        return selectors.is_ore_staff(user) or selectors.can_request_data(user)


class FileRenderer(renderers.BaseRenderer):
    """A file's bytes (the download answers a FileResponse; errors fall back to JSON)."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


class DataRequestViewSet(viewsets.GenericViewSet):
    """Requests for data to the Office for Research and Evaluation (DCF-5101), from
    receipt to delivery."""

    permission_classes = [DataRequestPermission]
    serializer_class = DataRequestSerializer
    queryset = DataRequest.objects.none()  # the schema's model; requests use the gatekeeper
    parser_classes = _PARSERS
    http_method_names = ["get", "post", "head", "options"]

    # --- helpers -----------------------------------------------------------------------------

    def _input(self, serializer_class, data=None) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _request(self, pk, *, ore: bool = True) -> DataRequest:
        """The request `pk` if the caller may see it (else 404); for ORE's actions, also
        one they may work (else 403)."""
        data_request = selectors.access_data_request(self.request.user, pk)
        if ore and not selectors.is_ore_staff(self.request.user):
            raise PermissionDenied(services.NOT_ORE)
        return data_request

    def _decorate(self, requests) -> None:
        selectors.decorate(
            requests,
            cal=business_calendar(),
            due_soon_days=rules().ore_due_soon_business_days,
        )

    def _detail(self, pk, *, status_code: int = status.HTTP_200_OK) -> Response:
        data_request = access_object(
            selectors.visible_data_requests(self.request.user)
            .select_related("analyst")
            .prefetch_related("scopes", "files"),
            pk,
        )
        self._decorate([data_request])
        context = {"internal": selectors.is_ore_staff(self.request.user)}
        return Response(
            DataRequestDetailSerializer(data_request, context=context).data, status=status_code
        )

    # --- lists and one request ---------------------------------------------------------------

    @extend_schema(
        parameters=[DataRequestFilterSerializer], responses=DataRequestSerializer(many=True)
    )
    def list(self, request):
        """ORE: the queue, the soonest due first (open requests unless a `status` is asked
        for). Anyone else: their own requests, newest first (the filters do not apply)."""
        filters = self._input(DataRequestFilterSerializer, data=request.query_params)
        user = request.user
        if selectors.is_ore_staff(user):
            requests = selectors.data_request_queue(
                user=user,
                status=filters.get("status", ""),
                category=filters.get("category", ""),
                mine=filters["mine"],
                overdue=filters["overdue"],
                today=clock.today(),
            )
        else:
            requests = selectors.my_data_requests(user).select_related("analyst")
        page = self.paginate_queryset(requests)
        self._decorate(page)
        return self.get_paginated_response(DataRequestSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": DataRequestCreateSerializer,
            "multipart/form-data": DataRequestCreateSerializer,
        },
        responses={201: DataRequestDetailSerializer},
        examples=[
            OpenApiExample(
                "A member of staff asks",
                request_only=True,
                value={
                    "title": "Children entering care by region, SFY 2025",
                    "purpose": "Plan placement capacity for the coming year.",
                    "questions": "How many children entered care in each region, by age group?",
                    "format": "spreadsheet",
                    "date_needed": "2026-12-18",
                },
            )
        ],
    )
    def create(self, request):
        """Submit a request (yourself), or, for ORE, enter one from outside the agency
        (`channel` email, mail or other). Answers with the `reference` and `due_on`."""
        data = self._input(DataRequestCreateSerializer)
        attachments = data.pop("attachments", [])
        channel = data.pop("channel", DataRequest.Channel.HEARTH)
        if channel == DataRequest.Channel.HEARTH:
            for name in ("requester_phone", "requester_address", "received_at"):
                if data.pop(name, None):
                    raise serializers.ValidationError(
                        {name: ["Only for an external request (channel email, mail or other)."]}
                    )
            data_request = services.data_request_submit(
                actor=request.user, attachments=attachments, **data
            )
        else:
            if not selectors.is_ore_staff(request.user):
                raise PermissionDenied("Only ORE enters requests from outside the agency.")
            data_request = services.data_request_enter(
                actor=request.user, attachments=attachments, channel=channel, **data
            )
        return self._detail(data_request.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=DataRequestDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self._request(pk, ore=False).pk)

    # --- ORE's actions -----------------------------------------------------------------------

    @extend_schema(request=DataRequestCatalogSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def catalog(self, request, pk=None):
        """Catalog a request just received: catalog number, category and target."""
        data_request = self._request(pk)
        data = self._input(DataRequestCatalogSerializer)
        services.data_request_catalog(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            category=data["category"],
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestApproveSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a cataloged request; research goes to IRB review instead."""
        data_request = self._request(pk)
        data = self._input(DataRequestApproveSerializer)
        services.data_request_approve(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            irb_submitted_on=data.get("irb_submitted_on"),
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestDeclineSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a request being vetted, with the reason (the requester is notified)."""
        data_request = self._request(pk)
        data = self._input(DataRequestDeclineSerializer)
        services.data_request_decline(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            reason=data["reason"],
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestScopeRequestSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-scope")
    def request_scope(self, request, pk=None):
        """Ask for a DCF-5102 project scope: the clock stops until it arrives."""
        data_request = self._request(pk)
        data = self._input(DataRequestScopeRequestSerializer)
        services.data_request_scope_request(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            what_ore_needs=data["what_ore_needs"],
        )
        return self._detail(pk)

    @extend_schema(
        request={
            "application/json": DataRequestScopeSerializer,
            "multipart/form-data": DataRequestScopeSerializer,
        },
        responses=DataRequestDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def scope(self, request, pk=None):
        """Send the project scope (the requester), or record one received by email (ORE).
        The business days on hold move the due date back by as many."""
        data_request = self._request(pk, ore=False)
        data = self._input(DataRequestScopeSerializer)
        version = data.pop("version")
        upload = data.pop("file", None)
        received_at = data.pop("received_at", None)
        extra = {}
        if received_at is not None:
            if not selectors.is_ore_staff(request.user):
                raise serializers.ValidationError(
                    {"received_at": ["Only ORE records when a project scope arrived."]}
                )
            extra["received_at"] = received_at
        services.data_request_scope_submit(
            data_request=data_request,
            actor=request.user,
            version=version,
            upload=upload,
            **extra,
            **data,
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestIrbDecisionSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="irb-decision")
    def irb_decision(self, request, pk=None):
        """Record the IRB's decision on a research request."""
        data_request = self._request(pk)
        data = self._input(DataRequestIrbDecisionSerializer)
        services.data_request_irb_decision(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            decision=data["decision"],
            decided_on=data.get("decided_on"),
            notes=data.get("notes", ""),
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestAssignSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign or reassign the analyst (the ORE lead), or take the request (an analyst,
        with their own id, while it is approved and nobody has it)."""
        data_request = self._request(pk)
        data = self._input(DataRequestAssignSerializer)
        services.data_request_assign(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            analyst=data["analyst"],
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestVersionSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The analyst assigned (or the ORE lead) starts the work."""
        data_request = self._request(pk)
        data = self._input(DataRequestVersionSerializer)
        services.data_request_start(
            data_request=data_request, actor=request.user, version=data["version"]
        )
        return self._detail(pk)

    @extend_schema(
        request={
            "application/json": DataRequestDeliverSerializer,
            "multipart/form-data": DataRequestDeliverSerializer,
        },
        responses=DataRequestDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Deliver: a note, and deliverable files, a link, or both. The requester is
        notified; `business_days_to_delivery` is set (time on hold not counted)."""
        data_request = self._request(pk)
        data = self._input(DataRequestDeliverSerializer)
        services.data_request_deliver(
            data_request=data_request,
            actor=request.user,
            version=data["version"],
            note=data["note"],
            files=data.get("files", []),
            link=data.get("link", ""),
        )
        return self._detail(pk)

    @extend_schema(request=DataRequestVersionSerializer, responses=DataRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a delivered request."""
        data_request = self._request(pk)
        data = self._input(DataRequestVersionSerializer)
        services.data_request_close(
            data_request=data_request, actor=request.user, version=data["version"]
        )
        return self._detail(pk)

    # --- files -------------------------------------------------------------------------------

    @extend_schema(
        request={"multipart/form-data": DataRequestFileUploadSerializer},
        responses={201: DataRequestFileSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="files",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
    )
    def files(self, request, pk=None):
        """Add a file (ORE): an attachment, or a deliverable once the work has started."""
        data_request = self._request(pk)
        data = self._input(DataRequestFileUploadSerializer)
        item = services.data_request_file_add(
            data_request=data_request, actor=request.user, upload=data["file"], kind=data["kind"]
        )
        return Response(DataRequestFileSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_pk>[0-9]+)",
        url_name="file-download",
        renderer_classes=[renderers.JSONRenderer, FileRenderer],
    )
    def file_download(self, request, pk=None, file_pk=None):
        """A file's content, for anyone who may see the request (404 otherwise)."""
        item = selectors.access_data_request_file(request.user, pk, file_pk)
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.name,
            content_type=item.content_type or "application/octet-stream",
        )
        response["Cache-Control"] = "private, no-store"
        return response


def register(router) -> None:
    router.register("data-requests", DataRequestViewSet, basename="datarequest")
