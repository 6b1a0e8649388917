"""Django admin shows a Special Qualitative Review only to those granted it, superusers
included, and logs every admin view."""

import pytest

from quality.models import SqrAccessLog
from tests.quality.factories_sqr import (
    grant,
    make_commissioner,
    make_superuser,
    make_sysadmin,
    open_review,
)

ADMIN = "/admin/quality/specialqualitativereview/"


@pytest.fixture
def commissioner(db):
    return make_commissioner()


@pytest.fixture
def review(commissioner):
    return open_review(commissioner)


def test_a_superuser_without_a_grant_sees_nothing(client, review):
    root = make_superuser()
    client.force_login(root)
    listing = client.get(ADMIN)
    assert listing.status_code in (200, 403)
    assert review.reference not in listing.content.decode()
    search = client.get(ADMIN, {"q": review.reference})
    assert review.reference not in search.content.decode()
    for suffix in ("change/", "history/", "delete/"):
        response = client.get(f"{ADMIN}{review.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert review.reference not in response.content.decode()
    posted = client.post(f"{ADMIN}{review.pk}/change/", {"report": "Overwritten"})
    assert posted.status_code == 404
    review.refresh_from_db()
    assert review.report == ""
    index = client.get("/admin/quality/").content.decode()
    assert "Special Qualitative Review" not in index
    assert not SqrAccessLog.objects.filter(review=review, user=root, action="admin").exists()


def test_a_system_administrator_is_refused(client, review):
    sysadmin = make_sysadmin()
    client.force_login(sysadmin)
    assert client.get(ADMIN).status_code == 403
    response = client.get(f"{ADMIN}{review.pk}/change/")
    assert response.status_code == 404 and review.reference not in response.content.decode()


def test_a_granted_superuser_sees_it_and_the_view_is_logged(client, review, commissioner):
    root = make_superuser()
    grant(review, root, commissioner)
    other = open_review(make_commissioner())
    client.force_login(root)
    listing = client.get(ADMIN).content.decode()
    assert review.reference in listing and other.reference not in listing
    response = client.get(f"{ADMIN}{review.pk}/change/")
    assert response.status_code == 200 and review.event.reference in response.content.decode()
    assert SqrAccessLog.objects.filter(review=review, user=root, action="admin").count() == 1
    assert client.get(f"{ADMIN}{other.pk}/change/").status_code == 404


def test_the_review_team_saves_through_the_service(client, review, commissioner):
    commissioner.is_staff = True
    commissioner.save()
    client.force_login(commissioner)
    url = f"{ADMIN}{review.pk}/change/"
    form = {
        "status": "open",
        "briefing_held_on": "",
        "briefing_participants": "",
        "records_examined": "Case file",
        "report": "",
        "seen_version": 1,
    }
    for prefix in ("interviews", "findings", "grants", "external_shares", "access_log"):
        form[f"{prefix}-TOTAL_FORMS"] = 0
        form[f"{prefix}-INITIAL_FORMS"] = 0
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert review.records_examined == "Case file" and review.version == 2
    refused = client.post(url, {**form, "status": "final", "seen_version": 2})
    assert refused.status_code == 200 and "Make the report final" in refused.content.decode()
