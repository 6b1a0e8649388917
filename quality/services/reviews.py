"""Writes for case reviews: draw a sample, assign a review, rate its items, complete it.

Each function validates first (ValidationError with a field map), then writes in one
transaction. Ratings and completion carry the review's `version` as the reviewer read it;
a change made on an older version is refused, so two tabs or two people cannot
overwrite each other's ratings unseen.
"""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.models import WorkLocation
from agency.permissions import has_role
from agency.roles import Role
from casework.models import Case
from quality import reviews as rules_
from quality.models import CaseReview, ItemRating, ReviewInstrument, ReviewItem, ReviewSample
from quality.selectors import rules
from quality.selectors.reviews import eligible_cases

STALE_MESSAGE = (
    "Someone else changed this review after you opened it. Reload the page to see their "
    "changes, then make yours again."
)


def _lock(review: CaseReview, version: int | None) -> CaseReview:
    """The review's row, locked for this transaction; refused when `version` (the one
    the user read) is not the stored one."""
    locked = CaseReview.objects.select_for_update().get(pk=review.pk)
    if version is not None and int(version) != locked.version:
        raise ValidationError({"version": [STALE_MESSAGE]})
    return locked


def _save(review: CaseReview, fields: list[str]) -> None:
    review.version += 1
    review.save(update_fields=[*fields, "version"])


@transaction.atomic
def sample_draw(
    *,
    actor: Any,
    instrument: ReviewInstrument,
    work_location: WorkLocation,
    case_type: str,
    size: int,
    seed: int | None = None,
    label: str = "",
) -> ReviewSample:
    """Draw `size` open cases of one office and type at random, leaving out cases whose
    review was completed within the lookback (12 months by default), and create an
    assigned review of each. Without a `seed` one is chosen; it is stored, so the same
    seed over the same eligible cases draws the same cases again."""
    errors: dict[str, str] = {}
    if not instrument.active:
        errors["instrument"] = "This instrument is no longer in use."
    if case_type not in Case.Type.values:
        errors["case_type"] = "Choose a case type."
    if size is None or size < 1:
        errors["size"] = "Draw at least one case."
    if seed is not None and not 0 <= seed <= rules_.MAX_SEED:
        errors["seed"] = f"A seed is a whole number from 0 to {rules_.MAX_SEED}."
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    eligible = list(
        eligible_cases(
            work_location=work_location,
            case_type=case_type,
            now=now,
            lookback_months=rules().review_lookback_months,
        ).values_list("pk", flat=True)
    )
    if size > len(eligible):
        raise ValidationError(
            {
                "size": f"Only {len(eligible)} open {Case.Type(case_type).label.lower()} "
                f"case{'s' if len(eligible) != 1 else ''} of {work_location.name} can be drawn "
                "(cases reviewed recently are left out)."
            }
        )
    if seed is None:
        seed = secrets.randbelow(rules_.MAX_SEED + 1)
    chosen = rules_.draw(eligible, size, seed)
    sample = ReviewSample.objects.create(
        instrument=instrument,
        work_location=work_location,
        case_type=case_type,
        size=size,
        seed=seed,
        drawn_at=now,
        drawn_by=actor,
        label=label.strip(),
    )
    bulk_create_with_history(
        [
            CaseReview(instrument=instrument, sample=sample, case_id=case_id, created_at=now)
            for case_id in sorted(chosen)
        ],
        CaseReview,
        default_user=actor,
    )
    return sample


@transaction.atomic
def review_assign(
    *, review: CaseReview, reviewer: Any, actor: Any, version: int | None = None
) -> CaseReview:
    """Give the review to a quality reviewer (or take it back to give to another). A
    completed review keeps its reviewer."""
    review = _lock(review, version)
    if review.status == CaseReview.Status.COMPLETED:
        raise ValidationError({"reviewer": "This review is completed; its reviewer stays."})
    if reviewer is None or not reviewer.is_active or not has_role(reviewer, Role.QUALITY_REVIEWER):
        raise ValidationError({"reviewer": "Choose an active quality reviewer."})
    review.reviewer = reviewer
    _save(review, ["reviewer"])
    return review


def _check_reviewer(review: CaseReview, actor: Any) -> None:
    if review.reviewer_id is not None and review.reviewer_id != actor.pk:
        raise ValidationError(
            {"reviewer": "Only the reviewer assigned to this review rates and completes it."}
        )
    if review.status == CaseReview.Status.COMPLETED:
        raise ValidationError({"status": "This review is completed; its ratings are final."})


@transaction.atomic
def review_rate(
    *,
    review: CaseReview,
    actor: Any,
    version: int | None,
    ratings: dict[int, tuple[str, str]],
) -> CaseReview:
    """Rate items of the review: {item id: (rating, rationale)}. Every rating needs its
    rationale. Items may be rated a few at a time; the first rating starts the review
    (in progress). An unassigned review is assigned to whoever rates it first."""
    review = _lock(review, version)
    _check_reviewer(review, actor)
    items = {
        item.pk: item
        for item in ReviewItem.objects.filter(outcome__instrument_id=review.instrument_id)
    }
    errors: dict[str, str] = {}
    cleaned: dict[int, tuple[str, str]] = {}
    for raw_id, value in ratings.items():
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            item_id = None
        if item_id not in items:
            errors["ratings"] = f"Item {raw_id} is not on this review's instrument."
            continue
        rating, rationale = value
        rationale = (rationale or "").strip()
        if rating not in ItemRating.Rating.values:
            errors[f"rating_{item_id}"] = (
                "Rate the item Strength, Area Needing Improvement or Not Applicable."
            )
        if not rationale:
            errors[f"rationale_{item_id}"] = (
                f"Item {items[item_id].number}: say why you rated it so."
            )
        cleaned[item_id] = (rating, rationale)
    if not ratings:
        errors["ratings"] = "Rate at least one item."
    if errors:
        raise ValidationError(errors)
    existing = {r.item_id: r for r in ItemRating.objects.filter(review=review)}
    for item_id, (rating, rationale) in cleaned.items():
        current = existing.get(item_id)
        if current is None:
            ItemRating.objects.create(
                review=review, item_id=item_id, rating=rating, rationale=rationale
            )
        elif (current.rating, current.rationale) != (rating, rationale):
            current.rating, current.rationale = rating, rationale
            current.save(update_fields=["rating", "rationale"])
    fields = []
    if review.reviewer_id is None:
        review.reviewer = actor
        fields.append("reviewer")
    if review.status == CaseReview.Status.ASSIGNED:
        review.status = CaseReview.Status.IN_PROGRESS
        fields.append("status")
    _save(review, fields)
    return review


@transaction.atomic
def review_complete(*, review: CaseReview, actor: Any, version: int | None) -> CaseReview:
    """Finish the review once every item of its instrument is rated. Its outcomes then
    count in the results."""
    review = _lock(review, version)
    _check_reviewer(review, actor)
    rated = set(ItemRating.objects.filter(review=review).values_list("item_id", flat=True))
    missing = list(
        ReviewItem.objects.filter(outcome__instrument_id=review.instrument_id)
        .exclude(pk__in=rated)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        raise ValidationError(
            {"ratings": f"Rate every item before completing the review (still to rate: {numbers})."}
        )
    if review.reviewer_id is None:
        review.reviewer = actor
    review.status = CaseReview.Status.COMPLETED
    review.completed_at = clock.now()
    _save(review, ["reviewer", "status", "completed_at"])
    return review
