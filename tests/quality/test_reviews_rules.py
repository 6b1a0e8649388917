"""The outcome roll-up and the reproducible draw: pure functions."""

import pytest

from quality import reviews as r

S, A, N = r.STRENGTH, r.IMPROVEMENT, r.ITEM_NOT_APPLICABLE


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([S], r.SUBSTANTIALLY_ACHIEVED),
        ([S, S, N], r.SUBSTANTIALLY_ACHIEVED),  # N/A items do not count against
        ([A], r.NOT_ACHIEVED),
        ([A, N, A], r.NOT_ACHIEVED),
        ([S, A], r.PARTIALLY_ACHIEVED),
        ([N, S, A, A], r.PARTIALLY_ACHIEVED),
        ([N], r.NOT_APPLICABLE),
        ([N, N, N], r.NOT_APPLICABLE),
        ([S, None], None),  # an item still unrated: no roll-up yet
    ],
)
def test_outcome_roll_up(ratings, expected):
    assert r.outcome_rating(ratings) == expected


def test_outcome_ratings_of_a_review_treat_missing_items_as_unrated():
    items_by_outcome = {1: [10], 2: [20, 21], 3: [30, 31]}
    ratings = {10: S, 20: S, 21: A, 30: N}
    assert r.outcome_ratings(items_by_outcome, ratings) == {
        1: r.SUBSTANTIALLY_ACHIEVED,
        2: r.PARTIALLY_ACHIEVED,
        3: None,
    }


def test_the_same_seed_draws_the_same_ids_whatever_their_order():
    eligible = list(range(1, 200))
    first = r.draw(eligible, 10, 42)
    assert first == r.draw(list(reversed(eligible)), 10, 42)
    assert len(set(first)) == 10 and set(first) <= set(eligible)
    assert r.draw(eligible, 10, 43) != first


def test_percent():
    assert r.percent(1, 3) == 33.3
    assert r.percent(0, 0) is None
