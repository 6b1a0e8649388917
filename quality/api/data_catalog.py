"""The ORE data-request catalog and its reports in the API, for ORE staff
(`quality.work_datarequest`; superusers too): 403 for everyone else.

/api/quality/data-request-catalog/   GET every request and its deliverables, newest first,
                                     25 a page (?page=); search ?q= (every word must
                                     appear), filters ?category= ?status= ?organization=
                                     (exactly as recorded) ?year= (year received)
/api/quality/data-request-reports/   GET the reports for a calendar year (?year=YYYY,
                                     this year by default): requests received per month
                                     by category, median business days to delivery, and
                                     the share delivered by the date needed

A filter or year that cannot be read answers 400 with a field map.
"""

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import clock
from agency.api.permissions import HasRole
from quality.models import DataRequest, DataRequestFile
from quality.selectors import data_catalog as selectors


class CatalogPermission(HasRole):
    message = "The catalog and its reports are for the Office for Research and Evaluation."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and selectors.can_use_catalog(request.user)


# --- the catalog -----------------------------------------------------------------------------


class CatalogFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text="Through Hearth (ORE only).")

    class Meta:
        model = DataRequestFile
        fields = ["id", "name", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, item: DataRequestFile) -> str:
        return reverse("quality:data_request_file", args=[item.request_id, item.pk])


class CatalogEntrySerializer(serializers.ModelSerializer):
    category_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    deliverables = CatalogFileSerializer(many=True, read_only=True)
    page_url = serializers.SerializerMethodField(help_text="The request's page in Hearth.")

    class Meta:
        model = DataRequest
        fields = [
            "id", "reference", "catalog_number", "title", "requester_name", "organization",
            "category", "category_label", "status", "status_label", "received_at",
            "date_needed", "delivered_at", "business_days_to_delivery", "deliverables",
            "delivery_link", "page_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_category_label(self, item: DataRequest) -> str:
        return item.get_category_display() if item.category else "Not yet cataloged"

    def get_page_url(self, item: DataRequest) -> str:
        return reverse("quality:data_request", args=[item.pk])


class CatalogFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Words in the reference, catalog number, title, purpose, questions, data "
        "elements, population, organisation, requester, delivery note or a deliverable's "
        "file name; every word must appear.",
    )
    category = serializers.ChoiceField(choices=DataRequest.Category.choices, required=False)
    status = serializers.ChoiceField(choices=DataRequest.Status.choices, required=False)
    organization = serializers.CharField(
        max_length=200, required=False, help_text="The requester's organisation, exactly."
    )
    year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, help_text="The year received."
    )


class DataRequestCatalogViewSet(viewsets.GenericViewSet):
    """The ORE data-request catalog: every request received, with its deliverables."""

    permission_classes = [CatalogPermission]
    serializer_class = CatalogEntrySerializer
    queryset = DataRequest.objects.none()  # the schema's model; requests use the selector

    @extend_schema(
        parameters=[CatalogFilterSerializer], responses=CatalogEntrySerializer(many=True)
    )
    def list(self, request):
        """Every request ORE received, newest first, searched and filtered."""
        filters = CatalogFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        requests = selectors.catalog_requests(
            request.user,
            query=data.get("q", ""),
            category=data.get("category", ""),
            status=data.get("status", ""),
            organization=data.get("organization", ""),
            year=data.get("year"),
        )
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(CatalogEntrySerializer(page, many=True).data)


# --- the reports -----------------------------------------------------------------------------


class ReceivedMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='By category; "" for requests not yet cataloged.',
    )
    total = serializers.IntegerField()


class ReceivedReportSerializer(serializers.Serializer):
    categories = serializers.DictField(
        child=serializers.CharField(), help_text='Category -> label ("" is not yet cataloged).'
    )
    months = ReceivedMonthSerializer(
        many=True, help_text="Each month of the year so far, including months with none."
    )
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="By category.")
    total = serializers.IntegerField()
    summary = serializers.CharField()


class MedianSerializer(serializers.Serializer):
    category = serializers.CharField(help_text='"" for all categories together.')
    label = serializers.CharField()
    median_business_days = serializers.FloatField(
        allow_null=True, help_text="Null when no request was delivered."
    )
    requests = serializers.IntegerField(help_text="How many requests the median is over.")


class MedianReportSerializer(serializers.Serializer):
    overall = MedianSerializer()
    by_category = MedianSerializer(many=True)
    summary = serializers.CharField()


class OnTimeSerializer(serializers.Serializer):
    category = serializers.CharField(help_text='"" for all categories together.')
    label = serializers.CharField()
    delivered_by_date_needed = serializers.IntegerField()
    delivered_with_date_needed = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Null when the count is 0.")


class OnTimeReportSerializer(serializers.Serializer):
    overall = OnTimeSerializer()
    by_category = OnTimeSerializer(many=True)
    summary = serializers.CharField()


class DataRequestReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    received = ReceivedReportSerializer(
        help_text="Requests received each month (Eastern time), by category."
    )
    median_to_delivery = MedianReportSerializer(
        help_text="Requests delivered in the year: median business days from receipt to "
        "delivery, less the business days spent waiting for a project scope."
    )
    delivered_by_date_needed = OnTimeReportSerializer(
        help_text="Requests delivered in the year that gave a date needed: how many were "
        "delivered on or before it (the local day of delivery)."
    )


def _report_data(report: selectors.DataRequestReport) -> dict:
    received = report.received
    keys = [value for value, _ in received.columns]

    def by_category(counts: list[int]) -> dict[str, int]:
        return dict(zip(keys, counts, strict=True))

    def median(row: selectors.MedianRow) -> dict:
        return {
            "category": row.category,
            "label": row.label,
            "median_business_days": row.days,
            "requests": row.count,
        }

    def on_time(row: selectors.OnTimeRow) -> dict:
        percent = row.percent
        return {
            "category": row.category,
            "label": row.label,
            "delivered_by_date_needed": row.on_time,
            "delivered_with_date_needed": row.total,
            "percent": None if percent is None else round(percent, 1),
        }

    return {
        "year": report.period.first.year,
        "first_day": report.period.first,
        "last_day": report.period.last,
        "received": {
            "categories": dict(received.columns),
            "months": [
                {"month": f"{m.month:%Y-%m}", "counts": by_category(m.counts), "total": m.total}
                for m in received.months
            ],
            "totals": by_category(received.totals),
            "total": received.total,
            "summary": report.received_summary,
        },
        "median_to_delivery": {
            "overall": median(report.median_overall),
            "by_category": [median(row) for row in report.medians],
            "summary": report.median_summary,
        },
        "delivered_by_date_needed": {
            "overall": on_time(report.on_time_overall),
            "by_category": [on_time(row) for row in report.on_time],
            "summary": report.on_time_summary,
        },
    }


class DataRequestReportView(APIView):
    """The ORE data-request reports for one calendar year."""

    permission_classes = [CatalogPermission]

    @extend_schema(
        operation_id="quality_data_request_reports",
        parameters=[
            OpenApiParameter("year", int, description="The calendar year; this year by default.")
        ],
        responses=DataRequestReportSerializer,
    )
    def get(self, request):
        """Requests received per month by category, median business days to delivery,
        and the share delivered by the date needed, for a calendar year. A year that
        cannot be read (or is still to come) answers 400."""
        today = clock.today()
        period, error = selectors.report_year(request.query_params, today)
        if error:
            raise serializers.ValidationError({"year": [error]})
        report = selectors.data_request_report(period, today=today)
        return Response(DataRequestReportSerializer(_report_data(report)).data)


urlpatterns = [
    path("data-request-reports/", DataRequestReportView.as_view(), name="data-request-reports"),
]


def register(router) -> None:
    router.register(
        "data-request-catalog",
        DataRequestCatalogViewSet,
        basename="quality-data-request-catalog",
    )
