"""Special Qualitative Review rules: opening, the gatekeeper, grants, the review's steps,
recommendations and their reminders."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from agency import clock
from agency.models import Notification
from agency.roles import Role
from quality.models import SpecialQualitativeReview, SqrAccessLog, SqrGrant, SqrRecommendation
from quality.selectors import sqr as selectors
from quality.services import sqr as services
from tests.factories import make_user
from tests.quality.factories_sqr import (
    INTERNAL,
    PRACTICE,
    brief,
    grant,
    make_commissioner,
    make_event,
    make_final_review,
    make_reviewer,
    make_superuser,
    make_sysadmin,
    open_review,
)

Status = SpecialQualitativeReview.Status


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 15, 0, tzinfo=UTC), tick=False)


def test_opening_gives_a_reference_and_grants_the_opener_only(db, personas, frozen):
    reviewer = make_reviewer()
    review = open_review(reviewer)
    assert re.fullmatch(r"SQR-2026-\d{6}", review.reference)
    assert list(selectors.visible_reviews(reviewer)) == [review]
    row = SqrGrant.objects.get(review=review)
    assert row.user == reviewer and row.granted_by == reviewer
    assert SqrAccessLog.objects.filter(review=review, user=reviewer, action="open").exists()
    others = [personas.supervisor, make_reviewer(), make_commissioner(), make_superuser()]
    for user in others:
        assert not selectors.visible_reviews(user).exists()


def test_only_the_review_team_opens_a_review(db, personas):
    event = make_event(personas.supervisor)
    with pytest.raises(PermissionDenied):
        services.review_open(event=event, actor=personas.supervisor)


def test_model_wide_permission_and_superuser_status_reach_nothing(db, personas):
    review = open_review()
    user = make_reviewer()
    user.user_permissions.add(Permission.objects.get(codename="view_specialqualitativereview"))
    for nobody in (user, make_superuser(), make_sysadmin()):
        assert not selectors.visible_reviews(nobody).exists()
        with pytest.raises(Exception) as refused:
            selectors.access_review(nobody, review.pk)
        assert refused.typename == "Http404"
    assert SqrAccessLog.objects.filter(review=review, action="refused").count() == 3


def test_grants_come_from_a_grantor_who_reaches_the_review(db, personas):
    commissioner = make_commissioner()
    review = open_review(commissioner)
    reviewer = make_reviewer()
    # A commissioner's office user without access to this review cannot grant it.
    with pytest.raises(PermissionDenied):
        services.access_grant(review=review, user=reviewer, actor=make_commissioner())
    grant(review, reviewer, commissioner)
    assert review.pk in selectors.reachable_ids(reviewer)
    assert SqrGrant.objects.get(review=review, user=reviewer).granted_by == commissioner
    # A reviewer with access is no grantor; nor is a granted superuser.
    with pytest.raises(PermissionDenied):
        services.access_grant(review=review, user=personas.supervisor, actor=reviewer)
    root = make_superuser()
    grant(review, root, commissioner)
    with pytest.raises(PermissionDenied):
        services.access_grant(review=review, user=personas.supervisor, actor=root)
    with pytest.raises(ValidationError):
        grant(review, reviewer, commissioner)  # already has access
    notice = Notification.objects.get(recipient=reviewer, kind="sqr_access")
    assert review.reference not in notice.subject + notice.body


def test_revoking_removes_access_at_once(db, personas):
    commissioner = make_commissioner()
    review = open_review(commissioner)
    reviewer = make_reviewer()
    grant(review, reviewer, commissioner)
    assert selectors.access_review(reviewer, review.pk) == review
    services.access_revoke(review=review, user=reviewer, actor=commissioner)
    assert not selectors.visible_reviews(reviewer).exists()
    row = SqrGrant.objects.get(review=review, user=reviewer)
    assert row.revoked_by == commissioner and row.revoked_at is not None
    with pytest.raises(ValidationError):
        services.access_revoke(review=review, user=commissioner, actor=commissioner)


def test_review_steps_and_stale_versions(db, personas, frozen):
    reviewer = make_reviewer()
    review = open_review(reviewer)
    with pytest.raises(ValidationError) as missing:
        services.review_update(
            review=review, actor=reviewer, version=review.version, status=Status.BRIEFED
        )
    assert set(missing.value.message_dict) == {"briefing_held_on", "briefing_participants"}
    review = brief(review, reviewer)
    assert review.status == Status.BRIEFED and review.version == 2
    with pytest.raises(ValidationError) as stale:
        services.review_update(review=review, actor=reviewer, version=1, report="Late")
    assert "version" in stale.value.message_dict
    with pytest.raises(ValidationError) as jump:
        services.review_update(
            review=review, actor=reviewer, version=review.version, status=Status.FINAL
        )
    assert "status" in jump.value.message_dict
    with pytest.raises(ValidationError):
        services.review_update(
            review=review,
            actor=reviewer,
            version=review.version,
            briefing_held_on=clock.today() + timedelta(days=1),
        )


def test_a_report_is_final_only_when_complete_then_locked(db, personas, frozen):
    reviewer = make_reviewer()
    review = brief(open_review(reviewer), reviewer)
    review = services.review_update(
        review=review,
        actor=reviewer,
        version=review.version,
        status=Status.IN_REVIEW,
    )
    review = services.review_update(
        review=review, actor=reviewer, version=review.version, status=Status.REPORT_DRAFT
    )
    with pytest.raises(ValidationError) as incomplete:
        services.review_finalize(review=review, actor=reviewer, version=review.version)
    assert {"records_examined", "report", "__all__"} <= set(incomplete.value.message_dict)

    final = make_final_review(reviewer, [(PRACTICE, INTERNAL, "Safety planning")])
    assert final.status == Status.FINAL and final.report_finalized_at == clock.now()
    with pytest.raises(ValidationError):
        services.finding_add(
            review=final, actor=reviewer, area=PRACTICE, scope=INTERNAL, theme="X", finding="Y"
        )
    with pytest.raises(ValidationError):
        services.review_update(review=final, actor=reviewer, version=final.version, report="New")
    closed = services.review_update(
        review=final, actor=reviewer, version=final.version, status=Status.CLOSED
    )
    assert closed.closed_at == clock.now()


def test_readers_granted_access_do_not_write(db, personas):
    commissioner = make_commissioner()
    review = open_review(commissioner)
    grant(review, personas.supervisor, commissioner)
    with pytest.raises(PermissionDenied):
        services.interview_add(
            review=review,
            actor=personas.supervisor,
            kind="staff",
            who="Worker",
            held_on=clock.today(),
            notes="Notes",
        )
    with pytest.raises(PermissionDenied):
        services.finding_add(
            review=review, actor=make_reviewer(), area=PRACTICE, scope=INTERNAL, theme="T",
            finding="F",
        )  # fmt: skip


def test_external_sharing_is_authorized_by_the_commissioners_office(db, personas):
    commissioner = make_commissioner()
    review = open_review(commissioner)
    fields = {
        "review": review,
        "shared_with": "Jane Roe, Office of the Child Advocate",
        "purpose": "Statutory review",
        "shared_on": clock.today(),
        "actor": commissioner,
    }
    with pytest.raises(ValidationError) as refused:
        services.external_share_record(authorized_by=make_reviewer(), **fields)
    assert "authorized_by" in refused.value.message_dict
    share = services.external_share_record(authorized_by=commissioner, **fields)
    assert share.recorded_by == commissioner
    with pytest.raises(PermissionDenied):
        services.external_share_record(
            **(fields | {"actor": make_commissioner()}), authorized_by=commissioner
        )


def test_recommendation_versions_and_owner_updates(db, personas, frozen):
    commissioner = make_commissioner()
    review = make_final_review(commissioner, [(PRACTICE, INTERNAL, "Supervision")])
    rec = SqrRecommendation.objects.get(finding__review=review)
    owner = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)
    rec = services.recommendation_update(
        recommendation=rec, actor=commissioner, version=rec.version, owner=owner
    )
    with pytest.raises(ValidationError):
        services.recommendation_update(
            recommendation=rec, actor=commissioner, version=1, status="done"
        )
    # The owner reaches the review once granted, and then changes the status only.
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            recommendation=rec, actor=owner, version=rec.version, status="done"
        )
    grant(review, owner, commissioner)
    done = services.recommendation_update(
        recommendation=rec, actor=owner, version=rec.version, status="done"
    )
    assert done.completed_on == clock.today() and done.version == rec.version + 1
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            recommendation=done, actor=owner, version=done.version, due_on=clock.today()
        )


def test_recommendation_reminders_go_once_then_once_overdue(db, personas, time_machine):
    time_machine.move_to(datetime(2026, 11, 2, 14, 0, tzinfo=UTC), tick=False)
    reviewer = make_reviewer()
    review = make_final_review(reviewer, [(PRACTICE, INTERNAL, "Supervision")])
    rec = SqrRecommendation.objects.get(finding__review=review)
    rec.due_on = clock.today() + timedelta(days=10)
    rec.save()
    outsider_owner = make_user(Role.SUPERVISOR, unit=personas.unit)
    other = SqrRecommendation.objects.create(
        finding=rec.finding,
        recommendation="Another",
        owner=outsider_owner,
        due_on=clock.today() + timedelta(days=12),
    )
    SqrRecommendation.objects.create(
        finding=rec.finding,
        recommendation="Done already",
        owner=outsider_owner,
        due_on=clock.today(),
        status=SqrRecommendation.Status.DONE,
    )
    SqrRecommendation.objects.create(
        finding=rec.finding,
        recommendation="Far away",
        owner=outsider_owner,
        due_on=clock.today() + timedelta(days=60),
    )
    assert services.sqr_recommendation_reminders_send(today=clock.today()) == 2
    assert services.sqr_recommendation_reminders_send(today=clock.today()) == 0
    mine = Notification.objects.get(recipient=reviewer)
    assert mine.link == f"/quality/sqr/{review.pk}/"
    theirs = Notification.objects.get(recipient=outsider_owner)
    assert theirs.link == ""  # they do not reach the review
    for notice in (mine, theirs):
        text = notice.subject + notice.body
        assert review.reference not in text and "Another" not in text
    later = clock.today() + timedelta(days=11)
    assert services.sqr_recommendation_reminders_send(today=later) == 1  # rec overdue
    assert services.sqr_recommendation_reminders_send(today=later) == 0
    assert other.pk


def test_the_demo_opens_reviews_that_only_their_team_reaches(db, personas):
    import random

    from quality.demo_sqr import seed_sqr

    commissioner = make_commissioner(username="commissioner")
    reviewer = make_reviewer(username="reviewer")
    for _ in range(4):
        make_event(personas.supervisor)
    made = seed_sqr(random.Random(1))
    assert made == {"reviews": 4, "final": 3, "findings": 12}
    assert selectors.visible_reviews(reviewer).count() == 4
    assert selectors.visible_reviews(commissioner).count() == 4
    assert not selectors.visible_reviews(personas.supervisor).exists()
    assert selectors.learning().enough
