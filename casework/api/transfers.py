"""Casework API: case transfers between units or offices.

/api/casework/transfers/              GET (?box=incoming|outgoing, ?status=, ?case=); POST
                                      {case, to_unit, new_case_type, summary}: the case's
                                      supervisor requests a transfer
/api/casework/transfers/{id}/         GET the transfer (with the case summary for the
                                      receiving supervisor while it waits)
/api/casework/transfers/{id}/accept/  POST {version, new_primary_worker, comment}
/api/casework/transfers/{id}/decline/ POST {version, comment}
/api/casework/transfers/{id}/withdraw/ POST {version}

The same gatekeeper as the pages (casework.selectors.transfers): a transfer the caller
may not see answers 404, a decision by anyone but the receiving supervisor (or the
sender, for a withdrawal) 403. Every decision carries the `version` read; a stale one is
400 {"version": [...]} with nothing changed.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agency.models import Unit
from casework.audit import record_view
from casework.models import Case, CaseTransfer
from casework.permissions import access_case
from casework.selectors import transfers as selectors
from casework.services import transfers as services

User = get_user_model()
urlpatterns: list = []


# --- serializers -------------------------------------------------------------------------------


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class CaseTransferSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=CaseTransfer.Status.choices, read_only=True)
    new_case_type = serializers.CharField(
        read_only=True,
        help_text="The case type on acceptance (empty: unchanged). One of: "
        + ", ".join(Case.Type.values),
    )
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_name = serializers.CharField(source="case.name", read_only=True)
    from_unit_name = serializers.CharField(source="from_unit.__str__", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.__str__", read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseTransfer
        fields = [
            "id", "version", "case", "case_number", "case_name", "from_unit", "from_unit_name",
            "to_unit", "to_unit_name", "new_case_type", "summary", "status", "requested_by",
            "requested_by_name", "requested_at", "decided_by", "decided_by_name", "decided_at",
            "decision_comment", "new_primary_worker",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by_name(self, transfer) -> str:
        return _name(transfer.requested_by)

    def get_decided_by_name(self, transfer) -> str | None:
        return _name(transfer.decided_by)


class CaseSummaryMemberSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.full_name")
    role = serializers.CharField()
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)


class CaseSummarySerializer(serializers.Serializer):
    """What the receiving supervisor reads before accepting."""

    case_type = serializers.CharField()
    opened_on = serializers.DateField()
    members = CaseSummaryMemberSerializer(many=True)
    children_in_care = serializers.ListField(child=serializers.CharField())
    plan_goals = serializers.ListField(child=serializers.CharField())


class CaseTransferDetailSerializer(CaseTransferSerializer):
    case_summary = serializers.SerializerMethodField(
        help_text="For the receiving supervisor while the transfer waits; null otherwise."
    )

    class Meta(CaseTransferSerializer.Meta):
        fields = [*CaseTransferSerializer.Meta.fields, "case_summary"]
        read_only_fields = fields

    @extend_schema_field(CaseSummarySerializer(allow_null=True))
    def get_case_summary(self, transfer) -> dict | None:
        summary = self.context.get("case_summary")
        if summary is None:
            return None
        case = transfer.case
        plan = summary["plan"]
        return CaseSummarySerializer(
            {
                "case_type": case.case_type,
                "opened_on": case.opened_on,
                "members": summary["members"],
                "children_in_care": [
                    f"{p.child.full_name}: {p.get_setting_display()} since {p.start_date}"
                    for p in summary["placements"]
                ],
                "plan_goals": [goal.description for goal in plan.goals.all()] if plan else [],
            }
        ).data


class TransferRequestSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    to_unit = serializers.IntegerField(help_text="Any active unit with a supervisor.")
    new_case_type = serializers.ChoiceField(
        choices=Case.Type.choices, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(
        allow_blank=True, help_text="Required: where the case stands, what is due next."
    )


class TransferAcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    new_primary_worker = serializers.IntegerField(help_text="A caseworker of the receiving unit.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TransferDeclineSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required: why (the sender is told).",
    )


class TransferWithdrawSerializer(serializers.Serializer):
    version = serializers.IntegerField()


def _input(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- views -------------------------------------------------------------------------------------


class CaseTransferViewSet(viewsets.GenericViewSet):
    """Transfers of cases between units or offices: requested by the sending
    supervisor, accepted or declined by the receiving one."""

    serializer_class = CaseTransferSerializer
    queryset = CaseTransfer.objects.none()  # the schema's model; requests use the gatekeeper
    http_method_names = ["get", "post", "head", "options"]

    def _detail(self, transfer_id, code=status.HTTP_200_OK) -> Response:
        user = self.request.user
        transfer = selectors.access_transfer(user, transfer_id)
        context = {}
        if (
            transfer.status == CaseTransfer.Status.REQUESTED
            and selectors.pending_transfer_for(user, transfer.case_id) is not None
        ):
            record_view(user=user, channel="api", case=transfer.case)
            context["case_summary"] = selectors.transfer_case_summary(transfer.case)
        return Response(CaseTransferDetailSerializer(transfer, context=context).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "box",
                str,
                enum=["incoming", "outgoing", "all"],
                description="incoming: to the units the caller supervises; outgoing: from "
                "them or asked by the caller; all (the default): every transfer they may see.",
            ),
            OpenApiParameter("status", str, enum=list(CaseTransfer.Status.values)),
            OpenApiParameter("case", int, description="Only this case's transfers."),
        ],
        responses=CaseTransferSerializer(many=True),
    )
    def list(self, request):
        """Transfers the caller may see, newest first."""
        params = request.query_params
        user = request.user
        box = params.get("box", "all")
        if box in ("incoming", "outgoing"):
            transfers = selectors.transfer_list(user, box=box, status=params.get("status", ""))
        else:
            transfers = selectors.transfer_queryset(selectors.visible_transfers(user)).order_by(
                "-requested_at", "-pk"
            )
            if params.get("status") in CaseTransfer.Status.values:
                transfers = transfers.filter(status=params["status"])
        if params.get("case", "").isdigit():
            transfers = transfers.filter(case_id=int(params["case"]))
        page = self.paginate_queryset(transfers)
        return self.get_paginated_response(CaseTransferSerializer(page, many=True).data)

    @extend_schema(responses=CaseTransferDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(request=TransferRequestSerializer, responses={201: CaseTransferDetailSerializer})
    def create(self, request):
        """The case's supervisor asks another unit to take the case."""
        data = _input(TransferRequestSerializer, request)
        case = access_case(request.user, data["case"], "approve")
        to_unit = Unit.objects.select_related("work_location").filter(pk=data["to_unit"]).first()
        if to_unit is None:
            raise serializers.ValidationError({"to_unit": ["No unit has this id."]})
        transfer = services.transfer_request(
            case=case,
            actor=request.user,
            to_unit=to_unit,
            summary=data["summary"],
            new_case_type=data.get("new_case_type", ""),
        )
        return self._detail(transfer.pk, status.HTTP_201_CREATED)

    def _to_decide(self, pk, check) -> CaseTransfer:
        transfer = selectors.access_transfer(self.request.user, pk)
        if transfer.status == CaseTransfer.Status.REQUESTED and not check(
            self.request.user, transfer
        ):
            raise PermissionDenied("You cannot decide this transfer.")
        return transfer

    @extend_schema(request=TransferAcceptSerializer, responses=CaseTransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The receiving supervisor accepts, naming the new primary worker."""
        transfer = self._to_decide(pk, selectors.receives)
        data = _input(TransferAcceptSerializer, request)
        worker = User.objects.select_related("staff").filter(pk=data["new_primary_worker"]).first()
        if worker is None:
            raise serializers.ValidationError({"new_primary_worker": ["No user has this id."]})
        services.transfer_accept(
            transfer=transfer,
            actor=request.user,
            version=data["version"],
            new_primary_worker=worker,
            comment=data["comment"],
        )
        return self._detail(transfer.pk)

    @extend_schema(request=TransferDeclineSerializer, responses=CaseTransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The receiving supervisor declines, saying why."""
        transfer = self._to_decide(pk, selectors.receives)
        data = _input(TransferDeclineSerializer, request)
        services.transfer_decline(
            transfer=transfer, actor=request.user, version=data["version"], comment=data["comment"]
        )
        return self._detail(transfer.pk)

    @extend_schema(request=TransferWithdrawSerializer, responses=CaseTransferDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The sender withdraws a request still waiting."""
        transfer = self._to_decide(pk, selectors.may_withdraw)
        data = _input(TransferWithdrawSerializer, request)
        services.transfer_withdraw(transfer=transfer, actor=request.user, version=data["version"])
        return self._detail(transfer.pk)


def register(router) -> None:
    router.register("transfers", CaseTransferViewSet, basename="casework-transfer")
