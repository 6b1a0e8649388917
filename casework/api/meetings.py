"""Casework API: family team meetings under /api/casework/.

- `GET meetings/` (`?case=`, `?child=`, `?kind=`, `?status=`): meetings on the cases the
  caller may see, latest first, with the people invited. `POST meetings/`: schedule
  one. `GET meetings/{id}/`: one meeting (404 outside the caller's cases).
  `PATCH meetings/{id}/`: change a scheduled meeting's details, with the `version` read.
- `POST meetings/{id}/participants/`: invite people (`invitees`: a person on the case
  with their relation, or a name with a relation). `DELETE
  meetings/{id}/participants/{participant_id}/`: take one off the invitations.
- `POST meetings/{id}/record/`: held, with `held_at`, who `attended` (participant ids),
  decisions, safety discussion, conditions for return home, plan changes.
  `POST meetings/{id}/cancel/`: cancelled, with the `reason`.
- `GET meetings/due/?case=`: every meeting the due rules ask for on a case, with its
  state, due day and the rule in words.

Every change carries the meeting's `version` (the record and cancel actions and PATCH
require it): a change made on an older version is refused (400 `{"version": [...]}`)
and nothing is saved. Writes go through casework.services.meetings and need the
"change" permission on the case (403 for roles that only read); the services' rules
answer 400 with a field map.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from agency import clock
from agency.permissions import access_object
from casework import audit
from casework.models import (
    CaseMember,
    FamilyMeeting,
    MeetingParticipant,
    Person,
    Placement,
    RecordView,
)
from casework.permissions import access_case
from casework.selectors import meetings as selectors
from casework.services import meetings as services

urlpatterns: list = []


# --- serializers -----------------------------------------------------------------------------


class MeetingParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingParticipant
        fields = ["id", "person", "name", "relation", "invited_on", "attended"]
        read_only_fields = fields


class FamilyMeetingSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    child_name = serializers.SerializerMethodField()
    participants = MeetingParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = FamilyMeeting
        fields = [
            "id",
            "version",
            "case",
            "case_number",
            "kind",
            "kind_label",
            "status",
            "child",
            "child_name",
            "placement",
            "scheduled_for",
            "location",
            "facilitator",
            "purpose",
            "held_at",
            "decisions",
            "safety_discussion",
            "conditions_for_return",
            "plan_changes",
            "cancel_reason",
            "recorded_by",
            "created_at",
            "participants",
        ]
        read_only_fields = fields

    def get_child_name(self, meeting: FamilyMeeting) -> str:
        return meeting.child.full_name if meeting.child else ""


class MeetingDetailsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FamilyMeeting.Kind.choices)
    scheduled_for = serializers.DateTimeField(
        allow_null=True, help_text="ISO 8601 with offset; a time past records one after the fact."
    )
    child = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Person id of a child of the case: required for an FTDM and a shared "
        "planning meeting.",
    )
    placement = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="FTDM only: the placement (id) it decides on or follows.",
    )
    location = serializers.CharField(required=False, allow_blank=True, default="")
    facilitator = serializers.IntegerField(
        required=False, allow_null=True, help_text="User id of a member of casework staff."
    )
    purpose = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingCreateSerializer(MeetingDetailsSerializer):
    case = serializers.IntegerField(help_text="A case the caller works on.")


class MeetingUpdateSerializer(MeetingDetailsSerializer):
    """Changed details only, with the `version` you read."""

    version = serializers.IntegerField(min_value=1, help_text="The meeting's `version` as read.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
                field.default = serializers.empty


class InviteeSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False, allow_null=True, help_text="Person id of someone on the case."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, help_text="For someone not on the case."
    )
    relation = serializers.ChoiceField(choices=MeetingParticipant.Relation.choices)
    invited_on = serializers.DateField(required=False, help_text="Today by default.")


class InviteSerializer(serializers.Serializer):
    invitees = InviteeSerializer(many=True)
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The meeting's `version` as read (optional)."
    )


class MeetingRecordSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    held_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    attended = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Participant ids of those who came; the others are recorded as not.",
    )
    decisions = serializers.CharField(required=False, allow_blank=True, default="")
    safety_discussion = serializers.CharField(required=False, allow_blank=True, default="")
    conditions_for_return = serializers.CharField(required=False, allow_blank=True, default="")
    plan_changes = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingPlacementSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The meeting's `version` as read.")
    placement = serializers.IntegerField(
        allow_null=True,
        help_text="The placement (id) the FTDM decided on or followed; null takes the link off.",
    )


class MeetingCancelSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True)


class MeetingDueSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="ftdm, shared_planning or case_planning.")
    state = serializers.CharField(
        help_text="overdue, due_soon, later, held (on time), held_late, missed (an FTDM "
        "never held for a placement that ended)."
    )
    due_on = serializers.DateField()
    text = serializers.CharField()
    rule = serializers.CharField(help_text="The due rule, in words.")
    child = serializers.IntegerField(source="child_id", allow_null=True)
    placement = serializers.IntegerField(source="placement_id", allow_null=True)
    held_meeting = serializers.SerializerMethodField()
    scheduled_meeting = serializers.SerializerMethodField()

    def get_held_meeting(self, due) -> int | None:
        return due.held.pk if due.held else None

    def get_scheduled_meeting(self, due) -> int | None:
        return due.scheduled.pk if due.scheduled else None


# --- helpers ---------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiValidationError({name: ["Give an id (a whole number)."]}) from None


def _resolve(case, data: dict) -> dict:
    """Ids in the input as the records the service takes; an id from elsewhere is 400."""
    fields = {}
    errors = {}
    if "child" in data:
        fields["child"] = None
        if data["child"] is not None:
            child = Person.objects.filter(
                pk=data["child"],
                case_memberships__case=case,
                case_memberships__role=CaseMember.Role.CHILD,
            ).first()
            if child is None:
                errors["child"] = [f"Not a child on this case: person {data['child']}."]
            fields["child"] = child
    if "placement" in data:
        fields["placement"] = None
        if data["placement"] is not None:
            placement = Placement.objects.filter(pk=data["placement"], case=case).first()
            if placement is None:
                errors["placement"] = [f"Not a placement of this case: {data['placement']}."]
            fields["placement"] = placement
    if "facilitator" in data:
        fields["facilitator"] = None
        if data["facilitator"] is not None:
            user = get_user_model().objects.filter(pk=data["facilitator"]).first()
            if user is None:
                errors["facilitator"] = ["Choose a member of casework staff to facilitate."]
            fields["facilitator"] = user
    if errors:
        raise ApiValidationError(errors)
    for name in ("kind", "scheduled_for", "location", "purpose"):
        if name in data:
            fields[name] = data[name]
    return fields


def _input(serializer_class, request, data=None) -> dict:
    serializer = serializer_class(data=request.data if data is None else data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_FILTERS = [
    OpenApiParameter("case", int, description="Only this case."),
    OpenApiParameter("child", int, description="Only this child (person id)."),
    OpenApiParameter("kind", str, enum=FamilyMeeting.Kind.values, description="Only this kind."),
    OpenApiParameter(
        "status", str, enum=FamilyMeeting.Status.values, description="Only this status."
    ),
]


# --- the endpoints ---------------------------------------------------------------------------


class FamilyMeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Family team meetings on the cases the caller may see: Family Team Decision
    Making, shared planning, case-planning meetings with the family, child and family
    team meetings, family conferences. Never deleted: a meeting not held is cancelled."""

    serializer_class = FamilyMeetingSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        meetings = (
            selectors.visible_meetings(self.request.user)
            .select_related("case", "child")
            .prefetch_related(
                Prefetch("participants", queryset=MeetingParticipant.objects.order_by("pk"))
            )
            .order_by("-scheduled_for", "-pk")
        )
        if self.action == "list":
            for name in ("case", "child"):
                value = _int_param(self.request, name)
                if value is not None:
                    meetings = meetings.filter(**{f"{name}_id": value})
            params = self.request.query_params
            if params.get("kind") in FamilyMeeting.Kind.values:
                meetings = meetings.filter(kind=params["kind"])
            if params.get("status") in FamilyMeeting.Status.values:
                meetings = meetings.filter(status=params["status"])
        return meetings

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    def _to_change(self, pk) -> FamilyMeeting:
        meeting = access_object(selectors.visible_meetings(self.request.user), pk)
        access_case(self.request.user, meeting.case_id, "change")
        return meeting

    def _answer(self, pk, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        audit.record_view(user=request.user, case=meeting.case, channel=RecordView.Channel.API)
        return Response(self.get_serializer(meeting).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: FamilyMeetingSerializer})
    def create(self, request, *args, **kwargs):
        """Schedule a meeting on an open case."""
        data = _input(MeetingCreateSerializer, request)
        case = access_case(request.user, data.pop("case"), "change")
        meeting = services.meeting_schedule(case=case, actor=request.user, **_resolve(case, data))
        return self._answer(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=FamilyMeetingSerializer)
    def partial_update(self, request, pk=None):
        """Change a scheduled meeting's details: send what changes and the `version`."""
        meeting = self._to_change(pk)
        data = _input(MeetingUpdateSerializer, request)
        version = data.pop("version")
        services.meeting_update(
            meeting=meeting, actor=request.user, version=version, **_resolve(meeting.case, data)
        )
        return self._answer(meeting.pk)

    @extend_schema(request=InviteSerializer, responses={201: FamilyMeetingSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Invite people to a scheduled meeting: all of them, or none when one is wrong."""
        meeting = self._to_change(pk)
        data = _input(InviteSerializer, request)
        people = {
            p.pk: p
            for p in Person.objects.filter(
                pk__in=[i["person"] for i in data["invitees"] if i.get("person")]
            )
        }
        invitees = []
        for row in data["invitees"]:
            person_id = row.get("person")
            if person_id and person_id not in people:
                raise ApiValidationError({"invitees": [f"Not on this case: person {person_id}."]})
            invitees.append(
                {
                    "person": people.get(person_id) if person_id else None,
                    "name": row.get("name", ""),
                    "relation": row["relation"],
                    "invited_on": row.get("invited_on") or clock.today(),
                }
            )
        services.meeting_invite(
            meeting=meeting, actor=request.user, invitees=invitees, version=data.get("version")
        )
        return self._answer(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FamilyMeetingSerializer)
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"participants/(?P<participant_id>\d+)",
        url_name="participant",
    )
    def remove_participant(self, request, pk=None, participant_id=None):
        """Take someone off a scheduled meeting's invitations."""
        meeting = self._to_change(pk)
        participant = access_object(
            MeetingParticipant.objects.filter(meeting=meeting), participant_id
        )
        services.meeting_uninvite(participant=participant, actor=request.user)
        return self._answer(meeting.pk)

    @extend_schema(request=MeetingRecordSerializer, responses=FamilyMeetingSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record a scheduled meeting as held."""
        meeting = self._to_change(pk)
        data = _input(MeetingRecordSerializer, request)
        services.meeting_record(meeting=meeting, actor=request.user, **data)
        return self._answer(meeting.pk)

    @extend_schema(request=MeetingPlacementSerializer, responses=FamilyMeetingSerializer)
    @action(detail=True, methods=["post"])
    def placement(self, request, pk=None):
        """Link an FTDM, scheduled or already held, to the placement it decided on or
        followed (an FTDM held before the move is often recorded before the placement)."""
        meeting = self._to_change(pk)
        data = _input(MeetingPlacementSerializer, request)
        version = data.pop("version")
        services.meeting_link_placement(
            meeting=meeting,
            actor=request.user,
            version=version,
            placement=_resolve(meeting.case, data)["placement"],
        )
        return self._answer(meeting.pk)

    @extend_schema(request=MeetingCancelSerializer, responses=FamilyMeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a scheduled meeting, saying why."""
        meeting = self._to_change(pk)
        data = _input(MeetingCancelSerializer, request)
        services.meeting_cancel(
            meeting=meeting, actor=request.user, version=data["version"], reason=data["reason"]
        )
        return self._answer(meeting.pk)

    @extend_schema(
        parameters=[OpenApiParameter("case", int, required=True, description="The case.")],
        responses=MeetingDueSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def due(self, request):
        """Every meeting the due rules ask for on a case, in due order."""
        case_id = _int_param(request, "case")
        if case_id is None:
            raise ApiValidationError({"case": ["Give the case id."]})
        case = access_case(request.user, case_id)
        dues = selectors.case_meetings_context(case, user=request.user, today=clock.today())
        return Response(MeetingDueSerializer(dues["meetings_dues"], many=True).data)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("meetings", FamilyMeetingViewSet, basename="casework-meeting")
