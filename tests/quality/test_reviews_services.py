"""Drawing samples, rating, completing: quality.services.reviews."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from casework.models import Case
from quality.models import CaseReview, ItemRating, QualityRules, ReviewInstrument
from quality.services import reviews as services
from tests.casework.factories import make_case
from tests.quality.factories_reviews import (
    cfsr,
    items,
    make_completed_review,
    make_review,
    make_reviewer,
)

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
S = ItemRating.Rating.STRENGTH
A = ItemRating.Rating.AREA_NEEDING_IMPROVEMENT
N = ItemRating.Rating.NOT_APPLICABLE


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def _cases(personas, n, **fields):
    return [make_case(personas.unit, personas.caseworker, **fields) for _ in range(n)]


def _draw(personas, reviewer, size, **kwargs):
    return services.sample_draw(
        actor=reviewer,
        instrument=cfsr(),
        work_location=personas.office,
        case_type=kwargs.pop("case_type", Case.Type.IN_HOME),
        size=size,
        **kwargs,
    )


def _drawn(sample):
    return set(CaseReview.objects.filter(sample=sample).values_list("case_id", flat=True))


def test_the_same_seed_over_the_same_cases_draws_the_same_cases(personas, reviewer):
    _cases(personas, 30)
    first = _draw(personas, reviewer, 5, seed=1234, label="Spring")
    again = _draw(personas, reviewer, 5, seed=1234)
    other = _draw(personas, reviewer, 5, seed=99)
    assert len(_drawn(first)) == 5
    assert _drawn(first) == _drawn(again)
    assert _drawn(other) != _drawn(first)
    assert first.seed == 1234 and first.label == "Spring"
    statuses = set(CaseReview.objects.filter(sample=first).values_list("status", flat=True))
    assert statuses == {CaseReview.Status.ASSIGNED}


def test_a_seed_is_chosen_and_stored_when_not_given(personas, reviewer):
    _cases(personas, 12)
    sample = _draw(personas, reviewer, 4)
    assert 0 <= sample.seed <= 2**31 - 1
    again = _draw(personas, reviewer, 4, seed=sample.seed)
    assert _drawn(again) == _drawn(sample)


def test_only_open_cases_of_the_office_and_type_are_drawn(personas, reviewer):
    wanted = _cases(personas, 3)
    _cases(personas, 3, case_type=Case.Type.OUT_OF_HOME)
    make_case(personas.unit, personas.caseworker, status="closed", closed_on=NOW.date())
    make_case(personas.other_unit, personas.other_caseworker)
    sample = _draw(personas, reviewer, 3)
    assert _drawn(sample) == {c.pk for c in wanted}
    with pytest.raises(ValidationError) as exc:
        _draw(personas, reviewer, 4)
    assert "Only 3" in exc.value.message_dict["size"][0]


def test_cases_reviewed_within_the_lookback_are_left_out(personas, reviewer):
    recent, old, in_progress, fresh = _cases(personas, 4)
    make_completed_review(recent, reviewer=reviewer, completed_at=datetime(2026, 1, 5, tzinfo=UTC))
    make_completed_review(old, reviewer=reviewer, completed_at=datetime(2025, 10, 1, tzinfo=UTC))
    make_review(in_progress, reviewer=reviewer, status=CaseReview.Status.IN_PROGRESS)
    sample = _draw(personas, reviewer, 3)
    assert _drawn(sample) == {old.pk, in_progress.pk, fresh.pk}

    QualityRules.objects.update_or_create(pk=1, defaults={"review_lookback_months": 14})
    with pytest.raises(ValidationError):
        _draw(personas, reviewer, 3)  # `old` (13.5 months ago) is now within the lookback


def test_a_draw_needs_a_size_and_a_sensible_seed(personas, reviewer):
    _cases(personas, 2)
    with pytest.raises(ValidationError) as exc:
        _draw(personas, reviewer, 0, seed=-1)
    assert set(exc.value.message_dict) == {"size", "seed"}
    inactive = ReviewInstrument.objects.create(name="Old", active=False)
    with pytest.raises(ValidationError) as exc:
        services.sample_draw(
            actor=reviewer,
            instrument=inactive,
            work_location=personas.office,
            case_type=Case.Type.IN_HOME,
            size=1,
        )
    assert "instrument" in exc.value.message_dict


# --- rating and completing ------------------------------------------------------------------


def test_rating_needs_a_rationale_and_starts_the_review(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    first, second = items(cfsr())[:2]
    with pytest.raises(ValidationError) as exc:
        services.review_rate(
            review=review, actor=reviewer, version=1, ratings={first.pk: (S, "  ")}
        )
    assert f"rationale_{first.pk}" in exc.value.message_dict
    review = services.review_rate(
        review=review,
        actor=reviewer,
        version=1,
        ratings={first.pk: (S, "Seen within 24 hours."), second.pk: (A, "No safety plan.")},
    )
    assert review.status == CaseReview.Status.IN_PROGRESS and review.version == 2
    assert dict(review.ratings.values_list("item_id", "rating")) == {first.pk: S, second.pk: A}
    # A change of mind replaces the rating.
    services.review_rate(
        review=review, actor=reviewer, version=2, ratings={second.pk: (N, "No child at home.")}
    )
    assert review.ratings.get(item=second).rating == N


def test_rating_refuses_items_of_another_instrument_and_bad_ratings(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    other = ReviewInstrument.objects.create(name="Targeted")
    outcome = other.outcomes.create(code="T1", statement="Targeted")
    foreign = outcome.items.create(number=1, title="Other", questions="?")
    item = items(cfsr())[0]
    with pytest.raises(ValidationError) as exc:
        services.review_rate(
            review=review,
            actor=reviewer,
            version=1,
            ratings={foreign.pk: (S, "Why"), item.pk: ("excellent", "Why")},
        )
    assert "ratings" in exc.value.message_dict
    assert f"rating_{item.pk}" in exc.value.message_dict
    assert not ItemRating.objects.exists()


def test_a_stale_version_is_refused(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    item = items(cfsr())[0]
    services.review_rate(review=review, actor=reviewer, version=1, ratings={item.pk: (S, "Ok")})
    with pytest.raises(ValidationError) as exc:
        services.review_rate(
            review=review, actor=reviewer, version=1, ratings={item.pk: (A, "Overwrite")}
        )
    assert "version" in exc.value.message_dict
    assert ItemRating.objects.get().rating == S


def test_only_the_assigned_reviewer_rates(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    item = items(cfsr())[0]
    with pytest.raises(ValidationError) as exc:
        services.review_rate(
            review=review, actor=make_reviewer(), version=1, ratings={item.pk: (S, "Ok")}
        )
    assert "reviewer" in exc.value.message_dict
    # An unassigned review goes to whoever rates it first.
    open_review = make_review(make_case(personas.unit, personas.caseworker))
    services.review_rate(
        review=open_review, actor=reviewer, version=1, ratings={item.pk: (S, "Ok")}
    )
    open_review.refresh_from_db()
    assert open_review.reviewer == reviewer


def test_completing_needs_every_item_rated(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    all_items = items(cfsr())
    services.review_rate(
        review=review,
        actor=reviewer,
        version=1,
        ratings={item.pk: (S, "Ok") for item in all_items[:-1]},
    )
    with pytest.raises(ValidationError) as exc:
        services.review_complete(review=review, actor=reviewer, version=2)
    assert str(all_items[-1].number) in exc.value.message_dict["ratings"][0]
    services.review_rate(
        review=review, actor=reviewer, version=2, ratings={all_items[-1].pk: (N, "n/a")}
    )
    review = services.review_complete(review=review, actor=reviewer, version=3)
    assert review.status == CaseReview.Status.COMPLETED and review.completed_at == NOW
    with pytest.raises(ValidationError):
        services.review_rate(
            review=review, actor=reviewer, version=4, ratings={all_items[0].pk: (A, "Late")}
        )


def test_assigning_takes_a_quality_reviewer(personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker))
    with pytest.raises(ValidationError):
        services.review_assign(review=review, reviewer=personas.caseworker, actor=reviewer)
    review = services.review_assign(review=review, reviewer=reviewer, actor=reviewer, version=1)
    assert review.reviewer == reviewer and review.version == 2
