"""Reads for case reviews: who sees them, the eligible cases of a sample, the review page,
and the results per state and office with their drill-down.

Reviews are the work of the Office of Quality and Planning: quality reviewers, the
Commissioner's office (reading only) and superusers see every review; nobody else sees
any (the "reviews" workspace).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agency.models import WorkLocation
from agency.permissions import access_object, can_use_workspace
from agency.roles import Role
from casework.models import Case
from quality import reviews as rules_
from quality.acr import add_months
from quality.models import (
    CaseReview,
    ItemRating,
    ReviewInstrument,
    ReviewItem,
    ReviewOutcome,
    ReviewSample,
)

WORKSPACE = "reviews"


def can_see_reviews(user: Any) -> bool:
    return can_use_workspace(user, WORKSPACE)


def can_work_reviews(user: Any) -> bool:
    """Draws samples, assigns and rates: quality reviewers (and superusers). The
    Commissioner's office only reads."""
    return can_see_reviews(user) and user.has_perm("quality.change_casereview")


def reviewers() -> QuerySet:
    """Everyone who may be assigned a review: active quality reviewers."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff__role=Role.QUALITY_REVIEWER)
        .order_by("last_name", "first_name", "pk")
    )


# --- the gatekeeper ---------------------------------------------------------------------------


def visible_reviews(user: Any) -> QuerySet[CaseReview]:
    if not can_see_reviews(user):
        return CaseReview.objects.none()
    return CaseReview.objects.all()


def visible_samples(user: Any) -> QuerySet[ReviewSample]:
    if not can_see_reviews(user):
        return ReviewSample.objects.none()
    return ReviewSample.objects.all()


def access_review(user: Any, pk: Any) -> CaseReview:
    """One review the user may see, with what its page shows; 404 otherwise."""
    return access_object(
        visible_reviews(user).select_related(
            "instrument", "sample", "reviewer", "case__unit__work_location", "case__primary_worker"
        ),
        pk,
    )


def access_sample(user: Any, pk: Any) -> ReviewSample:
    return access_object(
        visible_samples(user).select_related("instrument", "work_location", "drawn_by"), pk
    )


# --- lists ---------------------------------------------------------------------------------------


def review_list(user: Any) -> QuerySet[CaseReview]:
    """Reviews as lists show them (case, office, reviewer, sample), newest first."""
    return (
        visible_reviews(user)
        .select_related("case__unit__work_location", "reviewer", "instrument", "sample")
        .order_by("-created_at", "-pk")
    )


def my_reviews(user: Any) -> QuerySet[CaseReview]:
    """The reviewer's own reviews still to finish, oldest first."""
    return (
        review_list(user)
        .filter(reviewer=user)
        .exclude(status=CaseReview.Status.COMPLETED)
        .order_by("created_at", "pk")
    )


def sample_list(user: Any) -> QuerySet[ReviewSample]:
    """Samples with how many reviews each has and how many are completed."""
    return (
        visible_samples(user)
        .select_related("instrument", "work_location", "drawn_by")
        .annotate(
            review_count=Count("reviews"),
            completed_count=Count("reviews", filter=Q(reviews__status=CaseReview.Status.COMPLETED)),
        )
        .order_by("-drawn_at", "-pk")
    )


def sample_reviews(sample: ReviewSample) -> QuerySet[CaseReview]:
    return (
        CaseReview.objects.filter(sample=sample)
        .select_related("case__unit__work_location", "case__primary_worker", "reviewer")
        .order_by("case__number", "pk")
    )


# --- sampling ----------------------------------------------------------------------------------


def lookback_start(*, now: datetime, months: int) -> datetime:
    """The instant from which a completed review keeps a case out of samples."""
    local = timezone.localtime(now).date()
    first = add_months(local, -months)
    return timezone.make_aware(datetime.combine(first, time.min))


def eligible_cases(
    *, work_location: WorkLocation, case_type: str, now: datetime, lookback_months: int
) -> QuerySet[Case]:
    """Open cases of the office and type with no review completed within the lookback."""
    recent = CaseReview.objects.filter(
        case=OuterRef("pk"),
        status=CaseReview.Status.COMPLETED,
        completed_at__gte=lookback_start(now=now, months=lookback_months),
    )
    return Case.objects.filter(
        status=Case.Status.OPEN, unit__work_location=work_location, case_type=case_type
    ).exclude(Exists(recent))


# --- one review --------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: ReviewItem
    questions: list[str]
    rating: ItemRating | None


@dataclass
class OutcomeRow:
    outcome: ReviewOutcome
    items: list[ItemRow]
    rating: str | None

    @property
    def label(self) -> str:
        return rules_.OUTCOME_LABELS.get(self.rating or "", "Not yet rated")


def instrument_outcomes(instrument: ReviewInstrument) -> list[ReviewOutcome]:
    """The instrument's outcomes in order, each with its items (two queries)."""
    return list(
        ReviewOutcome.objects.filter(instrument=instrument)
        .order_by("order", "code")
        .prefetch_related("items")
    )


def review_sheet(review: CaseReview) -> list[OutcomeRow]:
    """The review's instrument, outcome by outcome, with each item's questions, the
    rating given so far and the outcome's roll-up. Three queries."""
    ratings = {r.item_id: r for r in ItemRating.objects.filter(review=review)}
    rows = []
    for outcome in instrument_outcomes(review.instrument):
        items = sorted(outcome.items.all(), key=lambda i: (i.number, i.pk))
        item_rows = [
            ItemRow(
                item=item,
                questions=[q for q in item.questions.splitlines() if q.strip()],
                rating=ratings.get(item.pk),
            )
            for item in items
        ]
        rating = rules_.outcome_rating(
            row.rating.rating if row.rating else None for row in item_rows
        )
        rows.append(OutcomeRow(outcome=outcome, items=item_rows, rating=rating))
    return rows


# --- results -----------------------------------------------------------------------------------


@dataclass
class OutcomeResult:
    outcome: ReviewOutcome
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules_.OUTCOME_RATINGS, 0))

    @property
    def applicable(self) -> int:
        return sum(self.counts.values()) - self.counts[rules_.NOT_APPLICABLE]

    @property
    def substantially_achieved(self) -> int:
        return self.counts[rules_.SUBSTANTIALLY_ACHIEVED]

    @property
    def percent(self) -> float | None:
        """Per cent of applicable cases in which the outcome was substantially achieved."""
        return rules_.percent(self.substantially_achieved, self.applicable)


@dataclass
class ItemResult:
    item: ReviewItem
    strengths: int = 0
    improvements: int = 0
    not_applicable: int = 0

    @property
    def applicable(self) -> int:
        return self.strengths + self.improvements

    @property
    def percent(self) -> float | None:
        """Per cent of applicable ratings that are strengths."""
        return rules_.percent(self.strengths, self.applicable)


@dataclass
class Results:
    """One level's numbers: the state, an office, or one review."""

    label: str
    reviews: int
    outcomes: list[OutcomeResult]
    items: list[ItemResult]
    key: Any = None  # the office (WorkLocation) or the CaseReview this row stands for


@dataclass
class ResultsPage:
    instrument: ReviewInstrument | None
    office: WorkLocation | None
    total: Results
    rows: list[Results]  # offices at state level, reviews at office level
    outcomes: list[ReviewOutcome]


def _empty(label: str, outcomes: list[ReviewOutcome], key: Any = None) -> Results:
    return Results(
        label=label,
        reviews=0,
        outcomes=[OutcomeResult(outcome) for outcome in outcomes],
        items=[
            ItemResult(item)
            for outcome in outcomes
            for item in sorted(outcome.items.all(), key=lambda i: (i.number, i.pk))
        ],
        key=key,
    )


def _add(results: Results, review_ratings: dict[int, str], outcomes: list[ReviewOutcome]) -> None:
    """Count one completed review's item ratings and outcome roll-ups into `results`."""
    results.reviews += 1
    for outcome_result in results.outcomes:
        item_ids = [item.pk for item in outcome_result.outcome.items.all()]
        rating = rules_.outcome_rating(review_ratings.get(pk) for pk in item_ids)
        if rating is not None:
            outcome_result.counts[rating] += 1
    for item_result in results.items:
        rating = review_ratings.get(item_result.item.pk)
        if rating == rules_.STRENGTH:
            item_result.strengths += 1
        elif rating == rules_.IMPROVEMENT:
            item_result.improvements += 1
        elif rating == rules_.ITEM_NOT_APPLICABLE:
            item_result.not_applicable += 1


def default_instrument() -> ReviewInstrument | None:
    return ReviewInstrument.objects.filter(active=True).order_by("name", "pk").first()


def review_results(
    user: Any,
    *,
    instrument: ReviewInstrument | None,
    office: WorkLocation | None = None,
    completed_from: date | None = None,
    completed_to: date | None = None,
) -> ResultsPage:
    """Completed reviews' results for the state (one row per office) or, with `office`,
    for that office (one row per review). Every level counts the same reviews the same
    way, so an office's row at state level equals the office's own total, and the state
    is the sum of its offices. A fixed number of queries whatever the number of reviews."""
    outcomes = instrument_outcomes(instrument) if instrument else []
    label = office.name if office else "State"
    total = _empty(label, outcomes, key=office)
    if instrument is None:
        return ResultsPage(instrument, office, total, [], outcomes)
    reviews = visible_reviews(user).filter(
        instrument=instrument, status=CaseReview.Status.COMPLETED
    )
    if office is not None:
        reviews = reviews.filter(case__unit__work_location=office)
    if completed_from:
        reviews = reviews.filter(completed_at__date__gte=completed_from)
    if completed_to:
        reviews = reviews.filter(completed_at__date__lte=completed_to)
    review_rows = list(
        reviews.select_related("case__unit__work_location", "reviewer").order_by(
            "case__unit__work_location__name", "case__number", "pk"
        )
    )
    ratings: dict[int, dict[int, str]] = defaultdict(dict)
    for review_id, item_id, rating in ItemRating.objects.filter(
        review__in=[r.pk for r in review_rows]
    ).values_list("review_id", "item_id", "rating"):
        ratings[review_id][item_id] = rating

    rows: dict[Any, Results] = {}
    for review in review_rows:
        if office is None:
            location = review.case.unit.work_location
            row = rows.get(location.pk)
            if row is None:
                row = rows[location.pk] = _empty(location.name, outcomes, key=location)
        else:
            row = rows[review.pk] = _empty(
                f"{review.case.number} {review.case.name}", outcomes, key=review
            )
        _add(row, ratings[review.pk], outcomes)
        _add(total, ratings[review.pk], outcomes)
    return ResultsPage(instrument, office, total, list(rows.values()), outcomes)


def results_offices(user: Any) -> QuerySet[WorkLocation]:
    """Offices with at least one case reviewed (for the results' office filter)."""
    reviewed = visible_reviews(user).filter(case__unit__work_location=OuterRef("pk"))
    return WorkLocation.objects.filter(Exists(reviewed)).order_by("name")
