"""Casework API: cases."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import audit
from casework.models import Case, CaseMember
from casework.permissions import access_case
from casework.selectors import visible_cases
from casework.services import cases as case_services


class CaseMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = CaseMember
        fields = ["person", "name", "role", "alleged_victim", "custodial", "in_household", "active"]


class CaseSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    primary_worker_name = serializers.CharField(
        source="primary_worker.get_full_name", read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id", "number", "name", "case_type", "status", "opened_on", "closed_on",
            "closing_reason", "unit", "unit_name", "primary_worker", "primary_worker_name",
            "secondary_worker", "candidacy",
        ]  # fmt: skip
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    members = CaseMemberSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "members"]
        read_only_fields = fields


class CaseCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[s for s, _ in Case.Status.choices]),
            OpenApiParameter("case_type", str, enum=[t for t, _ in Case.Type.choices]),
            OpenApiParameter("mine", bool, description="Only cases assigned to the caller."),
            OpenApiParameter("q", str, description="Case number or name contains."),
        ]
    )
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the caller may see (their unit's, assigned or shared); any other id is 404.
    Opening one case is logged like a page view."""

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        params = self.request.query_params
        cases = visible_cases(self.request.user).select_related("unit", "primary_worker")
        if params.get("status"):
            cases = cases.filter(status=params["status"])
        if params.get("case_type"):
            cases = cases.filter(case_type=params["case_type"])
        if params.get("mine") in {"1", "true"}:
            user = self.request.user
            cases = cases.filter(Q(primary_worker=user) | Q(secondary_worker=user))
        if params.get("q"):
            cases = cases.filter(Q(number__icontains=params["q"]) | Q(name__icontains=params["q"]))
        return cases.order_by("-opened_on", "-pk")

    def get_object(self):
        case = access_case(self.request.user, self.kwargs["pk"])
        audit.record_view(user=self.request.user, case=case, channel="api")
        return case

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        case = (
            Case.objects.prefetch_related("members__person")
            .select_related("unit", "primary_worker")
            .get(pk=case.pk)
        )
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseCloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case (its supervisor). Nothing is deleted."""
        case = access_case(request.user, pk, "approve")
        body = CaseCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_services.case_close(
            case=case, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(CaseSerializer(case).data)


urlpatterns: list = []


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="casework-case")
