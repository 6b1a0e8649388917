"""Case reviews and Administrative Case Reviews for the demo agency (`manage.py seed`).

Runs after the casework demo: draws a sample or two of open cases in demo offices with
the CFSR-style instrument, assigns them to the quality reviewers, completes a few with
varied ratings (so the results page has numbers at every level) and leaves some in
progress; records an ACR for some children in care, so the due list shows children
reviewed, upcoming and overdue. Everything goes through the services.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from agency import clock
from agency.models import WorkLocation
from agency.roles import Role
from casework.models import Case, Placement
from quality import reviews as rules_
from quality.models import CaseReview, ItemRating, ReviewInstrument, ReviewItem
from quality.services import acr as acr_services
from quality.services import reviews as services

OFFICES = ("Hartford Area Office", "New Haven Area Office", "Bridgeport Area Office")
RATIONALES = {
    ItemRating.Rating.STRENGTH: [
        "Documented in the case record and confirmed in the interviews.",
        "Timely and well documented; the family confirmed it.",
        "Concerted efforts are clear from the contact notes.",
    ],
    ItemRating.Rating.AREA_NEEDING_IMPROVEMENT: [
        "Gaps of more than a month in the record; no documented reason.",
        "Efforts were made but not sustained; the father was not engaged.",
        "Assessment was late and did not address the concerns raised.",
    ],
    ItemRating.Rating.NOT_APPLICABLE: [
        "Does not apply to this case (no child in care during the period under review).",
    ],
}


def seed_reviews(rng: random.Random, *, samples: int = 2, today: date | None = None) -> dict:
    """Draw up to `samples` samples of 6 cases, complete about half of their reviews,
    start a few more, and record ACRs for about two thirds of the children in care.
    Returns what it made."""
    today = today or clock.today()
    instrument = ReviewInstrument.objects.filter(active=True).order_by("name").first()
    users = get_user_model().objects.filter(is_active=True)
    reviewers = list(users.filter(staff__role=Role.QUALITY_REVIEWER).order_by("pk"))
    made = {"samples": 0, "reviews": 0, "completed": 0, "acrs": 0}
    if instrument is None or not reviewers:
        return made
    items = list(ReviewItem.objects.filter(outcome__instrument=instrument).order_by("number"))
    offices = list(WorkLocation.objects.filter(name__in=OFFICES).order_by("name"))
    for office in offices[:samples]:
        for case_type in (Case.Type.OUT_OF_HOME, Case.Type.IN_HOME):
            eligible = Case.objects.filter(
                status=Case.Status.OPEN, unit__work_location=office, case_type=case_type
            ).count()
            if eligible < 2:
                continue
            sample = services.sample_draw(
                actor=reviewers[0],
                instrument=instrument,
                work_location=office,
                case_type=case_type,
                size=min(6, eligible),
                seed=rng.randrange(rules_.MAX_SEED),
                label=f"Demo {today:%B %Y}",
            )
            made["samples"] += 1
            for n, review in enumerate(CaseReview.objects.filter(sample=sample).order_by("pk")):
                made["reviews"] += 1
                reviewer = reviewers[n % len(reviewers)]
                review = services.review_assign(review=review, reviewer=reviewer, actor=reviewer)
                if n % 3 == 2:
                    continue  # assigned, not started
                quality = rng.random()  # how well this case was worked
                ratings = {item.pk: _rating(rng, quality) for item in items}
                if n % 3 == 1:  # started: about half the items
                    ratings = dict(list(ratings.items())[: len(items) // 2])
                review = services.review_rate(
                    review=review, actor=reviewer, version=review.version, ratings=ratings
                )
                if n % 3 == 0:
                    services.review_complete(review=review, actor=reviewer, version=review.version)
                    made["completed"] += 1
            break  # one sample per office
    made["acrs"] = _acrs(rng, reviewers[0], today)
    return made


def _rating(rng: random.Random, quality: float) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.12:
        rating = ItemRating.Rating.NOT_APPLICABLE
    elif roll < 0.12 + 0.88 * quality:
        rating = ItemRating.Rating.STRENGTH
    else:
        rating = ItemRating.Rating.AREA_NEEDING_IMPROVEMENT
    return rating.value, rng.choice(RATIONALES[rating])


def _acrs(rng: random.Random, actor, today: date) -> int:
    """An ACR held for about two thirds of the children in care for over 5 months, some
    with parents taking part."""
    recorded = 0
    placements = (
        Placement.objects.filter(
            end_date__isnull=True,
            entered_in_error=False,
            start_date__lte=today - timedelta(days=150),
        )
        .select_related("child", "case")
        .order_by("pk")
    )
    for placement in placements:
        if rng.random() > 0.66:
            continue
        earliest = placement.start_date + timedelta(days=120)
        held_on = min(today, earliest + timedelta(days=rng.randint(0, 60)))
        parents = rng.random() < 0.6
        acr_services.acr_record(
            actor=actor,
            case=placement.case,
            child=placement.child,
            held_on=held_on,
            participants="\n".join(
                [
                    "Administrative Case Review facilitator",
                    "Social worker",
                    "Social work supervisor",
                    "Foster parent",
                    *(["Mother", "Father"] if parents else []),
                ]
            ),
            parents_participated=parents,
            findings="The placement meets the child's needs; visits with the parents are "
            "regular. Permanency goal reviewed and kept; next steps agreed with the team.",
        )
        recorded += 1
    return recorded
