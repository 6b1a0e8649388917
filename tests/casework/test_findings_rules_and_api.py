"""Investigation findings on allegations: the rules (casework.services.findings), the
intake page's forms and the API (/api/casework/allegations/{id}/finding/)."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agency.calendar import TIMEZONE
from agency.roles import Role
from casework.models import Case, Intake
from casework.services.findings import allegation_finding_record
from tests.casework.test_intake_services import accept_intake
from tests.factories import make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=TIMEZONE)
ACCEPTED = datetime(2026, 11, 2, 23, 30, tzinfo=TIMEZONE)  # late evening: still 2 Nov


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def make_allegation(personas, *, track=Intake.Track.INVESTIGATION):
    """An intake accepted through the service (24 hours and high risk: an investigation;
    72 hours and low risk: Family Assessment Response) about one child, Leo."""
    risky = track == Intake.Track.INVESTIGATION
    intake = accept_intake(
        personas,
        accepted_at=ACCEPTED,
        response_time=Intake.ResponseTime.H24 if risky else Intake.ResponseTime.H72,
        risk_level=Intake.Risk.HIGH if risky else Intake.Risk.LOW,
    )
    assert intake.track == track
    return intake.allegations.get()


@pytest.fixture
def allegation(personas, now):
    return make_allegation(personas)


def record(allegation, actor, finding="substantiated", finding_on=date(2026, 11, 20)):
    return allegation_finding_record(
        allegation=allegation, actor=actor, finding=finding, finding_on=finding_on
    )


# --- rules ----------------------------------------------------------------------------------


def test_a_worker_records_the_finding_and_may_correct_it(personas, allegation):
    record(allegation, personas.caseworker)
    allegation.refresh_from_db()
    assert (allegation.finding, allegation.finding_on, allegation.finding_by) == (
        "substantiated",
        date(2026, 11, 20),
        personas.caseworker,
    )
    record(allegation, personas.supervisor, "unsubstantiated", date(2026, 11, 21))
    allegation.refresh_from_db()
    assert (allegation.finding, allegation.finding_by) == ("unsubstantiated", personas.supervisor)
    assert [h.finding for h in allegation.history.order_by("history_date")] == [
        "pending",
        "substantiated",
        "unsubstantiated",
    ]


def test_the_day_the_report_was_accepted_is_allowed_the_day_before_is_not(personas, allegation):
    with pytest.raises(ValidationError) as refused:
        record(allegation, personas.caseworker, finding_on=date(2026, 11, 1))
    assert "before the report was accepted (2 Nov 2026)" in str(refused.value.message_dict)
    record(allegation, personas.caseworker, finding_on=date(2026, 11, 2))
    allegation.refresh_from_db()
    assert allegation.finding_on == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("finding", "finding_on", "field", "message"),
    [
        ("substantiated", date(2026, 11, 24), "finding_on", "in the future"),
        ("substantiated", None, "finding_on", "Say when"),
        ("pending", date(2026, 11, 20), "finding", "substantiated or unsubstantiated"),
        ("maybe", date(2026, 11, 20), "finding", "substantiated or unsubstantiated"),
    ],
)
def test_bad_findings_are_refused_and_nothing_saved(
    personas, allegation, finding, finding_on, field, message
):
    with pytest.raises(ValidationError) as refused:
        record(allegation, personas.caseworker, finding, finding_on)
    assert message in " ".join(refused.value.message_dict[field])
    allegation.refresh_from_db()
    assert (allegation.finding, allegation.finding_on) == ("pending", None)


def test_family_assessment_intakes_make_no_finding(personas, now):
    far = make_allegation(personas, track=Intake.Track.FAMILY_ASSESSMENT)
    with pytest.raises(ValidationError) as refused:
        record(far, personas.caseworker)
    assert "investigations only" in str(refused.value)


def test_a_closed_case_takes_no_finding(personas, allegation):
    Case.objects.filter(pk=allegation.intake.case_id).update(
        status=Case.Status.CLOSED, closed_on=date(2026, 11, 22), closing_reason="Done"
    )
    with pytest.raises(ValidationError):
        record(allegation, personas.caseworker)


def test_only_workers_who_may_change_the_case_record_findings(personas, allegation):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    for actor in (personas.other_caseworker, reviewer, personas.outsider):
        with pytest.raises(PermissionDenied):
            record(allegation, actor)
    allegation.refresh_from_db()
    assert allegation.finding == "pending"


# --- the intake page ----------------------------------------------------------------------


def test_the_intake_page_shows_the_finding_and_a_form_per_allegation(client, personas, allegation):
    client.force_login(personas.caseworker)
    page = client.get(reverse("casework:intake_detail", args=[allegation.intake_id])).text
    assert "Allegations and findings" in page
    assert reverse("casework:allegation_finding", args=[allegation.pk]) in page
    assert f'name="allegation-{allegation.pk}-finding"' in page
    record(allegation, personas.caseworker)
    page = client.get(reverse("casework:intake_detail", args=[allegation.intake_id])).text
    assert "Substantiated</span> on" in page and "20 Nov 2026" in page


def test_readers_see_the_finding_without_a_form(client, personas, allegation):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    client.force_login(reviewer)
    page = client.get(reverse("casework:intake_detail", args=[allegation.intake_id])).text
    assert "Allegations and findings" in page and "Pending" in page
    assert reverse("casework:allegation_finding", args=[allegation.pk]) not in page


def test_posting_a_finding_from_the_page(client, personas, allegation):
    client.force_login(personas.caseworker)
    url = reverse("casework:allegation_finding", args=[allegation.pk])
    prefix = f"allegation-{allegation.pk}"
    bad = client.post(
        url, {f"{prefix}-finding": "substantiated", f"{prefix}-finding_on": "2026-10-01"}
    )
    assert bad.status_code == 200 and "before the report was accepted" in bad.text
    good = client.post(
        url, {f"{prefix}-finding": "substantiated", f"{prefix}-finding_on": "2026-11-20"}
    )
    assert good.status_code == 302 and good["Location"].endswith("#findings")
    allegation.refresh_from_db()
    assert allegation.finding == "substantiated"


def test_the_finding_page_is_404_outside_the_case_and_403_for_readers(client, personas, allegation):
    url = reverse("casework:allegation_finding", args=[allegation.pk])
    client.force_login(personas.other_caseworker)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    assert client.post(url, {}).status_code == 403
    client.force_login(personas.caseworker)
    assert client.get(reverse("casework:allegation_finding", args=[999999])).status_code == 404


# --- the API ----------------------------------------------------------------------------------


def api(allegation_id):
    return f"/api/casework/allegations/{allegation_id}/finding/"


def test_the_api_records_a_finding(client, personas, allegation):
    client.force_login(personas.caseworker)
    response = client.post(
        api(allegation.pk),
        {"finding": "unsubstantiated", "finding_on": "2026-11-20"},
        "application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["finding"], data["finding_on"], data["finding_by"]) == (
        "unsubstantiated",
        "2026-11-20",
        personas.caseworker.pk,
    )
    intake = client.get(f"/api/casework/intakes/{allegation.intake_id}/").json()
    assert intake["allegations"][0]["finding"] == "unsubstantiated"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"finding_on": "2026-11-20"}, "finding"),
        ({"finding": "pending", "finding_on": "2026-11-20"}, "finding"),
        ({"finding": "substantiated"}, "finding_on"),
        ({"finding": "substantiated", "finding_on": "2026-12-01"}, "finding_on"),
        ({"finding": "substantiated", "finding_on": "2026-10-31"}, "finding_on"),
    ],
)
def test_the_api_answers_bad_input_with_a_field_map(client, personas, allegation, body, field):
    client.force_login(personas.caseworker)
    response = client.post(api(allegation.pk), body, "application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_is_404_outside_the_callers_cases_and_403_for_readers(client, personas, allegation):
    body = {"finding": "substantiated", "finding_on": "2026-11-20"}
    client.force_login(personas.other_caseworker)
    assert client.post(api(allegation.pk), body, "application/json").status_code == 404
    assert client.get(f"/api/casework/allegations/{allegation.pk}/").status_code == 404
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    assert client.get(f"/api/casework/allegations/{allegation.pk}/").status_code == 200
    assert client.post(api(allegation.pk), body, "application/json").status_code == 403
    client.force_login(personas.outsider)
    assert client.post(api(allegation.pk), body, "application/json").status_code in (403, 404)
    allegation.refresh_from_db()
    assert allegation.finding == "pending"


def test_the_api_refuses_a_finding_on_family_assessment(client, personas, now):
    far = make_allegation(personas, track=Intake.Track.FAMILY_ASSESSMENT)
    client.force_login(personas.caseworker)
    response = client.post(
        api(far.pk), {"finding": "substantiated", "finding_on": "2026-11-20"}, "application/json"
    )
    assert response.status_code == 400
    assert "investigations only" in str(response.json())
