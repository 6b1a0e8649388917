"""Builders for Special Qualitative Review tests."""

import itertools
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from agency import clock
from agency.roles import Role
from quality.models import SignificantEvent, SpecialQualitativeReview, SqrFinding
from quality.services import sqr as services
from tests.factories import make_user

_n = itertools.count(1)


def make_reviewer(**fields):
    return make_user(Role.QUALITY_REVIEWER, **fields)


def make_commissioner(**fields):
    return make_user(Role.COMMISSIONERS_OFFICE, **fields)


def make_superuser():
    n = next(_n)
    return get_user_model().objects.create_superuser(f"root{n}", f"root{n}@hearth.example", "x")


def make_sysadmin():
    return make_user(Role.SYSTEM_ADMINISTRATOR, is_staff=True)


def make_event(recorded_by, **fields) -> SignificantEvent:
    """A child fatality written directly (the events' own service is another feature's)."""
    n = next(_n)
    return SignificantEvent.objects.create(
        **{
            "reference": f"SE-SQR-{n:06d}",
            "kind": SignificantEvent.Kind.CHILD_FATALITY,
            "occurred_at": clock.now() - timedelta(days=30),
            "facility": "Family home",
            "description": f"Event description {n}.",
            "reporter": "Hospital social worker",
            "recorded_by": recorded_by,
        }
        | fields
    )


def open_review(opener=None, event=None) -> SpecialQualitativeReview:
    """A review opened through the service by `opener` (a new commissioner's office user
    by default), who is granted it."""
    opener = opener or make_commissioner()
    return services.review_open(event=event or make_event(opener), actor=opener)


def grant(review, user, by):
    return services.access_grant(review=review, user=user, actor=by)


def brief(review, actor, *, held_on: date | None = None):
    return services.review_update(
        review=review,
        actor=actor,
        version=review.version,
        status=SpecialQualitativeReview.Status.BRIEFED,
        briefing_held_on=held_on or clock.today(),
        briefing_participants="Hartford office\nCommissioner's office\nCentral Office",
    )


def make_final_review(opener, findings: list[tuple[str, str, str]], *, owner=None):
    """A review with its findings [(area, scope, theme)], a recommendation on the first,
    and its report made final."""
    review = open_review(opener)
    review = brief(review, opener)
    review = services.review_update(
        review=review,
        actor=opener,
        version=review.version,
        status=SpecialQualitativeReview.Status.IN_REVIEW,
        records_examined="Case record\nHospital records",
    )
    first = None
    for area, scope, theme in findings:
        finding = services.finding_add(
            review=review,
            actor=opener,
            area=area,
            scope=scope,
            theme=theme,
            finding=f"Secret finding text about Jane Doe in {review.reference}.",
        )
        first = first or finding
    if first is not None:
        services.recommendation_add(
            finding=first,
            actor=opener,
            recommendation="Secret recommendation text.",
            owner=owner or opener,
            due_on=clock.today() + timedelta(days=60),
        )
    review = services.review_update(
        review=review,
        actor=opener,
        version=review.version,
        status=SpecialQualitativeReview.Status.REPORT_DRAFT,
        report="Secret narrative of the report.",
    )
    return services.review_finalize(review=review, actor=opener, version=review.version)


PRACTICE, POLICIES, SYSTEMS = (
    SqrFinding.Area.PRACTICE,
    SqrFinding.Area.POLICIES,
    SqrFinding.Area.SYSTEMS,
)
INTERNAL, EXTERNAL = SqrFinding.Scope.INTERNAL, SqrFinding.Scope.EXTERNAL
