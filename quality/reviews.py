"""Case-review arithmetic: pure functions, no ORM (tested in tests/quality/test_reviews_rules.py).

- An outcome is *substantially achieved* when every applicable item under it (rated
  Strength or Area Needing Improvement) is a Strength, *not achieved* when none is, and
  *partially achieved* otherwise. When every item is Not Applicable the outcome is *not
  applicable*; while an item is still unrated it has no rating yet (None).
- A sample is drawn from the eligible case ids in ascending order with
  `random.Random(seed).sample`: the same seed over the same eligible cases draws the same
  cases, whoever draws them and whenever.
"""

import random
from collections.abc import Iterable, Sequence

from quality.models import ItemRating

STRENGTH = ItemRating.Rating.STRENGTH.value
IMPROVEMENT = ItemRating.Rating.AREA_NEEDING_IMPROVEMENT.value
ITEM_NOT_APPLICABLE = ItemRating.Rating.NOT_APPLICABLE.value

SUBSTANTIALLY_ACHIEVED = "substantially_achieved"
PARTIALLY_ACHIEVED = "partially_achieved"
NOT_ACHIEVED = "not_achieved"
NOT_APPLICABLE = "not_applicable"

OUTCOME_RATINGS = (SUBSTANTIALLY_ACHIEVED, PARTIALLY_ACHIEVED, NOT_ACHIEVED, NOT_APPLICABLE)
OUTCOME_LABELS = {
    SUBSTANTIALLY_ACHIEVED: "Substantially achieved",
    PARTIALLY_ACHIEVED: "Partially achieved",
    NOT_ACHIEVED: "Not achieved",
    NOT_APPLICABLE: "Not applicable",
}

# Seeds are stored in a PositiveIntegerField (Postgres integer).
MAX_SEED = 2**31 - 1


def outcome_rating(item_ratings: Iterable[str | None]) -> str | None:
    """The roll-up of one outcome from the ratings of its items (None: unrated)."""
    ratings = list(item_ratings)
    if any(rating is None for rating in ratings):
        return None
    applicable = [rating for rating in ratings if rating != ITEM_NOT_APPLICABLE]
    if not applicable:
        return NOT_APPLICABLE
    strengths = sum(rating == STRENGTH for rating in applicable)
    if strengths == len(applicable):
        return SUBSTANTIALLY_ACHIEVED
    if strengths == 0:
        return NOT_ACHIEVED
    return PARTIALLY_ACHIEVED


def outcome_ratings(
    items_by_outcome: dict[int, Sequence[int]], ratings: dict[int, str]
) -> dict[int, str | None]:
    """Each outcome's roll-up, from the item ids under each outcome and the ratings
    given so far by item id (items missing from `ratings` are unrated)."""
    return {
        outcome_id: outcome_rating(ratings.get(item_id) for item_id in item_ids)
        for outcome_id, item_ids in items_by_outcome.items()
    }


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in per cent, one decimal; None when there is nothing to count."""
    return round(100 * part / whole, 1) if whole else None


def draw(eligible_ids: Iterable[int], size: int, seed: int) -> list[int]:
    """`size` ids drawn from `eligible_ids` (taken in ascending order), reproducibly."""
    return random.Random(seed).sample(sorted(eligible_ids), size)
