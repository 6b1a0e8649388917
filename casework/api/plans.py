"""Casework API: case plans (versions, goals with steps, services, family participation)
and their approval.

/api/casework/plans/                 list (visible; ?case=, ?status=), create {case}: the
                                     next version (copying the approved one's content)
/api/casework/plans/{id}/            retrieve (nested goals with steps, services); PATCH
                                     the family and permanency fields (draft or returned)
/api/casework/plans/{id}/goals/      POST {description, responsible, target_date}
/api/casework/plans/{id}/services/   POST {provider, service_type, evidence_based, status,
                                     referred_on, started_on, ended_on, goal}
/api/casework/plan-goals/{id}/steps/ POST {description, responsible, target_date}
/api/casework/plans/{id}/submit/     POST: complete? then to the supervisor
/api/casework/plans/{id}/decide/     POST {approve, comment}: the case's supervisor
/api/casework/plan-goals/{id}/       PATCH {status}: progress, also on an approved plan
/api/casework/plan-steps/{id}/       PATCH {status}: progress, also on an approved plan
/api/casework/plan-services/{id}/    PATCH {status, started_on, ended_on}: progress, also
                                     on an approved plan (no new version)

Plans, goals, steps and services carry an `edit_token`; sent back with a PATCH, it
refuses (400 {"edit_token": [...]}) a change made by someone else in between.

Plans outside the caller's cases answer 404; visible but not theirs to change 403.
Writes go through casework.services.plans, whose ValidationErrors become 400 field maps.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.fields import EditTokenField, edit_token_input
from agency.concurrency import with_edit_tokens
from agency.permissions import access_object
from casework.audit import record_view
from casework.models import CasePlan, PlanGoal, PlanService, PlanStep
from casework.permissions import access_case
from casework.selectors import plans as selectors
from casework.services import plans as services

urlpatterns: list = []


# --- serializers -------------------------------------------------------------------------------


def _choice_text(choices, **kwargs) -> serializers.CharField:
    """A choice documented as a string listing its values (not an OpenAPI enum: the
    status fields of plans, goals and services would collide on enum names; the
    services check the values)."""
    return serializers.CharField(help_text="One of: " + ", ".join(choices.values), **kwargs)


class PlanStepSerializer(serializers.ModelSerializer):
    status = _choice_text(PlanGoal.Status, read_only=True)
    edit_token = EditTokenField()

    class Meta:
        model = PlanStep
        fields = [
            "id",
            "order",
            "description",
            "responsible",
            "target_date",
            "status",
            "edit_token",
        ]
        read_only_fields = fields


class PlanGoalSerializer(serializers.ModelSerializer):
    steps = PlanStepSerializer(many=True, read_only=True)
    status = _choice_text(PlanGoal.Status, read_only=True)
    edit_token = EditTokenField()

    class Meta:
        model = PlanGoal
        fields = [
            "id",
            "order",
            "description",
            "responsible",
            "target_date",
            "status",
            "edit_token",
            "steps",
        ]
        read_only_fields = fields


class PlanServiceSerializer(serializers.ModelSerializer):
    status = _choice_text(PlanService.Status, read_only=True)
    edit_token = EditTokenField()

    class Meta:
        model = PlanService
        fields = [
            "id",
            "goal",
            "provider",
            "service_type",
            "evidence_based",
            "status",
            "referred_on",
            "started_on",
            "ended_on",
            "edit_token",
        ]
        read_only_fields = fields


class CasePlanSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    goals = PlanGoalSerializer(many=True, read_only=True)
    services = PlanServiceSerializer(many=True, read_only=True)
    status = _choice_text(CasePlan.Status, read_only=True)
    permanency_goal = _choice_text(CasePlan.PermanencyGoal, read_only=True)
    concurrent_goal = _choice_text(CasePlan.PermanencyGoal, read_only=True)
    edit_token = EditTokenField()

    class Meta:
        model = CasePlan
        fields = [
            "id",
            "case",
            "case_number",
            "version",
            "status",
            *services.PLAN_FIELDS,
            "author",
            "created_at",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "review_due_on",
            "edit_token",
            "goals",
            "services",
        ]
        read_only_fields = fields


class PlanCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A case the caller works on.")


class PlanUpdateSerializer(serializers.Serializer):
    family_participants = serializers.CharField(required=False, allow_blank=True)
    family_led = serializers.BooleanField(required=False)
    maternal_family_engaged = serializers.BooleanField(required=False)
    paternal_family_engaged = serializers.BooleanField(required=False)
    permanency_goal = _choice_text(CasePlan.PermanencyGoal, required=False, allow_blank=True)
    concurrent_goal = _choice_text(CasePlan.PermanencyGoal, required=False, allow_blank=True)
    edit_token = edit_token_input()


class GoalInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    responsible = serializers.CharField(max_length=200)
    target_date = serializers.DateField()


class ServiceInputSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=200)
    service_type = serializers.CharField(max_length=200)
    evidence_based = serializers.BooleanField(required=False, default=False)
    status = _choice_text(PlanService.Status, required=False, default=PlanService.Status.REFERRED)
    referred_on = serializers.DateField()
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    goal = serializers.IntegerField(required=False, allow_null=True)


class GoalProgressSerializer(serializers.Serializer):
    status = _choice_text(PlanGoal.Status)
    edit_token = edit_token_input()


class ServiceProgressSerializer(serializers.Serializer):
    status = _choice_text(PlanService.Status, required=False)
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    edit_token = edit_token_input()


class PlanDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed when returning (approve false)."
    )


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _progress_input(serializer_class, request) -> dict:
    """The validated progress fields; any other field is a 400 naming it."""
    unknown = sorted(set(request.data) - set(serializer_class().fields))
    if unknown:
        raise serializers.ValidationError(
            {name: ["This field cannot be changed here."] for name in unknown}
        )
    return _input(serializer_class, request)


def _answer(plan: CasePlan, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.plan_page_queryset().get(pk=plan.pk)
    return Response(CasePlanSerializer(fresh).data, status=code)


# --- views -------------------------------------------------------------------------------------


class CasePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Case plan versions on the caller's cases, newest first. Caseworkers start a version
    (POST), fill it in and submit it; the case's supervisor approves or returns it."""

    serializer_class = CasePlanSerializer

    def get_queryset(self):
        plans = selectors.plan_page_queryset(selectors.visible_plans(self.request.user)).order_by(
            "case_id", "-version"
        )
        params = self.request.query_params
        if params.get("case", "").isdigit():
            plans = plans.filter(case_id=int(params["case"]))
        if params.get("status") in CasePlan.Status.values:
            plans = plans.filter(status=params["status"])
        return plans

    def get_object(self):
        return access_object(
            selectors.plan_page_queryset(selectors.visible_plans(self.request.user)),
            self.kwargs["pk"],
        )

    def _to_change(self, pk) -> CasePlan:
        plan = access_object(selectors.visible_plans(self.request.user), pk)
        access_case(self.request.user, plan.case_id, "change")
        return plan

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only this case's plans."),
            OpenApiParameter(
                "status", str, description="Only this status: " + ", ".join(CasePlan.Status.values)
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        record_view(user=request.user, channel="api", case=plan.case)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=PlanCreateSerializer, responses={201: CasePlanSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(PlanCreateSerializer, request)
        case = access_case(request.user, data["case"], "change")
        plan = services.plan_start(case=case, actor=request.user)
        return _answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateSerializer, responses=CasePlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        plan = self._to_change(kwargs["pk"])
        unknown = sorted(set(request.data) - set(PlanUpdateSerializer().fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field cannot be changed here."] for name in unknown}
            )
        services.plan_update(plan=plan, actor=request.user, **_input(PlanUpdateSerializer, request))
        return _answer(plan)

    @extend_schema(request=GoalInputSerializer, responses={201: CasePlanSerializer})
    @action(detail=True, methods=["post"])
    def goals(self, request, pk=None):
        """Add a goal to a draft or returned plan."""
        plan = self._to_change(pk)
        services.goal_add(plan=plan, actor=request.user, **_input(GoalInputSerializer, request))
        return _answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=ServiceInputSerializer, responses={201: CasePlanSerializer})
    @action(detail=True, methods=["post"])
    def services(self, request, pk=None):
        """Add a service or referral to a draft or returned plan."""
        plan = self._to_change(pk)
        data = _input(ServiceInputSerializer, request)
        services.service_add(plan=plan, actor=request.user, **data)
        return _answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CasePlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a complete draft (or a corrected returned plan) to the supervisor."""
        plan = self._to_change(pk)
        services.plan_submit(plan=plan, actor=request.user)
        return _answer(plan)

    @extend_schema(request=PlanDecisionSerializer, responses=CasePlanSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The case's supervisor approves, or returns with a comment."""
        plan = access_object(selectors.visible_plans(request.user), pk)
        access_case(request.user, plan.case_id, "approve")
        data = _input(PlanDecisionSerializer, request)
        services.plan_decide(
            plan=plan, actor=request.user, approve=data["approve"], comment=data.get("comment", "")
        )
        return _answer(plan)


class PlanGoalViewSet(viewsets.GenericViewSet):
    """Goals of visible plans: record progress (PATCH {status}) and add a step."""

    serializer_class = PlanGoalSerializer

    def get_queryset(self):
        return PlanGoal.objects.filter(plan__in=selectors.visible_plans(self.request.user))

    @extend_schema(request=GoalProgressSerializer, responses=PlanGoalSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Record a goal's status (draft, returned or approved plan)."""
        goal = access_object(self.get_queryset(), kwargs["pk"])
        access_case(request.user, goal.plan.case_id, "change")
        data = _progress_input(GoalProgressSerializer, request)
        goal = services.goal_update(goal=goal, actor=request.user, **data)
        fresh = (
            with_edit_tokens(PlanGoal.objects.all())
            .prefetch_related(Prefetch("steps", queryset=with_edit_tokens(PlanStep.objects.all())))
            .get(pk=goal.pk)
        )
        return Response(PlanGoalSerializer(fresh).data)

    @extend_schema(request=GoalInputSerializer, responses={201: CasePlanSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Add a step to a goal of a draft or returned plan."""
        goal = access_object(self.get_queryset(), pk)
        access_case(request.user, goal.plan.case_id, "change")
        services.step_add(goal=goal, actor=request.user, **_input(GoalInputSerializer, request))
        return _answer(goal.plan, status.HTTP_201_CREATED)


class PlanStepViewSet(viewsets.GenericViewSet):
    """Steps of visible plans: record progress (PATCH {status})."""

    serializer_class = PlanStepSerializer

    def get_queryset(self):
        return PlanStep.objects.filter(
            goal__plan__in=selectors.visible_plans(self.request.user)
        ).select_related("goal__plan")

    @extend_schema(request=GoalProgressSerializer, responses=PlanStepSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Record a step's status (draft, returned or approved plan)."""
        step = access_object(self.get_queryset(), kwargs["pk"])
        access_case(request.user, step.goal.plan.case_id, "change")
        data = _progress_input(GoalProgressSerializer, request)
        step = services.step_update(step=step, actor=request.user, **data)
        return Response(PlanStepSerializer(step).data)


class PlanServiceViewSet(viewsets.GenericViewSet):
    """Services of visible plans: record progress (PATCH {status, started_on, ended_on})."""

    serializer_class = PlanServiceSerializer

    def get_queryset(self):
        return PlanService.objects.filter(
            plan__in=selectors.visible_plans(self.request.user)
        ).select_related("plan")

    @extend_schema(request=ServiceProgressSerializer, responses=PlanServiceSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Record a service's status and start and end dates (draft, returned or approved
        plan)."""
        service = access_object(self.get_queryset(), kwargs["pk"])
        access_case(request.user, service.plan.case_id, "change")
        data = _progress_input(ServiceProgressSerializer, request)
        service = services.service_update(service=service, actor=request.user, **data)
        return Response(PlanServiceSerializer(service).data)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("plans", CasePlanViewSet, basename="casework-plan")
    router.register("plan-goals", PlanGoalViewSet, basename="casework-plan-goal")
    router.register("plan-steps", PlanStepViewSet, basename="casework-plan-step")
    router.register("plan-services", PlanServiceViewSet, basename="casework-plan-service")
