"""Casework API: out-of-home placements and permanency decisions under /api/casework/.

- `GET placements/` (`?case=`, `?child=`, `?current=1`): placements on the cases the
  caller may see. `POST placements/`: record one. `GET placements/{id}/`: one placement
  (404 outside the caller's cases).
- `POST placements/{id}/end/`: end it (the child leaves care: `exit_reason` required).
  `POST placements/{id}/home-study/`: record the kin home-study referral.
  `POST placements/{id}/entered-in-error/`: take it out of every count (never deleted).
- `GET permanency-decisions/` (`?case=`, `?child=`), `POST permanency-decisions/`: the
  termination petition filed or the compelling reason not to file.

Writes go through casework.services.placements and need the "change" permission on the
case (403 for roles that only read); the services' rules answer 400 {field: [message]}.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from agency import clock
from agency.permissions import access_object
from casework import audit
from casework.models import CaseMember, PermanencyDecision, Person, Placement, RecordView
from casework.permissions import access_case
from casework.selectors import placements as selectors
from casework.selectors import rules
from casework.services import placements as services

urlpatterns: list = []


# --- serializers --------------------------------------------------------------------------


class PlacementSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    home_study_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id",
            "case",
            "case_number",
            "child",
            "child_name",
            "setting",
            "caregiver",
            "address",
            "start_date",
            "end_date",
            "reason",
            "end_reason",
            "exit_reason",
            "home_study_referred_on",
            "home_study_overdue",
            "entered_in_error",
        ]
        read_only_fields = fields

    def get_home_study_overdue(self, placement: Placement) -> bool:
        """An open unlicensed kin placement past the casework rules' days with no
        referral."""
        due_days = self.context.get("home_study_days")
        if due_days is None:
            due_days = rules().kin_home_study_days
        flag = selectors.home_study_flag(placement, today=clock.today(), due_days=due_days)
        return bool(flag and flag.overdue)


class PlacementStartSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    child = serializers.IntegerField(help_text="Person id of an active child of the case.")
    setting = serializers.ChoiceField(choices=Placement.Setting.choices)
    caregiver = serializers.CharField(allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(help_text="Not in the future.")
    reason = serializers.CharField(allow_blank=True)
    end_current = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A change of placement: end the child's open placement on this case the "
        "day this one starts.",
    )


class PlacementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    end_reason = serializers.CharField(allow_blank=True)
    exit_reason = serializers.ChoiceField(
        choices=Placement.ExitReason.choices,
        help_text="Why the child left care. A move to another placement is a change of "
        "placement (POST placements/ with end_current), not an end.",
    )


class HomeStudySerializer(serializers.Serializer):
    referred_on = serializers.DateField()


class PlacementEnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class PermanencyDecisionSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = PermanencyDecision
        fields = ["id", "case", "child", "child_name", "kind", "decided_on", "note", "recorded_by"]
        read_only_fields = fields

    def get_recorded_by(self, decision: PermanencyDecision) -> str:
        user = decision.recorded_by
        return user.get_full_name() or user.get_username()


class PermanencyDecisionCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    child = serializers.IntegerField(help_text="Person id of a child of the case.")
    kind = serializers.ChoiceField(choices=PermanencyDecision.Kind.choices)
    decided_on = serializers.DateField(help_text="Not in the future.")
    note = serializers.CharField(allow_blank=True)


# --- helpers ----------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiValidationError({name: ["Give an id (a whole number)."]}) from None


def _child_on_case(case, person_id: int) -> Person:
    """A child of the case; an id from elsewhere is not named."""
    child = Person.objects.filter(
        pk=person_id, case_memberships__case=case, case_memberships__role=CaseMember.Role.CHILD
    ).first()
    if child is None:
        raise ApiValidationError({"child": [f"Not a child on this case: person {person_id}."]})
    return child


_FILTERS = [
    OpenApiParameter("case", int, description="Only this case."),
    OpenApiParameter("child", int, description="Only this child (person id)."),
]


# --- placements -------------------------------------------------------------------------------


class PlacementViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Out-of-home placements on the cases the caller may see. Placements are never
    deleted: a wrong one is marked entered in error."""

    serializer_class = PlacementSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        placements = (
            selectors.visible_placements(self.request.user)
            .select_related("case", "child")
            .order_by("-start_date", "-pk")
        )
        if self.action == "list":
            case_id = _int_param(self.request, "case")
            if case_id is not None:
                placements = placements.filter(case_id=case_id)
            child_id = _int_param(self.request, "child")
            if child_id is not None:
                placements = placements.filter(child_id=child_id)
            if self.request.query_params.get("current") in ("1", "true"):
                placements = placements.filter(end_date__isnull=True, entered_in_error=False)
        return placements

    def get_serializer_context(self):
        return super().get_serializer_context() | {"home_study_days": rules().kin_home_study_days}

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _for_change(self, pk) -> Placement:
        placement = access_object(selectors.visible_placements(self.request.user), pk)
        access_case(self.request.user, placement.case_id, "change")
        return placement

    def _fresh(self, pk, status: int = 200) -> Response:
        placement = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(placement).data, status=status)

    @extend_schema(
        parameters=[
            *_FILTERS,
            OpenApiParameter(
                "current", int, enum=[1], description="1: only open placements (not in error)."
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        placement = self.get_object()
        audit.record_view(user=request.user, case=placement.case, channel=RecordView.Channel.API)
        return Response(self.get_serializer(placement).data)

    @extend_schema(
        request=PlacementStartSerializer,
        responses={201: PlacementSerializer},
        description="Record a placement of an active child of an open case (not in the "
        "future; one placement at a time), or with end_current a change of placement.",
    )
    def create(self, request, *args, **kwargs):
        data = PlacementStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = access_case(request.user, values["case"], "change")
        child = _child_on_case(case, values["child"])
        fields = {
            "actor": request.user,
            "setting": values["setting"],
            "caregiver": values["caregiver"],
            "address": values["address"],
            "start_date": values["start_date"],
            "reason": values["reason"],
        }
        current = (
            Placement.objects.filter(
                case=case, child=child, end_date__isnull=True, entered_in_error=False
            ).first()
            if values["end_current"]
            else None
        )
        if current is not None:
            placement = services.placement_change(current=current, **fields)
        else:
            placement = services.placement_start(case=case, child=child, **fields)
        return self._fresh(placement.pk, status=201)

    @extend_schema(
        request=PlacementEndSerializer,
        responses=PlacementSerializer,
        description="End an open placement with no placement following (the child leaves "
        "care): on or after its start, not in the future, with the reason and the exit reason.",
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        placement = self._for_change(pk)
        data = PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.placement_end(placement=placement, actor=request.user, **data.validated_data)
        return self._fresh(placement.pk)

    @extend_schema(
        request=HomeStudySerializer,
        responses=PlacementSerializer,
        description="Record the day an unlicensed kin caregiver was referred for a home "
        "study (not before the placement, not in the future).",
    )
    @action(detail=True, methods=["post"], url_path="home-study")
    def home_study(self, request, pk=None):
        placement = self._for_change(pk)
        data = HomeStudySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.placement_record_home_study_referral(
            placement=placement, actor=request.user, **data.validated_data
        )
        return self._fresh(placement.pk)

    @extend_schema(
        request=PlacementEnteredInErrorSerializer,
        responses=PlacementSerializer,
        description="Mark a placement entered in error: it stays in the record, with the "
        "reason, and stops counting towards days in care and the flags.",
    )
    @action(detail=True, methods=["post"], url_path="entered-in-error")
    def entered_in_error(self, request, pk=None):
        placement = self._for_change(pk)
        data = PlacementEnteredInErrorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.placement_mark_entered_in_error(
            placement=placement, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._fresh(placement.pk)


# --- permanency decisions ---------------------------------------------------------------------


class PermanencyDecisionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Termination petitions filed and compelling reasons not to file, for children in
    care 15 of the last 22 months, on the cases the caller may see."""

    serializer_class = PermanencyDecisionSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        decisions = (
            selectors.visible_permanency_decisions(self.request.user)
            .select_related("child", "recorded_by")
            .order_by("-decided_on", "-pk")
        )
        if self.action == "list":
            case_id = _int_param(self.request, "case")
            if case_id is not None:
                decisions = decisions.filter(case_id=case_id)
            child_id = _int_param(self.request, "child")
            if child_id is not None:
                decisions = decisions.filter(child_id=child_id)
        return decisions

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PermanencyDecisionCreateSerializer,
        responses={201: PermanencyDecisionSerializer},
        description="Record the termination petition filed or the compelling reason not "
        "to file (note required; not in the future).",
    )
    def create(self, request, *args, **kwargs):
        data = PermanencyDecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = access_case(request.user, values["case"], "change")
        decision = services.permanency_decision_record(
            case=case,
            actor=request.user,
            child=_child_on_case(case, values["child"]),
            kind=values["kind"],
            decided_on=values["decided_on"],
            note=values["note"],
        )
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data, status=201)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("placements", PlacementViewSet, basename="casework-placement")
    router.register(
        "permanency-decisions", PermanencyDecisionViewSet, basename="casework-permanency-decision"
    )
