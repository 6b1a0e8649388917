"""Casework API: documents on a case or a person.

/api/casework/documents/?case=<id>  (or ?person=<id>)  GET the documents the caller may
                                     see on that case or on that person's record
/api/casework/documents/             POST multipart {case or person, kind, title,
                                     document_date, visibility, file}
/api/casework/documents/{id}/        GET the document's details
/api/casework/documents/{id}/download/   GET the file (logged as a download, channel "api")
/api/casework/documents/{id}/remove/     POST {reason}: entered in error (the uploader or
                                     a supervisor); hidden, never deleted
/api/casework/documents/{id}/downloads/  GET who downloaded it (the case's supervisors)

The same gatekeeper as the pages (casework.selectors.documents): documents on cases and
people the caller may not see, restricted documents included, answer 404; a role that
only reads gets 403 on writes. Uploads are checked by casework.services.documents
(size, type, signature): a refused file is a 400 {"file": [...]} with nothing saved.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from casework.models import CaseDocument, DocumentDownload
from casework.permissions import access_case, access_person
from casework.selectors import documents as selectors
from casework.services import documents as services
from casework.views.documents import file_response

urlpatterns: list = []


# --- serializers -------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CaseDocument.Kind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    visibility = serializers.ChoiceField(choices=CaseDocument.Visibility.choices, read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = [
            "id", "case", "case_number", "person", "kind", "kind_label", "title",
            "document_date", "visibility", "name", "content_type", "size", "uploaded_by",
            "uploaded_by_name", "uploaded_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_uploaded_by_name(self, document: CaseDocument) -> str:
        user = document.uploaded_by
        return user.get_full_name() or user.get_username()

    def get_download_url(self, document: CaseDocument) -> str:
        return f"/api/casework/documents/{document.pk}/download/"


class DocumentUploadSerializer(serializers.Serializer):
    case = serializers.IntegerField(required=False, allow_null=True, help_text="A case, or…")
    person = serializers.IntegerField(
        required=False, allow_null=True, help_text="…a person (exactly one of the two)."
    )
    kind = serializers.ChoiceField(choices=CaseDocument.Kind.choices)
    title = serializers.CharField(max_length=200, allow_blank=True, help_text="Required.")
    document_date = serializers.DateField(help_text="The date on the document; not in the future.")
    visibility = serializers.ChoiceField(
        choices=CaseDocument.Visibility.choices, default=CaseDocument.Visibility.CASE_TEAM
    )
    file = serializers.FileField(
        help_text="PDF, image, text, CSV, Word or Excel; up to CaseworkRules.max_document_mb "
        "(20 MB by default). The content must match the type."
    )

    def validate(self, data):
        if bool(data.get("case")) == bool(data.get("person")):
            raise serializers.ValidationError(
                {"case": ["Give either a case or a person, not both."]}
            )
        return data


class DocumentRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)


class DocumentDownloadSerializer(serializers.ModelSerializer):
    channel = serializers.ChoiceField(choices=DocumentDownload.Channel.choices, read_only=True)
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = DocumentDownload
        fields = ["id", "user", "user_name", "channel", "at"]
        read_only_fields = fields

    def get_user_name(self, download: DocumentDownload) -> str:
        return download.user.get_full_name() or download.user.get_username()


class FileRenderer(renderers.BaseRenderer):
    """A document's bytes (the download answers a FileResponse; errors fall back to JSON)."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


def _input(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- views -------------------------------------------------------------------------------------


class DocumentViewSet(viewsets.GenericViewSet):
    """Documents on cases and people (court orders, reports, signed plans, evaluations)."""

    serializer_class = DocumentSerializer
    queryset = CaseDocument.objects.none()  # the schema's model; requests use the gatekeeper
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="The documents on this case."),
            OpenApiParameter("person", int, description="The documents on this person's record."),
        ],
        responses=DocumentSerializer(many=True),
    )
    def list(self, request):
        """The documents the caller may see on one case (?case=) or one person (?person=),
        latest date first. One of the two is required."""
        params = request.query_params
        documents = selectors.visible_documents(request.user)
        if params.get("case", "").isdigit():
            documents = documents.filter(case_id=int(params["case"]))
        elif params.get("person", "").isdigit():
            documents = documents.filter(person_id=int(params["person"]), case__isnull=True)
        else:
            raise serializers.ValidationError({"case": ["Give ?case=<id> or ?person=<id>."]})
        page = self.paginate_queryset(selectors.document_queryset(documents))
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(DocumentSerializer(selectors.access_document(request.user, pk)).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request):
        """Upload a document to a case or a person."""
        user = request.user
        data = _input(DocumentUploadSerializer, request)
        owner = {}
        if data.get("case"):
            owner["case"] = access_case(user, data["case"], "change")
        else:
            owner["person"] = access_person(user, data["person"])
        if not selectors.may_upload(user):
            raise PermissionDenied("Your role cannot add documents.")
        document = services.document_upload(
            actor=user,
            upload=data["file"],
            kind=data["kind"],
            title=data["title"],
            document_date=data["document_date"],
            visibility=data["visibility"],
            **owner,
        )
        fresh = selectors.document_queryset(CaseDocument.objects.all()).get(pk=document.pk)
        return Response(DocumentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        """The file, for anyone who may see the document (404 otherwise); logged."""
        document = selectors.access_document(request.user, pk)
        services.document_download_record(
            document=document, user=request.user, channel=DocumentDownload.Channel.API
        )
        return file_response(document)

    @extend_schema(request=DocumentRemoveSerializer, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Entered in error: the uploader or a supervisor hides it (never deleted)."""
        document = selectors.access_document(request.user, pk)
        if not selectors.may_remove(request.user, document):
            raise PermissionDenied("Only the uploader or a supervisor removes a document.")
        data = _input(DocumentRemoveSerializer, request)
        services.document_remove(document=document, actor=request.user, reason=data["reason"])
        return Response(DocumentSerializer(document).data)

    @extend_schema(responses=DocumentDownloadSerializer(many=True))
    @action(detail=True, methods=["get"])
    def downloads(self, request, pk=None):
        """Who downloaded the document, latest first: for the supervisors of its case
        (or of the person's cases); 403 for others who may see it."""
        document = selectors.access_document(request.user, pk)
        if not selectors.supervises_document(request.user, document):
            raise PermissionDenied("The download log is for the case's supervisors.")
        page = self.paginate_queryset(selectors.document_downloads(document))
        return self.get_paginated_response(DocumentDownloadSerializer(page, many=True).data)


def register(router) -> None:
    router.register("documents", DocumentViewSet, basename="casework-document")
