"""Django admin for instruments, reviews, ACRs and the rules; writes go through the services."""

import random
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model

from casework.models import Case
from quality.demo_reviews import seed_reviews
from quality.models import (
    AdministrativeCaseReview,
    CaseReview,
    QualityRules,
    ReviewOutcome,
    ReviewSample,
)
from tests.casework.factories import make_case
from tests.quality.factories_reviews import cfsr, make_child_in_care, make_review, make_reviewer


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@hearth.example", "x")
    )
    return client


def test_the_instrument_is_editable_with_its_outcomes_and_items(admin_client):
    instrument = cfsr()
    page = admin_client.get(f"/admin/quality/reviewinstrument/{instrument.pk}/change/")
    assert page.status_code == 200 and "Permanency 2" in page.content.decode()
    outcome = ReviewOutcome.objects.get(instrument=instrument, code="Safety 2")
    page = admin_client.get(f"/admin/quality/reviewoutcome/{outcome.pk}/change/")
    assert "Risk and safety assessment" in page.content.decode()


def test_a_reviewer_is_assigned_through_the_service(admin_client, personas):
    reviewer = make_reviewer()
    review = make_review(make_case(personas.unit, personas.caseworker))
    url = f"/admin/quality/casereview/{review.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "reviewer": reviewer.pk,
            "seen_version": 1,
            "ratings-TOTAL_FORMS": 0,
            "ratings-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    review.refresh_from_db()
    assert review.reviewer == reviewer and review.version == 2
    assert review.history.count() == 2


def test_an_acr_is_recorded_through_the_service(admin_client, personas, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
    placement = make_child_in_care(make_case(personas.unit, personas.caseworker), date(2026, 1, 1))
    form = {
        "case": placement.case.pk,
        "child": placement.child.pk,
        "held_on": "2026-12-24",
        "participants": "Facilitator",
        "findings": "Fine",
    }
    refused = admin_client.post("/admin/quality/administrativecasereview/add/", form)
    assert refused.status_code == 200 and "not a future day" in refused.content.decode()
    done = admin_client.post(
        "/admin/quality/administrativecasereview/add/", {**form, "held_on": "2026-11-19"}
    )
    assert done.status_code == 302
    acr = AdministrativeCaseReview.objects.get()
    assert acr.recorded_by.username == "root" and acr.held_on == date(2026, 11, 19)


def test_the_rules_open_as_one_row(admin_client):
    response = admin_client.get("/admin/quality/qualityrules/")
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/admin/quality/qualityrules/{QualityRules.objects.get().pk}/change/"
    )


def test_the_demo_draws_completes_and_records(personas, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)
    make_reviewer()
    make_reviewer()
    for n in range(8):
        case = make_case(personas.unit, personas.caseworker, case_type=Case.Type.OUT_OF_HOME)
        make_child_in_care(case, date(2026, 1, 1 + n))
    made = seed_reviews(random.Random(3), today=date(2026, 11, 20))
    assert made["samples"] == ReviewSample.objects.count() == 1
    assert made["completed"] == CaseReview.objects.filter(status="completed").count() >= 1
    assert CaseReview.objects.filter(status="in_progress").exists()
    assert made["acrs"] == AdministrativeCaseReview.objects.count() >= 1
