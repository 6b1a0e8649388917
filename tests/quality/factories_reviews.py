"""Builders for case-review and ACR tests. Plain functions that write rows directly
(tests of the rules call the services themselves)."""

from datetime import date, datetime

from agency.roles import Role
from casework.models import Case, CaseMember, Placement
from quality.models import (
    AdministrativeCaseReview,
    CaseReview,
    ItemRating,
    ReviewInstrument,
    ReviewItem,
)
from tests.casework.factories import add_member
from tests.factories import make_user


def cfsr() -> ReviewInstrument:
    """The CFSR-style instrument the migration seeds."""
    return ReviewInstrument.objects.get(name="CFSR-style case review")


def items(instrument: ReviewInstrument) -> list[ReviewItem]:
    return list(ReviewItem.objects.filter(outcome__instrument=instrument).order_by("number"))


def make_reviewer(**fields):
    return make_user(Role.QUALITY_REVIEWER, **fields)


def make_commissioner(**fields):
    return make_user(Role.COMMISSIONERS_OFFICE, **fields)


def make_review(case: Case, *, reviewer=None, instrument=None, **fields) -> CaseReview:
    return CaseReview.objects.create(
        instrument=instrument or cfsr(), case=case, reviewer=reviewer, **fields
    )


def make_completed_review(
    case: Case,
    *,
    reviewer,
    ratings: dict[int, str] | None = None,
    default: str = ItemRating.Rating.STRENGTH,
    completed_at: datetime | None = None,
    instrument=None,
) -> CaseReview:
    """A completed review; `ratings` by item number, the rest `default`."""
    instrument = instrument or cfsr()
    review = make_review(
        case,
        reviewer=reviewer,
        instrument=instrument,
        status=CaseReview.Status.COMPLETED,
        completed_at=completed_at or datetime.fromisoformat("2026-06-01T12:00:00-04:00"),
    )
    ratings = ratings or {}
    ItemRating.objects.bulk_create(
        ItemRating(
            review=review,
            item=item,
            rating=ratings.get(item.number, default),
            rationale="Because.",
        )
        for item in items(instrument)
    )
    return review


def make_child_in_care(
    case: Case, start: date, *, end: date | None = None, child=None, **fields
) -> Placement:
    """A child on the case (added if not given) placed from `start`."""
    if child is None:
        child = add_member(case, CaseMember.Role.CHILD).person
    return Placement.objects.create(
        case=case,
        child=child,
        setting=fields.pop("setting", Placement.Setting.FOSTER),
        caregiver="A foster family",
        start_date=start,
        end_date=end,
        reason="Unsafe at home.",
        **fields,
    )


def make_acr(case: Case, child, held_on: date, recorded_by) -> AdministrativeCaseReview:
    return AdministrativeCaseReview.objects.create(
        case=case,
        child=child,
        held_on=held_on,
        participants="Worker\nMother",
        parents_participated=True,
        findings="Fine.",
        recorded_by=recorded_by,
    )
