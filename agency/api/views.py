from datetime import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import calendar, selectors, services
from agency.api import serializers
from agency.api.permissions import HasModelPermission, HasRole
from agency.models import ClosureDay, Region, WorkLocation
from agency.permissions import access_notification, access_unit, user_role


class MeView(APIView):
    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        user = request.user
        profile = getattr(user, "staff", None)
        role = user_role(user)
        data = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.get_full_name(),
            "email": user.email,
            "role": role.value if role else None,
            "role_label": role.label if role else None,
            "work_location": profile.work_location.name if profile else None,
            "unit": profile.unit.name if profile and profile.unit else None,
        }
        return Response(serializers.MeSerializer(data).data)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer


class WorkLocationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WorkLocation.objects.select_related("region").order_by("name")
    serializer_class = serializers.WorkLocationSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units in the caller's scope (their unit, the units they supervise or administer)
    and units shared with them; any other id answers 404."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self):
        return selectors.visible_units(self.request.user)

    def get_object(self):
        return access_unit(self.request.user, self.kwargs["pk"])


class ClosureDayViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Days the agency is closed. Anyone with a role reads them; adding and removing
    need the `agency.add_closureday` / `agency.delete_closureday` permissions (system
    administrators). Deadlines computed afterwards skip the closed days."""

    queryset = ClosureDay.objects.all()
    serializer_class = serializers.ClosureDaySerializer
    permission_classes = [HasRole, HasModelPermission]
    required_permissions = {"POST": "agency.add_closureday", "DELETE": "agency.delete_closureday"}
    lookup_field = "date"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    def perform_create(self, serializer):
        serializer.instance = services.closure_day_add(
            day=serializer.validated_data["date"],
            reason=serializer.validated_data["reason"],
            actor=self.request.user,
        )

    def destroy(self, request, date: str):
        try:
            day = datetime.strptime(date, "%Y-%m-%d").date()
        except ValueError:
            raise NotFound from None
        if not ClosureDay.objects.filter(date=day).exists():
            raise NotFound
        services.closure_day_remove(day=day, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    parameters=[serializers.DeadlineQuerySerializer],
    responses=serializers.DeadlineSerializer,
    description="Compute a deadline on the agency calendar and explain it step by step.",
)
@api_view(["GET"])
def deadline(request):
    query = serializers.DeadlineQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    cal = selectors.business_calendar()
    start = query.validated_data["start"]
    hours = query.validated_data.get("business_hours")
    due_at, explanation = calendar.deadline(
        cal,
        start,
        business_days=query.validated_data.get("business_days"),
        business_hours=None if hours is None else float(hours),
    )
    return Response(
        serializers.DeadlineSerializer(
            {"start": start, "due_at": due_at, "explanation": explanation}
        ).data
    )


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications; anyone else's id answers 404."""

    serializer_class = serializers.NotificationSerializer

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in {"1", "true"}
        return selectors.inbox(self.request.user, unread_only=unread)

    def get_object(self):
        return access_notification(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = access_notification(request.user, pk, "change")
        services.notification_mark_read(notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})
