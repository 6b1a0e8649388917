"""/api/quality/sqr/: only granted reviews, 404 for everyone else, each reach logged."""

from datetime import timedelta

import pytest

from agency import clock
from agency.roles import Role
from quality.models import SpecialQualitativeReview, SqrAccessLog, SqrFinding
from tests.factories import make_user
from tests.quality.factories_sqr import (
    grant,
    make_commissioner,
    make_event,
    make_reviewer,
    make_superuser,
    make_sysadmin,
    open_review,
)

API = "/api/quality/sqr/"


@pytest.fixture
def commissioner(db):
    return make_commissioner()


@pytest.fixture
def review(commissioner):
    return open_review(commissioner)


def test_nobody_without_a_grant_reaches_a_review_through_the_api(client, review, personas):
    outsiders = [
        personas.supervisor,
        make_user(Role.AREA_ADMINISTRATOR, location=personas.office),
        make_reviewer(),
        make_commissioner(),
        make_sysadmin(),
        make_superuser(),
    ]
    for user in outsiders:
        client.force_login(user)
        listing = client.get(API, {"q": review.reference})
        assert listing.status_code == 200 and listing.json()["count"] == 0
        for sub in ("", "findings/", "recommendations/", "interviews/"):
            assert client.get(f"{API}{review.pk}/{sub}").status_code == 404, sub
        assert client.post(f"{API}{review.pk}/findings/", {}).status_code == 404
        patched = client.patch(
            f"{API}{review.pk}/", {"version": 1, "report": "x"}, content_type="application/json"
        )
        assert patched.status_code == 404
        rec = client.patch(
            f"{API}{review.pk}/recommendations/1/",
            {"version": 1, "status": "done"},
            content_type="application/json",
        )
        assert rec.status_code == 404
        assert not SqrAccessLog.objects.filter(review=review, user=user, action="api").exists()
    client.logout()
    assert client.get(f"{API}{review.pk}/").status_code in (401, 403)


def test_a_granted_user_reads_and_each_reach_is_logged(client, review, commissioner, personas):
    grant(review, personas.supervisor, commissioner)
    client.force_login(personas.supervisor)
    assert [r["reference"] for r in client.get(API).json()["results"]] == [review.reference]
    for n, sub in enumerate(("", "findings/", "recommendations/", "interviews/"), start=1):
        assert client.get(f"{API}{review.pk}/{sub}").status_code == 200
        logged = SqrAccessLog.objects.filter(review=review, user=personas.supervisor, action="api")
        assert logged.count() == n
    # Readers do not write.
    body = {"area": "practice", "scope": "internal", "theme": "T", "finding": "F"}
    assert client.post(f"{API}{review.pk}/findings/", body).status_code == 403


def test_the_review_team_writes_with_versions(client, commissioner, personas):
    event = make_event(personas.supervisor)
    client.force_login(commissioner)
    opened = client.post(API, {"event": event.pk})
    assert opened.status_code == 201
    pk = opened.json()["id"]
    assert SpecialQualitativeReview.objects.get(pk=pk).event == event
    assert client.post(API, {"event": 999999}).status_code == 404
    stale = client.patch(
        f"{API}{pk}/", {"version": 5, "report": "x"}, content_type="application/json"
    )
    assert stale.status_code == 400 and "version" in stale.json()
    bad = client.patch(
        f"{API}{pk}/", {"version": 1, "status": "final"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "status" in bad.json()
    finding = client.post(
        f"{API}{pk}/findings/",
        {"area": "systems", "scope": "external", "theme": "Information sharing", "finding": "F"},
    )
    assert finding.status_code == 201
    finding_id = finding.json()["id"]
    rec = client.post(
        f"{API}{pk}/recommendations/",
        {
            "finding": finding_id,
            "recommendation": "Share records",
            "owner": commissioner.pk,
            "due_on": (clock.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert rec.status_code == 201
    rec_id = rec.json()["id"]
    done = client.patch(
        f"{API}{pk}/recommendations/{rec_id}/",
        {"version": 1, "status": "done"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["completed_on"] == clock.today().isoformat()
    other = open_review(make_commissioner())
    other_finding = SqrFinding.objects.create(
        review=other, area="practice", scope="internal", theme="T", finding="F"
    )
    cross = client.post(
        f"{API}{pk}/recommendations/",
        {
            "finding": other_finding.pk,
            "recommendation": "R",
            "owner": commissioner.pk,
            "due_on": clock.today().isoformat(),
        },
    )
    assert cross.status_code == 404
