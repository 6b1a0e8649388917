"""Casework API: supervision.

/api/casework/supervisory-reviews/                 list (the caller's visible cases; ?case=,
                                                   ?worker=, ?month=YYYY-MM), create
                                                   {case, held_on, worker, focus_areas,
                                                   discussion, clinical_guidance,
                                                   next_steps: [{description, owner, due_on}]}
/api/casework/supervisory-reviews/{id}/            retrieve (nested next steps); PATCH with
                                                   the `version` read (next_steps: changes,
                                                   see casework.services.supervision)
/api/casework/supervisory-reviews/{id}/acknowledge/  POST {comment, version}: the worker
/api/casework/next-steps/                          list: mine (?case= for a case's; ?open=true
                                                   for those not done)
/api/casework/next-steps/{id}/                     retrieve
/api/casework/next-steps/{id}/complete/            POST {done_on, note, version}: the owner
/api/casework/supervision-notes/                   list (?unit=), create {unit, kind, held_on,
                                                   attendees, topics, notes}
/api/casework/supervision-notes/{id}/              retrieve; PATCH with the `version` read

The same rules as the pages: reading needs the casework view permission of the record
(403 for the Ombudsman and OPM); a review or step of a case the caller may not see, or a
note of a unit they may not read, answers 404; recording a review needs the case's
supervisor, acknowledging the review's worker, completing a step its owner, writing notes
the unit's supervisor (403 otherwise). A bad field answers 400 with a field map; a bad
next step {"next_steps": [{}, {"owner": [...]}]}; nothing is saved.
"""

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from agency import clock
from agency.api.permissions import HasRole
from agency.permissions import access_object
from casework.audit import record_view
from casework.models import NextStep, SupervisionNote, SupervisoryReview
from casework.permissions import access_case
from casework.selectors import supervision as selectors
from casework.services import supervision as services

urlpatterns: list = []


class ReadsReviews(BasePermission):
    message = "Your role does not read supervisory reviews."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(selectors.VIEW_REVIEWS)


class ReadsNotes(BasePermission):
    message = "Your role does not read supervision notes."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(selectors.VIEW_NOTES)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- serializers -------------------------------------------------------------------------------


class NextStepSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text="open, overdue or done (as of today).")

    class Meta:
        model = NextStep
        fields = [
            "id",
            "review",
            "case",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "done_on",
            "done_note",
            "state",
            "version",
        ]
        read_only_fields = fields

    def get_owner_name(self, step) -> str:
        return _name(step.owner)

    def get_state(self, step) -> str:
        return selectors.step_state(step, today=self.context.get("today") or clock.today())


class SupervisoryReviewSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    supervisor_name = serializers.SerializerMethodField()
    worker_name = serializers.SerializerMethodField()
    focus_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=SupervisoryReview.Focus.choices), read_only=True
    )
    next_steps = NextStepSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisoryReview
        fields = [
            "id",
            "case",
            "case_number",
            "held_on",
            "supervisor",
            "supervisor_name",
            "worker",
            "worker_name",
            "focus_areas",
            "discussion",
            "clinical_guidance",
            "acknowledged_at",
            "worker_comment",
            "recorded_at",
            "version",
            "next_steps",
        ]
        read_only_fields = fields

    def get_supervisor_name(self, review) -> str:
        return _name(review.supervisor)

    def get_worker_name(self, review) -> str:
        return _name(review.worker)


class NextStepInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner = serializers.IntegerField(help_text="One of the case's workers, or the supervisor.")
    due_on = serializers.DateField()


class NextStepChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="A step of this review to change or remove; none to add one."
    )
    description = serializers.CharField(max_length=300, required=False)
    owner = serializers.IntegerField(required=False)
    due_on = serializers.DateField(required=False)
    remove = serializers.BooleanField(required=False, default=False)


class ReviewCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="A case the caller supervises.")
    held_on = serializers.DateField(help_text="Not in the future.")
    worker = serializers.IntegerField(
        required=False, help_text="One of the case's workers; the primary worker by default."
    )
    focus_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=SupervisoryReview.Focus.choices), allow_empty=False
    )
    discussion = serializers.CharField()
    clinical_guidance = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = NextStepInputSerializer(many=True, required=False, default=list)


class ReviewUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the review you read.")
    held_on = serializers.DateField(required=False)
    worker = serializers.IntegerField(required=False)
    focus_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=SupervisoryReview.Focus.choices),
        allow_empty=False,
        required=False,
    )
    discussion = serializers.CharField(required=False)
    clinical_guidance = serializers.CharField(required=False, allow_blank=True)
    next_steps = NextStepChangeSerializer(many=True, required=False)


class AcknowledgeSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False, help_text="The version you read: refused (400) if the review changed."
    )


class CompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text="Not in the future; today by default.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    version = serializers.IntegerField(required=False)


class SupervisionNoteSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    supervisor_name = serializers.SerializerMethodField()
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SupervisionNote
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "held_on",
            "supervisor",
            "supervisor_name",
            "attendees",
            "topics",
            "notes",
            "recorded_at",
            "version",
        ]
        read_only_fields = fields

    def get_supervisor_name(self, note) -> str:
        return _name(note.supervisor)


class NoteCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="A unit the caller supervises.")
    kind = serializers.ChoiceField(choices=SupervisionNote.Kind.choices)
    held_on = serializers.DateField(help_text="Not in the future.")
    attendees = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list,
        help_text="Members of the unit.",
    )  # fmt: skip
    topics = serializers.CharField(max_length=300)
    notes = serializers.CharField()


class NoteUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version of the notes you read.")
    kind = serializers.ChoiceField(choices=SupervisionNote.Kind.choices, required=False)
    held_on = serializers.DateField(required=False)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False)
    topics = serializers.CharField(max_length=300, required=False)
    notes = serializers.CharField(required=False)


def _input(serializer_class, request) -> dict:
    unknown = sorted(set(request.data) - set(serializer_class().fields))
    if unknown:
        raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _call(service, *, steps: int = 0, **kwargs):
    """Call a service; its `next_steps.<i>.<field>` errors become DRF's nested shape
    ({"next_steps": [{}, {"owner": [...]}]}), the rest a field map as usual."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        flat: dict = {}
        rows: dict[int, dict] = defaultdict(dict)
        for key, messages in exc.message_dict.items():
            if key.startswith("next_steps."):
                _, index, name = key.split(".", 2)
                rows[int(index)][name] = messages
            else:
                flat["non_field_errors" if key == "__all__" else key] = messages
        if rows:
            count = max(steps, max(rows) + 1)
            flat["next_steps"] = [rows.get(i, {}) for i in range(count)]
        raise serializers.ValidationError(flat) from exc


def _review_answer(review_id: int, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.review_queryset().get(pk=review_id)
    return Response(SupervisoryReviewSerializer(fresh).data, status=code)


# --- views -------------------------------------------------------------------------------------


class SupervisoryReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Monthly supervisory case reviews of the caller's cases, newest first, with their
    next steps. The case's supervisor records and changes them; the worker acknowledges."""

    serializer_class = SupervisoryReviewSerializer
    permission_classes = [HasRole, ReadsReviews]

    def get_queryset(self):
        reviews = selectors.review_queryset(selectors.visible_reviews(self.request.user)).order_by(
            "-held_on", "-pk"
        )
        params = self.request.query_params
        if params.get("case", "").isdigit():
            reviews = reviews.filter(case_id=int(params["case"]))
        if params.get("worker", "").isdigit():
            reviews = reviews.filter(worker_id=int(params["worker"]))
        month = params.get("month", "")
        if month:
            try:
                year, number = (int(part) for part in month.split("-"))
                first, last = selectors.month_bounds(date(year, number, 1))
            except ValueError:
                raise serializers.ValidationError(
                    {"month": ["Give the month as YYYY-MM."]}
                ) from None
            reviews = reviews.filter(held_on__range=(first, last))
        return reviews

    def get_object(self):
        return access_object(
            selectors.review_queryset(selectors.visible_reviews(self.request.user)),
            self.kwargs["pk"],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="Only this case's reviews."),
            OpenApiParameter("worker", int, description="Only reviews with this worker."),
            OpenApiParameter("month", str, description="Only reviews held in it (YYYY-MM)."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        review = self.get_object()
        record_view(user=request.user, channel="api", case=review.case)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ReviewCreateSerializer, responses={201: SupervisoryReviewSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(ReviewCreateSerializer, request)
        case = access_case(request.user, data.pop("case"))
        if not selectors.may_supervise(request.user, case):
            raise PermissionDenied("Only the case's supervisor records supervisory reviews.")
        steps = [dict(step) for step in data.pop("next_steps")]
        review = _call(
            services.review_record,
            steps=len(steps),
            case=case,
            actor=request.user,
            next_steps=steps,
            **data,
        )
        return _review_answer(review.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewUpdateSerializer, responses=SupervisoryReviewSerializer)
    def partial_update(self, request, *args, **kwargs):
        review = self.get_object()
        if not selectors.may_supervise(request.user, review.case):
            raise PermissionDenied("Only the case's supervisor changes supervisory reviews.")
        data = _input(ReviewUpdateSerializer, request)
        if "next_steps" in data:
            data["next_steps"] = [
                {k: v for k, v in dict(step).items() if k != "remove" or v}
                for step in data["next_steps"]
            ]
        version = data.pop("version")
        _call(
            services.review_update,
            steps=len(data.get("next_steps") or ()),
            review=review,
            actor=request.user,
            version=version,
            **data,
        )
        return _review_answer(review.pk)

    @extend_schema(request=AcknowledgeSerializer, responses=SupervisoryReviewSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The review's worker acknowledges it, with an optional comment."""
        review = self.get_object()
        if request.user.pk != review.worker_id:
            raise PermissionDenied("Only the review's worker acknowledges it.")
        data = _input(AcknowledgeSerializer, request)
        _call(services.review_acknowledge, review=review, actor=request.user, **data)
        return _review_answer(review.pk)


class NextStepViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Next steps agreed in supervisory reviews: the caller's own, or a case's (?case=),
    soonest first. The owner marks one done."""

    serializer_class = NextStepSerializer
    permission_classes = [HasRole, ReadsReviews]

    def get_queryset(self):
        user = self.request.user
        steps = selectors.visible_next_steps(user).select_related("owner").order_by("due_on", "pk")
        params = self.request.query_params
        if params.get("case", "").isdigit():
            steps = steps.filter(case_id=int(params["case"]))
        elif self.action == "list":
            steps = steps.filter(owner=user)
        if params.get("open") in ("true", "1"):
            steps = steps.filter(done_on__isnull=True)
        return steps

    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": clock.today()}

    @extend_schema(
        parameters=[
            OpenApiParameter("case", int, description="This case's steps (else: the caller's)."),
            OpenApiParameter("open", bool, description="Only steps not done."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return access_object(
            selectors.visible_next_steps(self.request.user).select_related("owner"),
            self.kwargs["pk"],
        )

    @extend_schema(request=CompleteSerializer, responses=NextStepSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The step's owner marks it done."""
        step = self.get_object()
        if request.user.pk != step.owner_id:
            raise PermissionDenied("Only the step's owner marks it done.")
        data = _input(CompleteSerializer, request)
        step = _call(services.next_step_complete, step=step, actor=request.user, **data)
        fresh = NextStep.objects.select_related("owner").get(pk=step.pk)
        return Response(NextStepSerializer(fresh, context=self.get_serializer_context()).data)


class SupervisionNoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reflective and group supervision notes of the units the caller belongs to,
    supervises, or (area administrators) whose office they run. The unit's supervisor
    records and changes them."""

    serializer_class = SupervisionNoteSerializer
    permission_classes = [HasRole, ReadsNotes]

    def get_queryset(self):
        notes = selectors.note_queryset(selectors.visible_notes(self.request.user)).order_by(
            "-held_on", "-pk"
        )
        unit = self.request.query_params.get("unit", "")
        if unit.isdigit():
            notes = notes.filter(unit_id=int(unit))
        return notes

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, description="Only this unit's notes.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        return selectors.access_note(self.request.user, self.kwargs["pk"])

    def _answer(self, note_id: int, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.note_queryset().get(pk=note_id)
        return Response(SupervisionNoteSerializer(fresh).data, status=code)

    @extend_schema(request=NoteCreateSerializer, responses={201: SupervisionNoteSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(NoteCreateSerializer, request)
        unit = selectors.access_note_unit(request.user, data.pop("unit"))
        if not selectors.may_write_notes(request.user, unit):
            raise PermissionDenied("Only the unit's supervisor records its supervision notes.")
        note = _call(services.note_record, unit=unit, actor=request.user, **data)
        return self._answer(note.pk, status.HTTP_201_CREATED)

    @extend_schema(request=NoteUpdateSerializer, responses=SupervisionNoteSerializer)
    def partial_update(self, request, *args, **kwargs):
        note = self.get_object()
        if not selectors.may_write_notes(request.user, note.unit):
            raise PermissionDenied("Only the unit's supervisor changes its supervision notes.")
        data = _input(NoteUpdateSerializer, request)
        version = data.pop("version")
        _call(services.note_update, note=note, actor=request.user, version=version, **data)
        return self._answer(note.pk)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register(
        "supervisory-reviews", SupervisoryReviewViewSet, basename="casework-supervisory-review"
    )
    router.register("next-steps", NextStepViewSet, basename="casework-next-step")
    router.register(
        "supervision-notes", SupervisionNoteViewSet, basename="casework-supervision-note"
    )
