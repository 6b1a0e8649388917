"""Results per state and office: every level counts the same reviews the same way."""

from quality import reviews as r
from quality.models import CaseReview, ItemRating
from quality.selectors.reviews import review_results
from tests.casework.factories import make_case
from tests.quality.factories_reviews import cfsr, make_completed_review, make_review, make_reviewer

S = ItemRating.Rating.STRENGTH
A = ItemRating.Rating.AREA_NEEDING_IMPROVEMENT
N = ItemRating.Rating.NOT_APPLICABLE


def _outcome(results, code):
    return next(o for o in results.outcomes if o.outcome.code == code)


def _item(results, number):
    return next(i for i in results.items if i.item.number == number)


def _setup(personas):
    reviewer = make_reviewer()
    here = [make_case(personas.unit, personas.caseworker) for _ in range(3)]
    there = [make_case(personas.other_unit, personas.other_caseworker) for _ in range(2)]
    # Safety 2 is items 2 and 3; Safety 1 is item 1.
    make_completed_review(here[0], reviewer=reviewer)  # all strengths
    make_completed_review(here[1], reviewer=reviewer, ratings={1: A, 2: S, 3: A})
    make_completed_review(here[2], reviewer=reviewer, ratings={1: N, 2: N, 3: N})
    make_completed_review(there[0], reviewer=reviewer, ratings={1: A, 2: A, 3: A})
    make_completed_review(there[1], reviewer=reviewer, ratings={2: N, 3: S})
    # Not completed: never counted.
    make_review(
        make_case(personas.unit, personas.caseworker),
        reviewer=reviewer,
        status=CaseReview.Status.IN_PROGRESS,
    )
    return reviewer


def test_state_results_per_office_and_their_total(personas):
    reviewer = _setup(personas)
    state = review_results(reviewer, instrument=cfsr())
    assert state.total.reviews == 5
    assert [row.key for row in state.rows] == [personas.office, personas.other_office]

    safety1 = _outcome(state.total, "Safety 1")
    assert safety1.counts == {
        r.SUBSTANTIALLY_ACHIEVED: 2,
        r.PARTIALLY_ACHIEVED: 0,
        r.NOT_ACHIEVED: 2,
        r.NOT_APPLICABLE: 1,
    }
    assert safety1.applicable == 4 and safety1.percent == 50.0
    safety2 = _outcome(state.total, "Safety 2")
    assert safety2.counts == {
        r.SUBSTANTIALLY_ACHIEVED: 2,  # all strengths; and N/A + S
        r.PARTIALLY_ACHIEVED: 1,
        r.NOT_ACHIEVED: 1,
        r.NOT_APPLICABLE: 1,
    }
    item3 = _item(state.total, 3)
    assert (item3.strengths, item3.improvements, item3.not_applicable) == (2, 2, 1)
    assert item3.percent == 50.0

    hartford = _outcome(state.rows[0], "Safety 2")
    assert hartford.percent == 50.0  # 1 of 2 applicable


def test_drill_down_totals_equal_the_level_above(personas):
    reviewer = _setup(personas)
    state = review_results(reviewer, instrument=cfsr())
    for level in range(len(state.total.outcomes)):
        for key in r.OUTCOME_RATINGS:
            assert state.total.outcomes[level].counts[key] == sum(
                row.outcomes[level].counts[key] for row in state.rows
            )
    for row in state.rows:
        office = review_results(reviewer, instrument=cfsr(), office=row.key)
        assert office.total.reviews == row.reviews == len(office.rows)
        for mine, theirs in zip(office.total.outcomes, row.outcomes, strict=True):
            assert mine.counts == theirs.counts
        for mine, theirs in zip(office.total.items, row.items, strict=True):
            assert (mine.strengths, mine.improvements, mine.not_applicable) == (
                theirs.strengths,
                theirs.improvements,
                theirs.not_applicable,
            )
        assert {type(review.key) for review in office.rows} == {CaseReview}


def test_nobody_outside_the_workspace_sees_results(personas):
    _setup(personas)
    assert review_results(personas.supervisor, instrument=cfsr()).total.reviews == 0
