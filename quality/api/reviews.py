"""The case-review and Administrative Case Review API under /api/quality/.

/api/quality/reviews/                 GET the reviews (?mine=1, ?sample=, ?status=, ?office=)
/api/quality/reviews/{id}/            GET one, with its ratings and outcome roll-ups;
                                      PATCH {version, ratings: [{item, rating, rationale}]}
/api/quality/reviews/{id}/complete/   POST {version}: once every item is rated
/api/quality/reviews/{id}/assign/     POST {reviewer, version}
/api/quality/reviews/results/         GET per outcome and item, the state with a row per
                                      office or (?office=) an office with a row per review
/api/quality/acr/                     GET the reviews held (?child=, ?case=); POST one
/api/quality/acr/due/                 GET children in care with their next review
                                      (?office=, ?show=due|overdue|upcoming|all)

For the "reviews" workspace: quality reviewers work, the Commissioner's office reads
(403 on writes), other roles get 403 on the lists and 404 on any review they name.
Writes go through quality.services; their ValidationErrors answer 400 {field: [message]}.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from agency import clock
from agency.api.permissions import HasRole
from agency.models import WorkLocation
from agency.permissions import access_object
from casework.models import CaseMember, Person
from casework.permissions import access_case
from quality import reviews as rules_
from quality.models import AdministrativeCaseReview, CaseReview, ItemRating
from quality.selectors import acr as acr_selectors
from quality.selectors import reviews as selectors
from quality.services import acr as acr_services
from quality.services import reviews as services

urlpatterns: list = []

OUTCOME_RATING_CHOICES = list(rules_.OUTCOME_LABELS.items())
SHOW_CHOICES = [key for key, _ in acr_selectors.SHOW_CHOICES]


def _name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class ReviewsPermission(HasRole):
    """Lists for the reviews workspace (403 otherwise); objects go to the gatekeeper
    (404 for reviews the caller may not see); writes need the quality reviewer's
    permissions (403 for the Commissioner's office)."""

    message = "Case reviews are the Office of Quality and Planning's work."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if view.detail:
            return True
        return selectors.can_see_reviews(request.user)


def _require_work(user, perm: str = "quality.change_casereview") -> None:
    if not (selectors.can_see_reviews(user) and user.has_perm(perm)):
        raise PermissionDenied("The Commissioner's office reads reviews; it does not change them.")


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiValidationError({name: ["Give an id (a whole number)."]}) from None


# --- serializers --------------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_name = serializers.CharField(source="case.name", read_only=True)
    office = serializers.IntegerField(source="case.unit.work_location_id", read_only=True)
    office_name = serializers.CharField(source="case.unit.work_location.name", read_only=True)
    reviewer_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseReview
        fields = [
            "id", "version", "status", "instrument", "sample", "case", "case_number",
            "case_name", "office", "office_name", "reviewer", "reviewer_name", "created_at",
            "completed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reviewer_name(self, review: CaseReview) -> str | None:
        return _name(review.reviewer)


class ItemRatingSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    questions = serializers.ListField(child=serializers.CharField())
    rating = serializers.ChoiceField(choices=ItemRating.Rating.choices, allow_null=True)
    rationale = serializers.CharField(allow_blank=True)


class OutcomeSheetSerializer(serializers.Serializer):
    outcome = serializers.IntegerField()
    code = serializers.CharField()
    statement = serializers.CharField()
    rating = serializers.ChoiceField(
        choices=OUTCOME_RATING_CHOICES,
        allow_null=True,
        help_text="The roll-up of its items; null while an item is unrated.",
    )
    items = ItemRatingSerializer(many=True)


class ReviewDetailSerializer(ReviewSerializer):
    """One review with the instrument's outcomes, each with its roll-up and its items'
    questions, ratings and rationales (rating null: not yet rated)."""

    outcomes = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "outcomes"]
        read_only_fields = fields

    @extend_schema_field(OutcomeSheetSerializer(many=True))
    def get_outcomes(self, review: CaseReview) -> list[dict]:
        return [
            {
                "outcome": row.outcome.pk,
                "code": row.outcome.code,
                "statement": row.outcome.statement,
                "rating": row.rating,
                "items": [
                    {
                        "item": item.item.pk,
                        "number": item.item.number,
                        "title": item.item.title,
                        "questions": item.questions,
                        "rating": item.rating.rating if item.rating else None,
                        "rationale": item.rating.rationale if item.rating else "",
                    }
                    for item in row.items
                ],
            }
            for row in selectors.review_sheet(review)
        ]


class RatingInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    rating = serializers.ChoiceField(choices=ItemRating.Rating.choices)
    rationale = serializers.CharField(allow_blank=True)


class ReviewRateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The review's version as you read it.")
    ratings = RatingInputSerializer(many=True, allow_empty=False)


class ReviewVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The review's version as you read it.")


class ReviewAssignSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(help_text="User id of an active quality reviewer.")
    version = serializers.IntegerField(help_text="The review's version as you read it.")


class OutcomeResultSerializer(serializers.Serializer):
    outcome = serializers.IntegerField(source="outcome.pk")
    code = serializers.CharField(source="outcome.code")
    substantially_achieved = serializers.IntegerField(
        source=f"counts.{rules_.SUBSTANTIALLY_ACHIEVED}"
    )
    partially_achieved = serializers.IntegerField(source=f"counts.{rules_.PARTIALLY_ACHIEVED}")
    not_achieved = serializers.IntegerField(source=f"counts.{rules_.NOT_ACHIEVED}")
    not_applicable = serializers.IntegerField(source=f"counts.{rules_.NOT_APPLICABLE}")
    applicable = serializers.IntegerField()
    percent = serializers.FloatField(
        allow_null=True, help_text="Per cent of applicable reviews substantially achieving it."
    )


class ItemResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    number = serializers.IntegerField(source="item.number")
    strengths = serializers.IntegerField()
    areas_needing_improvement = serializers.IntegerField(source="improvements")
    not_applicable = serializers.IntegerField()
    applicable = serializers.IntegerField()
    percent = serializers.FloatField(
        allow_null=True, help_text="Per cent of applicable ratings that are strengths."
    )


class ReviewResultsRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    id = serializers.SerializerMethodField(
        help_text="The office's id (state level) or the review's (office level); null for "
        "the total."
    )
    reviews = serializers.IntegerField()
    outcomes = OutcomeResultSerializer(many=True)
    items = ItemResultSerializer(many=True)

    def get_id(self, row) -> int | None:
        return row.key.pk if row.key is not None else None


class ReviewResultsSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(source="instrument.pk", allow_null=True)
    office = serializers.IntegerField(source="office.pk", allow_null=True, default=None)
    level = serializers.SerializerMethodField(help_text='"state" or "office".')
    total = ReviewResultsRowSerializer()
    rows = ReviewResultsRowSerializer(many=True)

    def get_level(self, page) -> str:
        return "office" if page.office else "state"


class ReviewResultsFilterSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(required=False)
    office = serializers.IntegerField(required=False)
    completed_from = serializers.DateField(required=False)
    completed_to = serializers.DateField(required=False)


# --- reviews -------------------------------------------------------------------------------


_REVIEW_FILTERS = [
    OpenApiParameter("mine", int, enum=[1], description="1: only the caller's unfinished reviews."),
    OpenApiParameter("sample", int, description="Only this sample."),
    OpenApiParameter("office", int, description="Only cases of this office."),
    OpenApiParameter("status", str, enum=CaseReview.Status.values),
]


class ReviewViewSet(viewsets.GenericViewSet):
    """Case reviews against an instrument: rate every item Strength, Area Needing
    Improvement or Not Applicable with a rationale, then complete."""

    permission_classes = [ReviewsPermission]
    serializer_class = ReviewSerializer
    queryset = CaseReview.objects.none()  # the schema's model; requests use the gatekeeper
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def _detail(self, review: CaseReview) -> Response:
        review = selectors.access_review(self.request.user, review.pk)
        return Response(ReviewDetailSerializer(review).data)

    def _review(self, pk) -> CaseReview:
        return selectors.access_review(self.request.user, pk)

    @extend_schema(parameters=_REVIEW_FILTERS, responses=ReviewSerializer(many=True))
    def list(self, request):
        reviews = selectors.review_list(request.user)
        if request.query_params.get("mine") in ("1", "true"):
            reviews = selectors.my_reviews(request.user)
        sample = _int_param(request, "sample")
        if sample is not None:
            reviews = reviews.filter(sample_id=sample)
        office = _int_param(request, "office")
        if office is not None:
            reviews = reviews.filter(case__unit__work_location_id=office)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in CaseReview.Status.values:
                raise ApiValidationError(
                    {"status": [f"One of {', '.join(CaseReview.Status.values)}."]}
                )
            reviews = reviews.filter(status=wanted)
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(responses=ReviewDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self._review(pk))

    @extend_schema(
        request=ReviewRateSerializer,
        responses=ReviewDetailSerializer,
        description="Rate items (some or all) with their rationale; send the `version` you "
        "read. A rating without a rationale, or an item of another instrument, is refused.",
    )
    def partial_update(self, request, pk=None):
        review = self._review(pk)
        _require_work(request.user)
        data = ReviewRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ratings = {r["item"]: (r["rating"], r["rationale"]) for r in values["ratings"]}
        review = services.review_rate(
            review=review, actor=request.user, version=values["version"], ratings=ratings
        )
        return self._detail(review)

    @extend_schema(request=ReviewVersionSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete the review once every item is rated (with the `version` you read)."""
        review = self._review(pk)
        _require_work(request.user)
        data = ReviewVersionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_complete(
            review=review, actor=request.user, version=data.validated_data["version"]
        )
        return self._detail(review)

    @extend_schema(request=ReviewAssignSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the review to a quality reviewer."""
        review = self._review(pk)
        _require_work(request.user)
        data = ReviewAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviewer = selectors.reviewers().filter(pk=data.validated_data["reviewer"]).first()
        if reviewer is None:
            raise ApiValidationError({"reviewer": ["Choose an active quality reviewer."]})
        review = services.review_assign(
            review=review,
            reviewer=reviewer,
            actor=request.user,
            version=data.validated_data["version"],
        )
        return self._detail(review)

    @extend_schema(parameters=[ReviewResultsFilterSerializer], responses=ReviewResultsSerializer)
    @action(detail=False, methods=["get"])
    def results(self, request):
        """Per outcome: counts and % substantially achieved; per item: % strengths of
        applicable ratings. The state with a row per office, or (?office=) one office
        with a row per review; the rows add up to the total."""
        data = ReviewResultsFilterSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "instrument" in values:
            instrument = selectors.ReviewInstrument.objects.filter(pk=values["instrument"]).first()
            if instrument is None:
                raise ApiValidationError({"instrument": ["No instrument has this id."]})
        else:
            instrument = selectors.default_instrument()
        office = None
        if "office" in values:
            office = WorkLocation.objects.filter(pk=values["office"]).first()
            if office is None:
                raise ApiValidationError({"office": ["No office has this id."]})
        page = selectors.review_results(
            request.user,
            instrument=instrument,
            office=office,
            completed_from=values.get("completed_from"),
            completed_to=values.get("completed_to"),
        )
        return Response(ReviewResultsSerializer(page).data)


# --- Administrative Case Reviews -----------------------------------------------------------


class AcrSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = AdministrativeCaseReview
        fields = [
            "id", "case", "case_number", "child", "child_name", "held_on", "participants",
            "parents_participated", "findings", "recorded_by", "recorded_by_name",
            "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recorded_by_name(self, review: AdministrativeCaseReview) -> str | None:
        return _name(review.recorded_by)


class AcrCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    child = serializers.IntegerField(help_text="Person id of a child in care on the case.")
    held_on = serializers.DateField(help_text="Not in the future.")
    participants = serializers.CharField(
        allow_blank=True, help_text="Who took part, one per line, with their role."
    )
    parents_participated = serializers.BooleanField(default=False)
    findings = serializers.CharField(allow_blank=True)


class AcrDueSerializer(serializers.Serializer):
    child = serializers.IntegerField(source="child.pk")
    child_name = serializers.CharField(source="child.full_name")
    case = serializers.IntegerField(source="case.pk")
    case_number = serializers.CharField(source="case.number")
    office = serializers.IntegerField(source="office.pk")
    office_name = serializers.CharField(source="office.name")
    entered_care_on = serializers.DateField(source="entered_on")
    last_held_on = serializers.DateField(source="last_held", allow_null=True)
    due_on = serializers.DateField()
    state = serializers.ChoiceField(choices=["overdue", "upcoming", "later"])
    days_left = serializers.IntegerField(source="days", help_text="Negative: days overdue.")


class AcrDueFilterSerializer(serializers.Serializer):
    office = serializers.IntegerField(required=False)
    show = serializers.ChoiceField(choices=SHOW_CHOICES, required=False, default="due")


class AcrViewSet(viewsets.GenericViewSet):
    """Administrative Case Reviews held, and the children in care with their next one."""

    permission_classes = [ReviewsPermission]
    serializer_class = AcrSerializer
    queryset = AdministrativeCaseReview.objects.none()
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[
            OpenApiParameter("child", int, description="Only this child (person id)."),
            OpenApiParameter("case", int, description="Only this case."),
        ],
        responses=AcrSerializer(many=True),
    )
    def list(self, request):
        reviews = acr_selectors.acr_list(request.user)
        child = _int_param(request, "child")
        if child is not None:
            reviews = reviews.filter(child_id=child)
        case = _int_param(request, "case")
        if case is not None:
            reviews = reviews.filter(case_id=case)
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(AcrSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(AcrSerializer(acr_selectors.access_acr(request.user, pk)).data)

    @extend_schema(request=AcrCreateSerializer, responses={201: AcrSerializer})
    def create(self, request):
        """Record a review held for a child in care on the case."""
        _require_work(request.user, "quality.add_administrativecasereview")
        data = AcrCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = access_case(request.user, values.pop("case"))
        child_id = values.pop("child")
        child = Person.objects.filter(
            pk=child_id, case_memberships__case=case, case_memberships__role=CaseMember.Role.CHILD
        ).first()
        if child is None:
            raise ApiValidationError({"child": [f"Not a child on this case: person {child_id}."]})
        review = acr_services.acr_record(actor=request.user, case=case, child=child, **values)
        return Response(
            AcrSerializer(acr_selectors.access_acr(request.user, review.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=[AcrDueFilterSerializer], responses=AcrDueSerializer(many=True))
    @action(detail=False, methods=["get"])
    def due(self, request):
        """Children in care with their next review's due day, soonest first."""
        data = AcrDueFilterSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        office = None
        if "office" in values:
            office = access_object(WorkLocation.objects.all(), values["office"])
        rows = acr_selectors.acr_due(
            request.user, today=clock.today(), office=office, show=values["show"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AcrDueSerializer(page, many=True).data)


def register(router) -> None:
    """Register this module's viewsets on the quality API router."""
    router.register("reviews", ReviewViewSet, basename="quality-review")
    router.register("acr", AcrViewSet, basename="quality-acr")
