"""The COOP registry's API, with the pages' permissions (coop.permissions).

/api/coop/plans/                                  GET the plans the caller reads: every
                                                  plan for OPM, else their location's and
                                                  those they administer (?region=R4)
/api/coop/plans/{id}/                             GET; PATCH the content (its senior
                                                  administrator, with the `version` read)
/api/coop/plans/{id}/documents/                   GET every version; POST a new one
                                                  (multipart, PDF only)
/api/coop/plans/{id}/documents/{doc}/download/    GET the file
/api/coop/plans/{id}/communication/               POST the quarter's communication
/api/coop/plans/{id}/revision/                    POST the quarter's revision (multipart
                                                  with a new version, or no changes)
/api/coop/plans/{id}/submit/                      POST the quarter's revision to OPM
/api/coop/duties/                                 GET quarterly duties (?region=R4,
                                                  ?quarter=2026-Q4, ?plan=)
/api/coop/duties/{id}/                            GET, with every return by OPM
/api/coop/duties/{id}/accept/, …/return/          POST: OPM's decision (403 for others)

A plan the caller may not read answers 404; the senior administrator's writes answer 404
to everyone else. Writes go through coop.services, whose ValidationErrors become 400
field maps; nothing is half-saved.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency import clock
from agency.api.permissions import HasRole
from coop import permissions, selectors, services
from coop.api import serializers as s
from coop.models import CoopPlan, EmergencyProcedure, PlanDocument, QuarterlyDuties

_PARSERS = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
NOT_OPM = "OPM accepts or returns a plan's quarterly submission."


class PdfRenderer(renderers.BaseRenderer):
    """A plan document's bytes (the download answers a FileResponse; errors are JSON)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


def _plans_with_content(queryset):
    return queryset.select_related(
        "work_location__region", "senior_administrator"
    ).prefetch_related(
        "key_staff",
        Prefetch("procedures", queryset=EmergencyProcedure.objects.order_by("position", "pk")),
        "notifications",
        Prefetch("documents", queryset=PlanDocument.objects.select_related("uploaded_by")),
    )


class _Input:
    def _input(self, serializer_class, data=None) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _duties_context(self, plan: CoopPlan | None = None) -> dict:
        context = {"today": clock.today(), "rules": selectors.rules(), "request": self.request}
        if plan is not None:
            context["returns"] = selectors.returns_by_quarter(plan)
        return context

    def _duties_detail(self, duties: QuarterlyDuties, code=status.HTTP_200_OK) -> Response:
        duties = QuarterlyDuties.objects.select_related("plan__work_location__region").get(
            pk=duties.pk
        )
        data = s.QuarterlyDutiesDetailSerializer(
            duties, context=self._duties_context(duties.plan)
        ).data
        return Response(data, status=code)


class PlanViewSet(_Input, viewsets.GenericViewSet):
    """Continuity of Operations Plans: one per work location, kept by its senior
    administrator, with its document versions and quarterly duties."""

    permission_classes = [HasRole]
    serializer_class = s.CoopPlanSerializer
    queryset = CoopPlan.objects.none()  # the schema's model; requests use the gatekeeper
    parser_classes = _PARSERS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _detail(self, pk) -> Response:
        plan = permissions.access_plan(self.request.user, pk)
        plan = _plans_with_content(CoopPlan.objects.filter(pk=plan.pk)).get()
        return Response(s.CoopPlanSerializer(plan, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[s.CoopPlanFilterSerializer], responses=s.CoopPlanSerializer(many=True)
    )
    def list(self, request):
        """OPM (and system administrators): every plan. Anyone else: the plan of the
        location they work at, and the plans they administer."""
        filters = self._input(s.CoopPlanFilterSerializer, data=request.query_params)
        plans = permissions.visible_plans(request.user)
        if filters.get("region"):
            plans = plans.filter(work_location__region__code=filters["region"])
        plans = _plans_with_content(plans.order_by("work_location__name", "pk"))
        page = self.paginate_queryset(plans)
        data = s.CoopPlanSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(responses=s.CoopPlanSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(request=s.CoopPlanUpdateSerializer, responses=s.CoopPlanSerializer)
    def partial_update(self, request, pk=None):
        """Change the plan's content (its senior administrator only; 404 for anyone
        else). Send only what changes, and the `version` you read."""
        plan = permissions.access_administered_plan(request.user, pk)
        data = self._input(s.CoopPlanUpdateSerializer)
        version = data.pop("version")
        for name in ("key_staff", "procedures", "notifications"):
            if name in data:
                data[name] = [dict(row) for row in data[name]]
        services.plan_update(plan=plan, actor=request.user, version=version, **data)
        return self._detail(plan.pk)

    # --- documents ---------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        responses=s.PlanDocumentSerializer(many=True),
        description="Every version of the plan document, newest (the current plan) first.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.PlanDocumentUploadSerializer},
        responses={201: s.PlanDocumentSerializer},
        description="Upload a new version (its senior administrator; PDF only, up to the "
        "size in the COOP rules, 20 MB by default). It becomes the current plan.",
    )
    @action(detail=True, methods=["get", "post"])
    def documents(self, request, pk=None):
        context = self.get_serializer_context()
        if request.method == "POST":
            plan = permissions.access_administered_plan(request.user, pk)
            data = self._input(s.PlanDocumentUploadSerializer)
            document = services.document_upload(
                plan=plan, actor=request.user, upload=data["file"], summary=data["summary"]
            )
            return Response(
                s.PlanDocumentSerializer(document, context=context).data,
                status=status.HTTP_201_CREATED,
            )
        plan = permissions.access_plan(request.user, pk)
        documents = plan.documents.select_related("uploaded_by")
        return Response(s.PlanDocumentSerializer(documents, many=True, context=context).data)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        description="The file, for whoever reads the plan (404 otherwise).",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_pk>[0-9]+)/download",
        url_name="document-download",
        renderer_classes=[renderers.JSONRenderer, PdfRenderer],
    )
    def document_download(self, request, pk=None, document_pk=None):
        document = permissions.access_document(request.user, pk, document_pk)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=document.name, content_type="application/pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response

    # --- the quarterly duties ----------------------------------------------------------------

    @extend_schema(
        request=s.CoopCommunicationInputSerializer,
        responses=s.QuarterlyDutiesDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def communication(self, request, pk=None):
        """Record that the plan was communicated to all staff in the quarter (its senior
        administrator): when, how, to how many staff, and the evidence."""
        plan = permissions.access_administered_plan(request.user, pk)
        data = self._input(s.CoopCommunicationInputSerializer)
        duties = services.communication_record(
            plan=plan,
            actor=request.user,
            quarter=data["quarter"],
            communicated_on=data["communicated_on"],
            channel=data["communication_channel"],
            staff_count=data["staff_count"],
            evidence=data["communication_evidence"],
            version=data.get("version"),
        )
        return self._duties_detail(duties)

    @extend_schema(
        request={
            "multipart/form-data": s.CoopRevisionInputSerializer,
            "application/json": s.CoopRevisionInputSerializer,
        },
        responses=s.QuarterlyDutiesDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def revision(self, request, pk=None):
        """Record the quarter's revision (its senior administrator): `new_version` with
        the PDF in `file` (multipart), or `no_changes` with the attestation in
        `revision_note`."""
        plan = permissions.access_administered_plan(request.user, pk)
        data = self._input(s.CoopRevisionInputSerializer)
        duties = services.revision_record(
            plan=plan,
            actor=request.user,
            quarter=data["quarter"],
            revised_on=data["revised_on"],
            revision=data["revision"],
            note=data["revision_note"],
            upload=data.get("file"),
            version=data.get("version"),
        )
        return self._duties_detail(duties)

    @extend_schema(
        request=s.DutiesSubmitInputSerializer, responses=s.QuarterlyDutiesDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the quarter's recorded revision to OPM, or again after a return (its
        senior administrator). Every OPM member is notified."""
        plan = permissions.access_administered_plan(request.user, pk)
        data = self._input(s.DutiesSubmitInputSerializer)
        duties = services.duties_submit(
            plan=plan, actor=request.user, quarter=data["quarter"], version=data.get("version")
        )
        return self._duties_detail(duties)


class QuarterlyDutiesViewSet(_Input, viewsets.GenericViewSet):
    """Each plan's three duties in a calendar quarter, with their status in words."""

    permission_classes = [HasRole]
    serializer_class = s.QuarterlyDutiesSerializer
    queryset = QuarterlyDuties.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        parameters=[s.QuarterlyDutiesFilterSerializer],
        responses=s.QuarterlyDutiesSerializer(many=True),
    )
    def list(self, request):
        """The quarters recorded for the plans the caller reads, newest first. OPM
        filters by region and quarter."""
        filters = self._input(s.QuarterlyDutiesFilterSerializer, data=request.query_params)
        duties = selectors.duties_list(
            permissions.visible_duties(request.user),
            region=filters.get("region", ""),
            quarter=filters.get("quarter"),
        )
        if filters.get("plan"):
            duties = duties.filter(plan_id=filters["plan"])
        page = self.paginate_queryset(duties)
        data = s.QuarterlyDutiesSerializer(page, many=True, context=self._duties_context()).data
        return self.get_paginated_response(data)

    @extend_schema(responses=s.QuarterlyDutiesDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._duties_detail(permissions.access_duties(request.user, pk))

    def _for_review(self, pk) -> QuarterlyDuties:
        duties = permissions.access_duties(self.request.user, pk)
        if not permissions.is_opm(self.request.user):
            raise PermissionDenied(NOT_OPM)
        return duties

    @extend_schema(request=s.CoopReviewInputSerializer, responses=s.QuarterlyDutiesDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """OPM accepts a submitted quarter (comments optional)."""
        duties = self._for_review(pk)
        data = self._input(s.CoopReviewInputSerializer)
        duties = services.duties_accept(
            duties=duties,
            actor=request.user,
            comments=data["opm_comments"],
            version=data.get("version"),
        )
        return self._duties_detail(duties)

    @extend_schema(request=s.CoopReviewInputSerializer, responses=s.QuarterlyDutiesDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """OPM returns a submitted quarter with comments (required); it goes back to the
        location, whose senior administrator is notified."""
        duties = self._for_review(pk)
        data = self._input(s.CoopReviewInputSerializer)
        duties = services.duties_return(
            duties=duties,
            actor=request.user,
            comments=data["opm_comments"],
            version=data.get("version"),
        )
        return self._duties_detail(duties)
