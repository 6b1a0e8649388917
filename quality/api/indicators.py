"""The key indicators over the API, as the dashboard shows them:

    GET /api/quality/indicators/?scope=office:12&period=month&month=2026-11
    GET /api/quality/indicators/visits_children/?scope=state&period=fiscal_year&year=2027

    GET /api/quality/equity/?scope=region:3&period=fiscal_year&year=2027&reference=white

`scope` is state, region:<id>, office:<id>, unit:<id> or worker:<id> (default: the
caller's own level); a level outside the caller's scope answers 404."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api.permissions import HasRole
from agency.permissions import can_use_workspace
from quality import equity, facts
from quality.indicators import BY_CODE
from quality.selectors import dashboard as selectors


class DashboardPermission(HasRole):
    message = "The key indicators are for supervisors, area administrators and quality staff."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and can_use_workspace(
            request.user, "dashboard"
        )


class ValueSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    definition = serializers.CharField(source="indicator.definition")
    target = serializers.DecimalField(
        source="indicator.target", max_digits=5, decimal_places=1, allow_null=True
    )
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    percent = serializers.DecimalField(
        source="share", max_digits=5, decimal_places=1, allow_null=True
    )
    meets_target = serializers.BooleanField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class PartSerializer(serializers.Serializer):
    scope = serializers.CharField(source="key")
    label = serializers.CharField()
    value = ValueSerializer()


class TrendPointSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    value = ValueSerializer()


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField()
    level = serializers.CharField()
    label = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    starts_on = serializers.DateField()
    label = serializers.CharField()


class IndicatorsSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    last_refreshed = serializers.DateTimeField(allow_null=True)
    indicators = ValueSerializer(many=True)


class IndicatorSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    last_refreshed = serializers.DateTimeField(allow_null=True)
    value = ValueSerializer()
    parts = PartSerializer(many=True)
    trend = TrendPointSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("scope", OpenApiTypes.STR, description="state, region:<id>, office:<id>, "
                     "unit:<id> or worker:<id>; default: the caller's own level"),
    OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "fiscal_year"]),
    OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (period=month)"),
    OpenApiParameter("year", OpenApiTypes.INT, description="the fiscal year's number: 2027 "
                     "runs from 1 Oct 2026 (period=fiscal_year)"),
]  # fmt: skip


def _scope_and_period(request):
    raw = request.query_params.get("scope")
    scope = selectors.scope_for(request.user, raw) if raw else selectors.home_scope(request.user)
    return scope, selectors.period_from(request.query_params)


class EquityRowSerializer(serializers.Serializer):
    group = serializers.CharField()
    label = serializers.CharField()
    children = serializers.IntegerField(source="count")
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rate_base = serializers.IntegerField(source="base", allow_null=True)
    rate = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    relative_rate_index = serializers.DecimalField(
        source="rri", max_digits=9, decimal_places=2, allow_null=True
    )


class EquityTableSerializer(serializers.Serializer):
    decision_point = serializers.CharField(source="point.code")
    name = serializers.CharField(source="point.name")
    counted = serializers.CharField(source="point.counted")
    rate_per = serializers.CharField(source="point.rate_label")
    children = serializers.IntegerField(source="total")
    rate = serializers.DecimalField(
        source="total_rate", max_digits=9, decimal_places=1, allow_null=True
    )
    groups = EquityRowSerializer(source="rows", many=True)


class PopulationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    area = serializers.CharField()
    source = serializers.CharField()
    children = serializers.DictField(child=serializers.IntegerField())


class EquitySerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    last_refreshed = serializers.DateTimeField(allow_null=True)
    reference = serializers.CharField()
    population = PopulationSerializer(allow_null=True)
    no_population = serializers.CharField(help_text="Why there is no referral rate, if none.")
    summary = serializers.ListField(child=serializers.CharField())
    decision_points = EquityTableSerializer(source="tables", many=True)


class IndicatorList(APIView):
    permission_classes = [DashboardPermission]

    @extend_schema(
        operation_id="quality_indicators_list",
        parameters=PARAMETERS,
        responses=IndicatorsSerializer,
    )
    def get(self, request):
        """Every key indicator at a level for a period."""
        scope, period = _scope_and_period(request)
        data = {
            "scope": scope,
            "period": period,
            "last_refreshed": facts.last_refreshed(),
            "indicators": selectors.indicator_values(scope, period),
        }
        return Response(IndicatorsSerializer(data).data)


class IndicatorDetail(APIView):
    permission_classes = [DashboardPermission]

    @extend_schema(
        operation_id="quality_indicator_retrieve",
        parameters=PARAMETERS,
        responses=IndicatorSerializer,
    )
    def get(self, request, code):
        """One indicator at a level: its value, the level below and its trend."""
        indicator = BY_CODE.get(code)
        if indicator is None:
            raise NotFound("No such indicator.")
        scope, period = _scope_and_period(request)
        data = {
            "scope": scope,
            "period": period,
            "last_refreshed": facts.last_refreshed(),
            "value": selectors.indicator_value(scope, period, indicator),
            "parts": selectors.parts(scope, period, indicator),
            "trend": [
                {"starts_on": start, "value": value}
                for start, value in selectors.trend(scope, indicator, period)
            ],
        }
        return Response(IndicatorSerializer(data).data)


class Equity(APIView):
    permission_classes = [DashboardPermission]

    @extend_schema(
        operation_id="quality_equity_retrieve",
        parameters=[
            *PARAMETERS,
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                enum=[code for code, _ in equity.GROUPS],
                description="the reference group of the relative rate index (default white)",
            ),
        ],
        responses=EquitySerializer,
    )
    def get(self, request):
        """Children by race and ethnicity group at referral, substantiation and entry to
        care, with rates and the relative rate index, at a level for a period."""
        scope, period = _scope_and_period(request)
        data = {
            "scope": scope,
            "period": period,
            "last_refreshed": facts.last_refreshed(),
            **selectors.equity_data(scope, period, request.query_params.get("reference", "")),
        }
        return Response(EquitySerializer(data).data)


urlpatterns = [
    path("indicators/", IndicatorList.as_view(), name="api-quality-indicators"),
    path("equity/", Equity.as_view(), name="api-quality-equity"),
    path("indicators/<slug:code>/", IndicatorDetail.as_view(), name="api-quality-indicator"),
]


def register(router) -> None:
    """No viewsets: the indicators are plain read-only views."""
