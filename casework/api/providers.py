"""Casework API: the provider directory and referrals from case plans.

/api/casework/providers/             GET the directory (?q=, ?evidence_based=true,
                                     ?language=, ?location=, ?active=active|inactive|all),
                                     each provider with its matching services
/api/casework/providers/{id}/        GET one provider with every service
/api/casework/referrals/             GET the plan services on the caller's cases (?plan=,
                                     ?case=, ?status=); POST {plan, provider_service, goal,
                                     referred_on}: add a directory service to a draft or
                                     returned plan as a referral sent that day
/api/casework/referrals/{id}/        GET one referral
/api/casework/referrals/{id}/status/ POST {status, on, decline_reason, edit_token}: the
                                     next step (accepted, started, completed, or declined)

Read-only for the directory (system administrators keep it in Django admin); every
casework role reads it (`casework.view_provider`, 403 otherwise). Referrals are plan
services: 404 outside the caller's cases, 403 for roles that only read. Writes go
through casework.services.plans.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from agency.api.fields import EditTokenField, edit_token_input
from agency.api.permissions import HasRole
from agency.concurrency import with_edit_tokens
from agency.permissions import access_object
from casework.models import PlanService, Provider, ProviderService
from casework.permissions import access_case
from casework.selectors import plans as plan_selectors
from casework.selectors import providers as selectors
from casework.services import plans as plan_services

urlpatterns: list = []


# --- serializers -------------------------------------------------------------------------------


class ProviderServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderService
        fields = [
            "id", "service_type", "evidence_based", "model_name", "languages", "locations",
            "capacity_note", "active",
        ]  # fmt: skip
        read_only_fields = fields


class ProviderSerializer(serializers.ModelSerializer):
    services = ProviderServiceSerializer(
        source="matched_services",
        many=True,
        read_only=True,
        help_text="The provider's services matching the filters.",
    )

    class Meta:
        model = Provider
        fields = ["id", "name", "phone", "email", "website", "address", "active", "notes",
                  "services"]  # fmt: skip
        read_only_fields = fields


class ProviderDetailSerializer(ProviderSerializer):
    services = ProviderServiceSerializer(many=True, read_only=True)

    class Meta(ProviderSerializer.Meta):
        pass


class ProviderFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Name, type of service or model."
    )
    evidence_based = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True)
    active = serializers.ChoiceField(
        choices=[value for value, _ in selectors.ACTIVE_CHOICES], required=False, default="active"
    )


class ReferralSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(PlanService.Status.values)
    )
    case = serializers.IntegerField(source="plan.case_id", read_only=True)
    next_statuses = serializers.SerializerMethodField()
    edit_token = EditTokenField()

    class Meta:
        model = PlanService
        fields = [
            "id", "plan", "case", "goal", "provider_service", "provider", "service_type",
            "evidence_based", "status", "referred_on", "accepted_on", "started_on", "ended_on",
            "decline_reason", "next_statuses", "edit_token",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_statuses(self, service) -> list[str]:
        return list(plan_services.referral_next_statuses(service))


class ReferralCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(help_text="A draft or returned plan on the caller's case.")
    provider_service = serializers.IntegerField(help_text="An active service of the directory.")
    goal = serializers.IntegerField(required=False, allow_null=True)
    referred_on = serializers.DateField(help_text="The day the referral was sent.")


class ReferralStatusSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="The next step: accepted, started, completed or declined."
    )
    on = serializers.DateField(help_text="The day it happened; not in the future.")
    decline_reason = serializers.CharField(required=False, allow_blank=True, default="")
    edit_token = edit_token_input()


def _input(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- views -------------------------------------------------------------------------------------


class ReadsDirectory(BasePermission):
    message = "The provider directory is for casework staff."

    def has_permission(self, request, view) -> bool:
        return selectors.may_read_directory(request.user)


class ProviderViewSet(viewsets.GenericViewSet):
    """The provider directory (read-only): providers and the services they offer."""

    permission_classes = [HasRole, ReadsDirectory]
    serializer_class = ProviderSerializer
    queryset = Provider.objects.none()  # the schema's model; requests use the selectors

    @extend_schema(parameters=[ProviderFilterSerializer], responses=ProviderSerializer(many=True))
    def list(self, request):
        """Providers with at least one service matching the filters, by name."""
        data = _input(ProviderFilterSerializer, request.query_params)
        filters = selectors.DirectoryFilters(
            q=data.get("q", "").strip(),
            evidence_based=data["evidence_based"],
            language=data.get("language", "").strip(),
            location=data.get("location", "").strip(),
            active=data["active"],
        )
        page = self.paginate_queryset(selectors.provider_directory(filters))
        return self.get_paginated_response(ProviderSerializer(page, many=True).data)

    @extend_schema(responses=ProviderDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(ProviderDetailSerializer(selectors.access_provider(request.user, pk)).data)


class ReferralViewSet(viewsets.GenericViewSet):
    """Services and referrals of the case plans on the caller's cases."""

    serializer_class = ReferralSerializer
    queryset = PlanService.objects.none()  # the schema's model; requests use the gatekeeper
    http_method_names = ["get", "post", "head", "options"]

    def _visible(self):
        return with_edit_tokens(
            selectors.referral_queryset(
                PlanService.objects.filter(plan__in=plan_selectors.visible_plans(self.request.user))
            )
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", int, description="Only this plan version's services."),
            OpenApiParameter("case", int, description="Only this case's plans."),
            OpenApiParameter("status", str, enum=list(PlanService.Status.values)),
        ],
        responses=ReferralSerializer(many=True),
    )
    def list(self, request):
        params = request.query_params
        services = self._visible().order_by("plan_id", "referred_on", "pk")
        if params.get("plan", "").isdigit():
            services = services.filter(plan_id=int(params["plan"]))
        if params.get("case", "").isdigit():
            services = services.filter(plan__case_id=int(params["case"]))
        if params.get("status") in PlanService.Status.values:
            services = services.filter(status=params["status"])
        page = self.paginate_queryset(services)
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ReferralSerializer(access_object(self._visible(), pk)).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        """Refer from the directory: the service fills in the provider, the type and the
        evidence-based flag; the referral is sent on `referred_on`."""
        data = _input(ReferralCreateSerializer, request.data)
        plan = access_object(plan_selectors.visible_plans(request.user), data["plan"])
        access_case(request.user, plan.case_id, "change")
        service = plan_services.service_add(
            plan=plan,
            actor=request.user,
            provider_service=data["provider_service"],
            goal=data.get("goal"),
            referred_on=data["referred_on"],
            status=PlanService.Status.REFERRED,
        )
        return Response(
            ReferralSerializer(self._visible().get(pk=service.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReferralStatusSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Record the referral's next step with its day."""
        service = access_object(self._visible(), pk)
        access_case(request.user, service.plan.case_id, "change")
        data = _input(ReferralStatusSerializer, request.data)
        plan_services.service_referral_update(
            service=service,
            actor=request.user,
            status=data["status"],
            on=data["on"],
            decline_reason=data["decline_reason"],
            edit_token=data.get("edit_token"),
        )
        return Response(ReferralSerializer(self._visible().get(pk=service.pk)).data)


def register(router) -> None:
    router.register("providers", ProviderViewSet, basename="casework-provider")
    router.register("referrals", ReferralViewSet, basename="casework-referral")
