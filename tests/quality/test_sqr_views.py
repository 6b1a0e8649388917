"""Special Qualitative Review pages: nobody without a grant reaches a review by any path
(404, and the attempt is logged), each granted reach is logged, grants and revocations
take effect at once, and the learning page shows counts and nothing else."""

from datetime import timedelta
from pathlib import Path

import pytest

from agency import clock
from agency.roles import Role
from quality.models import SpecialQualitativeReview, SqrAccessLog, SqrFinding
from quality.selectors.sqr import MIN_REVIEWS
from quality.views.sqr import BANNER
from tests.factories import make_user
from tests.quality.factories_sqr import (
    EXTERNAL,
    INTERNAL,
    POLICIES,
    PRACTICE,
    SYSTEMS,
    grant,
    make_commissioner,
    make_event,
    make_final_review,
    make_reviewer,
    make_superuser,
    make_sysadmin,
    open_review,
)

ROOT = Path(__file__).resolve().parents[2]


def _paths(review):
    """Every path that reaches a review: (method, url, data)."""
    rec = f"/quality/sqr/{review.pk}/recommendations/"
    return [
        ("get", f"/quality/sqr/{review.pk}/", None),
        ("get", f"/quality/sqr/{review.pk}/print/", None),
        ("get", f"/quality/sqr/{review.pk}/recommendations.csv", None),
        ("get", f"/quality/sqr/{review.pk}/access/", None),
        ("post", f"/quality/sqr/{review.pk}/edit/", {"version": 1, "status": "open"}),
        ("post", f"/quality/sqr/{review.pk}/finalize/", {"version": 1}),
        ("post", f"/quality/sqr/{review.pk}/interviews/", {"kind": "staff"}),
        ("post", f"/quality/sqr/{review.pk}/findings/", {"area": "practice"}),
        ("post", rec, {"finding": 1}),
        ("post", f"{rec}1/", {"version": 1, "status": "done"}),
        ("post", f"/quality/sqr/{review.pk}/access/grant/", {"user": 1}),
        ("post", f"/quality/sqr/{review.pk}/access/1/revoke/", {}),
        ("post", f"/quality/sqr/{review.pk}/shares/", {"shared_with": "x"}),
    ]


@pytest.fixture
def commissioner(db):
    return make_commissioner()


@pytest.fixture
def review(commissioner):
    return open_review(commissioner)


@pytest.fixture
def outsiders(personas):
    """Everyone who holds no grant: by role, model permission or admin status alone."""
    return {
        "supervisor": personas.supervisor,
        "caseworker": personas.caseworker,
        "area administrator": make_user(Role.AREA_ADMINISTRATOR, location=personas.office),
        "quality reviewer": make_reviewer(),
        "commissioner's office": make_commissioner(),
        "system administrator": make_sysadmin(),
        "superuser": make_superuser(),
    }


def test_nobody_without_a_grant_reaches_a_review_by_any_path(client, review, outsiders):
    secret = review.event.description
    for label, user in outsiders.items():
        client.force_login(user)
        for method, url, data in _paths(review):
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 404, (label, url, response.status_code)
            assert review.reference not in response.content.decode()
            assert secret not in response.content.decode()
        # Every attempt on an existing review is in its log, as refused; nothing else is.
        attempts = SqrAccessLog.objects.filter(review=review, user=user)
        assert attempts.count() == len(_paths(review)), label
        assert set(attempts.values_list("action", flat=True)) == {"refused"}
    client.logout()
    assert client.get(f"/quality/sqr/{review.pk}/").status_code == 302  # to log in


def test_a_missing_review_is_404_like_a_forbidden_one(client, commissioner):
    client.force_login(commissioner)
    assert client.get("/quality/sqr/999999/").status_code == 404
    assert client.get("/quality/sqr/999999/print/").status_code == 404


def test_a_granted_reader_reaches_every_view_and_each_reach_is_logged(
    client, review, commissioner, personas
):
    reader = personas.supervisor  # outside quality, granted this one review
    grant(review, reader, commissioner)
    client.force_login(reader)
    expected = [
        (f"/quality/sqr/{review.pk}/", "view"),
        (f"/quality/sqr/{review.pk}/print/", "print"),
        (f"/quality/sqr/{review.pk}/recommendations.csv", "export"),
    ]
    for url, action in expected:
        before = SqrAccessLog.objects.filter(review=review, user=reader, action=action).count()
        response = client.get(url)
        assert response.status_code == 200, url
        after = SqrAccessLog.objects.filter(review=review, user=reader, action=action).count()
        assert after == before + 1, url
    entry = SqrAccessLog.objects.filter(review=review, user=reader).first()
    assert entry.at is not None and entry.what
    # A reader does not change the review, nor grant access (403, logged as a reach).
    assert client.post(f"/quality/sqr/{review.pk}/findings/", {}).status_code == 403
    assert client.get(f"/quality/sqr/{review.pk}/access/").status_code == 403
    # The list shows them the one review granted.
    listing = client.get("/quality/sqr/")
    assert listing.status_code == 200 and review.reference in listing.content.decode()


def test_the_print_view_is_marked_top_and_bottom(client, review, commissioner):
    client.force_login(commissioner)
    page = client.get(f"/quality/sqr/{review.pk}/print/").content.decode()
    assert page.count(BANNER) >= 3  # the title, the top and the bottom
    body = page.split("<body", 1)[1]
    assert body.strip().split("</p>")[0].endswith(BANNER)
    assert body.rstrip().rsplit("<p", 1)[1].find(BANNER) > 0
    assert "hearth/confidential-print.css" in page
    css = (ROOT / "static" / "hearth" / "confidential-print.css").read_text()
    assert "@media print" in css


def test_granting_then_revoking_takes_effect_at_once(client, review, commissioner):
    reviewer = make_reviewer()
    client.force_login(commissioner)
    page = client.get(f"/quality/sqr/{review.pk}/access/")
    assert page.status_code == 200
    granted = client.post(f"/quality/sqr/{review.pk}/access/grant/", {"user": reviewer.pk})
    assert granted.status_code == 302
    client.force_login(reviewer)
    assert client.get(f"/quality/sqr/{review.pk}/").status_code == 200

    client.force_login(commissioner)
    log = client.get(f"/quality/sqr/{review.pk}/access/").content.decode()
    assert reviewer.get_full_name() in log and "review page" in log
    grant_row = review.grants.get(user=reviewer)
    revoked = client.post(f"/quality/sqr/{review.pk}/access/{grant_row.pk}/revoke/")
    assert revoked.status_code == 302
    client.force_login(reviewer)
    assert client.get(f"/quality/sqr/{review.pk}/").status_code == 404
    assert client.get(f"/quality/sqr/{review.pk}/print/").status_code == 404


def test_the_list_shows_only_granted_reviews_and_search_stays_inside(client, commissioner):
    mine = open_review(commissioner)
    others = open_review(make_commissioner())
    reviewer = make_reviewer()
    client.force_login(reviewer)
    empty = client.get("/quality/sqr/", {"q": others.reference})
    assert empty.status_code == 200 and empty.context["page"].paginator.count == 0
    assert f"/quality/sqr/{others.pk}/" not in empty.content.decode()
    client.force_login(commissioner)
    listing = client.get("/quality/sqr/").content.decode()
    assert mine.reference in listing and others.reference not in listing
    found = client.get("/quality/sqr/", {"q": others.reference})
    assert found.context["page"].paginator.count == 0
    assert client.get("/quality/sqr/", {"q": mine.reference}).context["page"].paginator.count == 1


def test_roles_outside_quality_without_a_grant_get_403_on_the_list(client, personas):
    client.force_login(personas.supervisor)
    assert client.get("/quality/sqr/").status_code == 403
    assert client.get("/quality/sqr/learning/").status_code == 403


def test_the_list_costs_the_same_queries_as_reviews_grow(
    client, commissioner, django_assert_max_num_queries
):
    open_review(commissioner)
    client.force_login(commissioner)
    client.get("/quality/sqr/")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/quality/sqr/").status_code == 200
    for _ in range(6):
        open_review(commissioner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/quality/sqr/").status_code == 200


def test_opening_a_review_from_an_event(client, personas):
    reviewer = make_reviewer()
    event = make_event(personas.supervisor)
    client.force_login(personas.supervisor)
    assert client.get(f"/quality/sqr/new/?event={event.pk}").status_code == 403
    client.force_login(reviewer)
    assert client.get("/quality/sqr/new/?event=999999").status_code == 404
    assert client.get(f"/quality/sqr/new/?event={event.pk}").status_code == 200
    response = client.post(f"/quality/sqr/new/?event={event.pk}")
    review = SpecialQualitativeReview.objects.get(event=event)
    assert response.status_code == 302 and response["Location"] == f"/quality/sqr/{review.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_the_review_team_works_through_the_page(client, commissioner, review):
    client.force_login(commissioner)
    url = f"/quality/sqr/{review.pk}/"
    today = clock.today()
    stale = client.post(
        f"{url}edit/",
        {"version": 99, "status": "open", "report": "Draft"},
    )
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    saved = client.post(
        f"{url}edit/",
        {
            "version": 1,
            "status": "briefed",
            "briefing_held_on": today.isoformat(),
            "briefing_participants": "Office\nCentral Office",
        },
    )
    assert saved.status_code == 302
    assert (
        client.post(
            f"{url}interviews/",
            {"kind": "expert", "who": "Pediatrician", "held_on": today.isoformat(), "notes": "N"},
        ).status_code
        == 302
    )
    refused = client.post(f"{url}findings/", {"area": "practice", "scope": "internal"})
    assert refused.status_code == 400 and "usa-error-message" in refused.content.decode()
    assert (
        client.post(
            f"{url}findings/",
            {"area": "practice", "scope": "internal", "theme": "Safety planning", "finding": "F"},
        ).status_code
        == 302
    )
    finding = SqrFinding.objects.get(review=review)
    assert (
        client.post(
            f"{url}recommendations/",
            {
                "finding": finding.pk,
                "recommendation": "Train",
                "owner": commissioner.pk,
                "due_on": (today + timedelta(days=30)).isoformat(),
            },
        ).status_code
        == 302
    )
    rec = finding.recommendations.get()
    assert (
        client.post(
            f"{url}recommendations/{rec.pk}/", {"version": 1, "status": "in_progress"}
        ).status_code
        == 302
    )
    rec.refresh_from_db()
    assert rec.status == "in_progress"
    page = client.get(url).content.decode()
    assert "Pediatrician" in page and "Safety planning" in page
    actions = set(
        SqrAccessLog.objects.filter(review=review, user=commissioner).values_list(
            "action", flat=True
        )
    )
    assert {"open", "view", "change"} <= actions


def test_learning_waits_for_enough_reviews(client, commissioner):
    make_final_review(commissioner, [(PRACTICE, INTERNAL, "Safety planning")])
    client.force_login(make_reviewer())
    page = client.get("/quality/sqr/learning/").content.decode()
    assert f"Fewer than {MIN_REVIEWS} reviews" in page
    assert "Safety planning" not in page


def test_learning_shows_counts_never_references_names_or_text(client, db):
    commissioner = make_commissioner(first_name="Ursula", last_name="Openshaw")
    owner = make_user(Role.AREA_ADMINISTRATOR, first_name="Quentin", last_name="Ownerly")
    reviews = [
        make_final_review(
            commissioner,
            [(PRACTICE, INTERNAL, "Safety planning"), (SYSTEMS, EXTERNAL, "Jane Doe's school")],
            owner=owner,
        ),
        make_final_review(commissioner, [(PRACTICE, INTERNAL, "safety  planning")]),
        make_final_review(commissioner, [(POLICIES, EXTERNAL, "Policy gaps")]),
    ]
    open_review(commissioner)  # not final: not counted
    client.force_login(make_reviewer())  # no grant on any of them
    response = client.get("/quality/sqr/learning/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Safety planning" in page  # two reviews: shown, spellings merged
    assert "Other themes" in page and "Jane Doe" not in page  # one review: folded away
    assert "Policy gaps" not in page
    for review in reviews:
        assert review.reference not in page and review.event.reference not in page
    for secret in ("Secret finding text", "Secret recommendation", "Secret narrative"):
        assert secret not in page
    for name in ("Openshaw", "Ownerly"):
        assert name not in page
    csv_text = client.get("/quality/sqr/learning/?format=csv").content.decode()
    assert "Safety planning,2,0,2,2" in csv_text.replace("\r", "")
    assert "Jane Doe" not in csv_text and "SQR-" not in csv_text


def test_print_and_csv_carry_the_whole_review(client, commissioner):
    review = make_final_review(commissioner, [(PRACTICE, INTERNAL, "Safety planning")])
    client.force_login(commissioner)
    printed = client.get(f"/quality/sqr/{review.pk}/print/").content.decode()
    for text in ("Secret finding text", "Secret recommendation text", "Secret narrative"):
        assert text in printed
    exported = client.get(f"/quality/sqr/{review.pk}/recommendations.csv").content.decode()
    assert BANNER in exported.splitlines()[0] and "Secret recommendation text" in exported
    detail = client.get(f"/quality/sqr/{review.pk}/").content.decode()
    assert "Report final" in detail and "Record a finding" not in detail
