"""The Ombudsman's inquiries API.

/api/ombudsman/inquiries/                  GET the queue (its filters as query parameters),
                                           POST a new inquiry (JSON, or multipart with files)
/api/ombudsman/inquiries/ingest-email/     POST a raw email (message/rfc822, or multipart
                                           field `message`): recorded as a new inquiry
/api/ombudsman/inquiries/{id}/             GET; PATCH the details (with `version`)
/api/ombudsman/inquiries/{id}/timeline/    GET every event, newest first
/api/ombudsman/inquiries/{id}/assign/ .../respond/ .../log/ .../refer-to-hr/
                           .../resolve/ .../close/ .../reopen/      POST

Ombudsman staff and the lead use all of it. The Commissioner's office reads the
correspondence handled on the Commissioner's behalf and changes nothing (403). Other
roles are refused the queue (403), and any inquiry they name answers 404, like an
inquiry the Commissioner's office may not see. Writes go through ombudsman.services,
whose ValidationErrors become 400 field maps (agency.api.errors).
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from agency.api.permissions import HasRole
from agency.db import planned_for_each_search
from agency.permissions import access_object, has_role
from agency.roles import Role
from agency.selectors import business_calendar
from ombudsman import services
from ombudsman.api import serializers as s
from ombudsman.email_intake import MAX_MESSAGE_BYTES, EmailIntakeError, inquiry_from_email
from ombudsman.models import Inquiry
from ombudsman.selectors import can_work, decorate, queue, visible_inquiries

urlpatterns: list = []


def can_read_queue(user) -> bool:
    """Ombudsman staff, the lead, and the Commissioner's office (its correspondence)."""
    return can_work(user) or has_role(user, Role.COMMISSIONERS_OFFICE)


class InquiryPermission(HasRole):
    """The queue (list) is for those who read inquiries; recording one (create, email
    intake) for those who work them. Object endpoints let any role through to the
    gatekeeper, which answers 404 for an inquiry the caller may not see."""

    message = "Only the Office of the Ombudsman works inquiries."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if view.detail:
            return True
        if request.method in SAFE_METHODS:
            return can_read_queue(request.user)
        return can_work(request.user)


class RawMessageParser(parsers.BaseParser):
    """A raw RFC 822 message as the request body."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
        if len(raw) > MAX_MESSAGE_BYTES:
            raise ParseError(f"The message is over the limit of {MAX_MESSAGE_BYTES // 1048576} MB.")
        return raw


class InquiryViewSet(viewsets.GenericViewSet):
    """Inquiries to the Office of the Ombudsman, each with its initial-response clock
    (two business days, or four business hours when immediate)."""

    permission_classes = [InquiryPermission]
    serializer_class = s.InquirySerializer
    queryset = Inquiry.objects.none()  # the schema's model; requests use the gatekeeper
    http_method_names = ["get", "post", "patch", "head", "options"]

    # --- helpers -----------------------------------------------------------------------------

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "calendar": business_calendar()}

    def _input(self, serializer_class, data=None):
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _inquiry(self, pk, *, write: bool = False) -> Inquiry:
        """The inquiry `pk` if the caller may see it (else 404); for a change, also one
        they may work (else 403)."""
        inquiry = access_object(visible_inquiries(self.request.user), pk)
        if write and not can_work(self.request.user):
            raise PermissionDenied(
                "The Commissioner's office reads inquiries; it does not change them."
            )
        return inquiry

    def _detail(self, inquiry: Inquiry, *, status_code: int = status.HTTP_200_OK) -> Response:
        inquiry = (
            Inquiry.objects.select_related("assignee", "region")
            .prefetch_related("persons", "attachments")
            .get(pk=inquiry.pk)
        )
        context = self.get_serializer_context()
        decorate([inquiry], cal=context["calendar"])
        return Response(
            s.InquiryDetailSerializer(inquiry, context=context).data, status=status_code
        )

    # --- the queue and one inquiry ------------------------------------------------------------

    @extend_schema(parameters=[s.QueueFilterSerializer], responses=s.InquirySerializer(many=True))
    def list(self, request):
        """The queue, most urgent first by default: open inquiries unless a `status` is
        asked for. One page runs the same queries whatever the number of inquiries."""
        filters = self._input(s.QueueFilterSerializer, data=request.query_params)
        inquiries = queue(
            request.user,
            view=filters["view"],
            status=filters.get("status", ""),
            sla=filters.get("sla", ""),
            urgency=filters.get("urgency", ""),
            source_type=filters.get("source_type", ""),
            channel=filters.get("channel", ""),
            region=filters.get("region"),
            kind=filters.get("kind", ""),
            assignee=filters.get("assignee"),
            query=filters.get("q", ""),
            sort=filters["sort"],
            open_only=not filters["include_closed"],
        )
        with planned_for_each_search(bool(filters.get("q"))):
            page = self.paginate_queryset(inquiries)
            context = self.get_serializer_context()
            decorate(page, cal=context["calendar"])
        return self.get_paginated_response(
            s.InquirySerializer(page, many=True, context=context).data
        )

    @extend_schema(
        request={
            "application/json": s.InquiryCreateSerializer,
            "multipart/form-data": s.InquiryCreateSerializer,
        },
        responses={201: s.InquiryDetailSerializer},
        examples=[
            OpenApiExample(
                "A phone call",
                request_only=True,
                value={
                    "channel": "phone",
                    "source_type": "foster_parent",
                    "received_at": "2026-11-23T10:00:00-05:00",
                    "subject": "No reply from the caseworker about respite care",
                    "description": "The caller has asked three times since October.",
                    "urgency": "routine",
                    "contact_name": "Dana Reyes",
                    "contact_phone": "860-555-0142",
                },
            )
        ],
    )
    def create(self, request):
        """Record an inquiry. The answer has its `reference`, the initial response's
        `initial_response_due_at` and the `due_explanation` in words."""
        data = dict(self._input(s.InquiryCreateSerializer))
        persons = data.pop("persons", [])
        attachments = data.pop("attachments", [])
        inquiry = services.inquiry_create(
            actor=request.user, persons=persons, attachments=attachments, **data
        )
        return self._detail(inquiry, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=s.InquiryDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self._inquiry(pk))

    @extend_schema(request=s.InquiryUpdateSerializer, responses=s.InquiryDetailSerializer)
    def partial_update(self, request, pk=None):
        """Change details; send only what changes, and the `version` you read."""
        inquiry = self._inquiry(pk, write=True)
        data = dict(self._input(s.InquiryUpdateSerializer))
        version = data.pop("version")
        persons = data.pop("persons", None)
        inquiry = services.inquiry_update(
            inquiry=inquiry, actor=request.user, version=version, persons=persons, **data
        )
        return self._detail(inquiry)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Everything that happened to the inquiry, newest first."""
        inquiry = self._inquiry(pk)
        events = inquiry.events.select_related("actor").order_by("-occurred_at", "-pk")
        return Response(s.EventSerializer(events, many=True).data)

    # --- work ---------------------------------------------------------------------------------

    @extend_schema(request=s.AssignSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign or reassign. Staff take an inquiry themselves; the lead assigns anyone."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.AssignSerializer)
        inquiry = services.inquiry_assign(
            inquiry=inquiry,
            assignee=data["assignee"],
            actor=request.user,
            version=data.get("version"),
        )
        return self._detail(inquiry)

    @extend_schema(request=s.RespondSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Log the initial response: this stops the clock (the SLA is then met or missed)."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.RespondSerializer)
        inquiry = services.inquiry_respond(
            inquiry=inquiry,
            actor=request.user,
            method=data["method"],
            summary=data["summary"],
            responded_at=data.get("responded_at"),
            version=data.get("version"),
        )
        return self._detail(inquiry)

    @extend_schema(request=s.LogSerializer, responses={201: s.EventSerializer})
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None):
        """Log a further contact, a referral, or a note on the timeline."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.LogSerializer)
        event = services.inquiry_log(
            inquiry=inquiry,
            actor=request.user,
            kind=data["kind"],
            summary=data["summary"],
            occurred_at=data.get("occurred_at"),
            method=data.get("method", ""),
            party=data.get("party", ""),
        )
        return Response(s.EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.HrReferralSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="refer-to-hr")
    def refer_to_hr(self, request, pk=None):
        """Record that a retaliation allegation went to Human Resource Management."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.HrReferralSerializer)
        inquiry = services.inquiry_refer_to_hr(
            inquiry=inquiry,
            actor=request.user,
            notes=data["notes"],
            referred_at=data.get("referred_at"),
        )
        return self._detail(inquiry)

    @extend_schema(request=s.ResolveSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve with an outcome and a summary (after the initial response)."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.ResolveSerializer)
        inquiry = services.inquiry_resolve(
            inquiry=inquiry,
            actor=request.user,
            outcome=data["outcome"],
            summary=data["summary"],
            version=data.get("version"),
        )
        return self._detail(inquiry)

    @extend_schema(request=s.CloseSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved inquiry."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.CloseSerializer)
        inquiry = services.inquiry_close(
            inquiry=inquiry, actor=request.user, version=data.get("version")
        )
        return self._detail(inquiry)

    @extend_schema(request=s.ReopenSerializer, responses=s.InquiryDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved or closed inquiry, with the reason."""
        inquiry = self._inquiry(pk, write=True)
        data = self._input(s.ReopenSerializer)
        inquiry = services.inquiry_reopen(
            inquiry=inquiry,
            actor=request.user,
            reason=data["reason"],
            version=data.get("version"),
        )
        return self._detail(inquiry)

    # --- email intake -------------------------------------------------------------------------

    @extend_schema(
        request={
            "message/rfc822": OpenApiTypes.BINARY,
            "multipart/form-data": s.IngestEmailSerializer,
        },
        responses={201: s.InquiryDetailSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="ingest-email",
        parser_classes=[RawMessageParser, parsers.MultiPartParser],
    )
    def ingest_email(self, request):
        """Record an email as a new inquiry: the sender becomes the contact, the subject
        and text the subject and description, the Date header the time received, and
        its attachments the inquiry's files. The source is "other" until staff correct
        it. Send the raw message as the body (Content-Type: message/rfc822), or upload
        it as the multipart field `message`."""
        if isinstance(request.data, bytes):
            raw = request.data
        else:
            upload = self._input(s.IngestEmailSerializer)["message"]
            if upload.size > MAX_MESSAGE_BYTES:
                raise serializers.ValidationError(
                    {
                        "message": [
                            f"The message is over the limit of {MAX_MESSAGE_BYTES // 1048576} MB."
                        ]
                    }
                )
            raw = upload.read()
        try:
            inquiry = inquiry_from_email(raw, actor=request.user)
        except EmailIntakeError as exc:
            raise serializers.ValidationError({"message": [str(exc)]}) from None
        return self._detail(inquiry, status_code=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("inquiries", InquiryViewSet, basename="ombudsman-inquiry")
