"""The case-review pages: who may use them, drawing, rating, completing, results."""

import pytest
from django.urls import reverse

from casework.models import Case
from quality.models import CaseReview, ItemRating, ReviewSample
from tests.casework.factories import make_case
from tests.quality.factories_reviews import (
    cfsr,
    items,
    make_commissioner,
    make_completed_review,
    make_review,
    make_reviewer,
)

S = ItemRating.Rating.STRENGTH


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def _pages(review, sample):
    return [
        reverse("quality:reviews"),
        reverse("quality:review_sample_new"),
        reverse("quality:review_sample", args=[sample.pk]),
        reverse("quality:review_detail", args=[review.pk]),
        reverse("quality:review_results"),
        reverse("quality:review_results_csv"),
    ]


def _sample(personas, reviewer):
    return ReviewSample.objects.create(
        instrument=cfsr(),
        work_location=personas.office,
        case_type=Case.Type.IN_HOME,
        size=1,
        seed=7,
        drawn_by=reviewer,
    )


def test_caseworkers_supervisors_and_outsiders_get_403(client, personas, reviewer):
    sample = _sample(personas, reviewer)
    review = make_review(make_case(personas.unit, personas.caseworker), sample=sample)
    for user in (personas.caseworker, personas.supervisor, personas.outsider, personas.ombudsman):
        client.force_login(user)
        for url in _pages(review, sample):
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("quality:review_assign", args=[review.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("quality:reviews")).status_code == 302


def test_the_commissioners_office_reads_but_does_not_write(client, personas, reviewer):
    sample = _sample(personas, reviewer)
    review = make_review(make_case(personas.unit, personas.caseworker), sample=sample)
    client.force_login(make_commissioner())
    for url in _pages(review, sample):
        expected = 403 if url == reverse("quality:review_sample_new") else 200
        assert client.get(url).status_code == expected, url
    item = items(cfsr())[0]
    posted = {"version": 1, f"rating_{item.pk}": S, f"rationale_{item.pk}": "Ok"}
    assert (
        client.post(reverse("quality:review_detail", args=[review.pk]), posted).status_code == 403
    )
    assigned = client.post(
        reverse("quality:review_assign", args=[review.pk]), {"reviewer": reviewer.pk, "version": 1}
    )
    assert assigned.status_code == 403
    assert not ItemRating.objects.exists()


def test_a_missing_review_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("quality:review_detail", args=[999999])).status_code == 404
    assert client.get(reverse("quality:review_sample", args=[999999])).status_code == 404


def test_draw_assign_rate_and_complete(client, personas, reviewer):
    for _ in range(4):
        make_case(personas.unit, personas.caseworker)
    client.force_login(reviewer)
    response = client.post(
        reverse("quality:review_sample_new"),
        {
            "instrument": cfsr().pk,
            "work_location": personas.office.pk,
            "case_type": Case.Type.IN_HOME,
            "size": 2,
            "seed": 5,
            "label": "Spring",
        },
    )
    sample = ReviewSample.objects.get()
    assert response.status_code == 302 and sample.seed == 5
    review = CaseReview.objects.filter(sample=sample).first()
    response = client.post(
        reverse("quality:review_assign", args=[review.pk]), {"reviewer": reviewer.pk, "version": 1}
    )
    assert response.status_code == 302
    home = client.get(reverse("quality:reviews"))
    assert review.case.number in home.content.decode()

    url = reverse("quality:review_detail", args=[review.pk])
    page = client.get(url)
    assert "Safety 1" in page.content.decode() and "Well-Being 3" in page.content.decode()
    all_items = items(cfsr())
    # No rationale: refused, shown beside the item, nothing saved.
    response = client.post(url, {"version": 2, f"rating_{all_items[0].pk}": S})
    assert response.status_code == 200
    assert "say why you rated it so" in response.content.decode()
    assert not ItemRating.objects.exists()

    data = {"version": 2}
    for item in all_items:
        data[f"rating_{item.pk}"] = S
        data[f"rationale_{item.pk}"] = f"Item {item.number} well documented."
    response = client.post(url, {**data, "complete": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == CaseReview.Status.COMPLETED
    assert "Substantially achieved" in client.get(url).content.decode()


def test_a_stale_form_is_refused(client, personas, reviewer):
    review = make_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    item = items(cfsr())[0]
    client.force_login(reviewer)
    url = reverse("quality:review_detail", args=[review.pk])
    posted = {"version": 1, f"rating_{item.pk}": S, f"rationale_{item.pk}": "Ok"}
    assert client.post(url, posted).status_code == 302
    page = client.get(url).content.decode()
    assert f'name="rating_{item.pk}" id="id_rating_{item.pk}_0" value="strength" checked' in page
    response = client.post(url, posted)
    assert response.status_code == 200
    assert "Someone else changed this review" in response.content.decode()


def test_results_drill_down_and_csv(client, personas, reviewer):
    here = make_completed_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
    make_completed_review(
        make_case(personas.other_unit, personas.other_caseworker),
        reviewer=reviewer,
        default=ItemRating.Rating.AREA_NEEDING_IMPROVEMENT,
    )
    client.force_login(reviewer)
    state = client.get(reverse("quality:review_results")).content.decode()
    assert personas.office.name in state and personas.other_office.name in state
    assert "50.0%" in state
    office = client.get(reverse("quality:review_results"), {"office": personas.office.pk})
    body = office.content.decode()
    assert reverse("quality:review_detail", args=[here.pk]) in body
    assert "100.0%" in body
    csv = client.get(reverse("quality:review_results_csv")).content.decode()
    assert "total,State,2,Safety 1,1,0,1,0,2,50.0" in csv
    assert personas.other_office.name in csv


def test_lists_run_a_fixed_number_of_queries(
    client, personas, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)

    def grow(sample=None):
        sample = sample or _sample(personas, reviewer)
        for _ in range(3):
            make_review(
                make_case(personas.unit, personas.caseworker), sample=sample, reviewer=reviewer
            )
            make_completed_review(make_case(personas.unit, personas.caseworker), reviewer=reviewer)
        return sample

    sample = grow()
    urls = [
        reverse("quality:reviews"),
        reverse("quality:review_sample", args=[sample.pk]),
        reverse("quality:review_results"),
        reverse("quality:review_results") + f"?office={personas.office.pk}",
    ]
    for url in urls:
        client.get(url)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for _ in range(3):
        grow(sample)
        grow()
    assert CaseReview.objects.filter(sample=sample).count() == 12
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
