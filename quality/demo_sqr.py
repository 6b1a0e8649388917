"""Synthetic Special Qualitative Reviews for the demo agency (`manage.py seed`, after the
significant events).

Up to four reviews of the demo's child fatalities and near fatalities (or of other
events when there are too few), opened by the demo login "commissioner" through the
services, so references, grants and the access log are real: three with their report
final (the learning page needs three), one still in records and interviews. The demo
"reviewer" is granted every review; nobody else is, so the demo supervisor, area
administrator and "sysadmin" see how a review answers 404 to them.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from agency import clock
from quality.models import SignificantEvent, SpecialQualitativeReview, SqrFinding, SqrInterview
from quality.services import sqr as services

User = get_user_model()
Status = SpecialQualitativeReview.Status

FINDINGS = [
    (SqrFinding.Area.PRACTICE, SqrFinding.Scope.INTERNAL, "Safety planning",
     "The safety plan relied on a relative whose own history was not checked."),
    (SqrFinding.Area.PRACTICE, SqrFinding.Scope.INTERNAL, "Supervision and consultation",
     "Supervisory consultation was not documented after the second report."),
    (SqrFinding.Area.POLICIES, SqrFinding.Scope.INTERNAL, "Policy gaps",
     "Policy does not say when to re-assess safety after a household change."),
    (SqrFinding.Area.SYSTEMS, SqrFinding.Scope.EXTERNAL, "Information sharing",
     "Hospital discharge information did not reach the worker for nine days."),
    (SqrFinding.Area.SYSTEMS, SqrFinding.Scope.INTERNAL, "Caseload and workload",
     "The worker carried a caseload above the standard for three months."),
    (SqrFinding.Area.PRACTICE, SqrFinding.Scope.EXTERNAL, "Substance use",
     "The substance-use provider's treatment updates were not requested."),
]  # fmt: skip
INTERVIEWS = [
    (SqrInterview.Kind.STAFF, "Assigned caseworker", "Described the visits and the plan."),
    (SqrInterview.Kind.STAFF, "Unit supervisor", "Described the consultations held."),
    (SqrInterview.Kind.COLLATERAL, "School social worker", "Attendance fell in the last month."),
    (SqrInterview.Kind.EXPERT, "Child abuse pediatrician", "Reviewed the medical records."),
]
RECOMMENDATIONS = [
    "Train staff on safety planning with relative resources.",
    "Add a re-assessment step to policy when the household changes.",
    "Agree a discharge-notice protocol with the regional hospitals.",
]


def seed_sqr(rng: random.Random, *, count: int = 4) -> dict[str, int]:
    """Open `count` reviews of demo events (three made final) and return what was made."""
    commissioner = User.objects.filter(username="commissioner").first()
    reviewer = User.objects.filter(username="reviewer").first()
    owners = list(User.objects.filter(username__in=["areaadmin", "supervisor", "reviewer"]))
    if commissioner is None or reviewer is None or not owners:
        return {"reviews": 0, "final": 0, "findings": 0}
    serious = [SignificantEvent.Kind.CHILD_FATALITY, SignificantEvent.Kind.NEAR_FATALITY]
    events = list(SignificantEvent.objects.filter(kind__in=serious).order_by("occurred_at"))
    events += list(
        SignificantEvent.objects.exclude(kind__in=serious).order_by("-occurred_at")[:count]
    )
    made = final = findings = 0
    today = clock.today()
    for n, event in enumerate(events[:count]):
        review = services.review_open(event=event, actor=commissioner)
        services.access_grant(review=review, user=reviewer, actor=commissioner)
        held_on = max(today - timedelta(days=rng.randint(5, 40)), event.occurred_at.date())
        review = services.review_update(
            review=review,
            actor=commissioner,
            version=review.version,
            status=Status.BRIEFED,
            briefing_held_on=min(held_on, today),
            briefing_participants=(
                "Area office: area director, program supervisor\n"
                "Commissioner's office: deputy commissioner\n"
                "Central Office: Office of Quality and Planning"
            ),
        )
        review = services.review_update(
            review=review,
            actor=reviewer,
            version=review.version,
            status=Status.IN_REVIEW,
            records_examined="Electronic case record\nPaper file\nHospital records",
        )
        for kind, who, notes in rng.sample(INTERVIEWS, 3):
            services.interview_add(
                review=review, actor=reviewer, kind=kind, who=who, held_on=today, notes=notes
            )
        chosen = rng.sample(FINDINGS, 3)
        for i, (area, scope, theme, text) in enumerate(chosen):
            finding = services.finding_add(
                review=review, actor=reviewer, area=area, scope=scope, theme=theme, finding=text
            )
            findings += 1
            if i < 2:
                services.recommendation_add(
                    finding=finding,
                    actor=reviewer,
                    recommendation=rng.choice(RECOMMENDATIONS),
                    owner=rng.choice(owners),
                    due_on=today + timedelta(days=rng.randint(-10, 90)),
                )
        made += 1
        if n < 3:
            review = services.review_update(
                review=review,
                actor=reviewer,
                version=review.version,
                status=Status.REPORT_DRAFT,
                report="The review found that the family's circumstances changed in the "
                "weeks before the event and that the plan was not revisited. See findings.",
            )
            services.review_finalize(review=review, actor=commissioner, version=review.version)
            final += 1
    return {"reviews": made, "final": final, "findings": findings}
