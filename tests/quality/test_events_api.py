"""The significant-events API: the same gatekeeper as the pages, 400 with a field map,
PATCH with a version, and the aggregate report as JSON."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from agency.models import Notification
from agency.roles import Role
from casework.models import CaseMember
from quality.models import SignificantEvent
from tests.casework.factories import add_member, make_case
from tests.factories import make_user
from tests.quality.factories_events import make_event, notify, record_event

NOW = "2026-11-23 10:00:00-05:00"
EASTERN = ZoneInfo("America/New_York")
Kind = SignificantEvent.Kind
URL = "/api/quality/events/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


@pytest.fixture
def child(case):
    return add_member(case, CaseMember.Role.CHILD).person


@pytest.fixture
def reviewer(personas):
    return make_user(Role.QUALITY_REVIEWER, location=personas.central, username="reviewer")


def body(**fields) -> dict:
    return {
        "kind": Kind.EMERGENCY_SAFETY_INTERVENTION,
        "occurred_at": "2026-11-23T08:15:00-05:00",
        "facility": "Riverview Hospital for Children",
        "description": "A brief physical hold; no injury.",
        "reporter": "Shift supervisor",
        **fields,
    }


def test_create_returns_the_event_and_notifies(
    api, personas, case, child, reviewer, django_capture_on_commit_callbacks
):
    notify(reviewer, Kind.EMERGENCY_SAFETY_INTERVENTION)
    api.force_authenticate(personas.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, body(case=case.pk, persons=[child.pk]), format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["reference"].startswith("SE-2026-")
    assert data["version"] == 1 and data["case_number"] == case.number
    assert data["persons"] == [child.pk]
    assert data["recorded_by"] == personas.caseworker.pk
    assert Notification.objects.filter(recipient=reviewer, kind="significant_event").count() == 1


def test_create_answers_400_with_a_field_map(api, personas, case):
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    api.force_authenticate(personas.caseworker)
    response = api.post(
        URL,
        body(
            occurred_at="2026-11-24T08:00:00-05:00",
            facility="",
            case=case.pk,
            persons=[stranger.pk],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.data) == {"occurred_at", "facility", "persons"}
    missing = api.post(URL, {"kind": "flood"}, format="json")
    assert missing.status_code == 400
    assert {"kind", "occurred_at", "description", "reporter"} <= set(missing.data)
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    refused = api.post(URL, body(case=hidden.pk), format="json")
    assert refused.status_code == 400 and "case" in refused.data
    assert not SignificantEvent.objects.exists()


@pytest.mark.parametrize("who", ["ombudsman", "outsider"])
def test_roles_without_events_get_403(api, personas, who):
    api.force_authenticate(getattr(personas, who))
    assert api.get(URL).status_code == 403
    assert api.post(URL, body(), format="json").status_code == 403
    assert api.get(URL + "report/").status_code == 403


def test_anonymous_gets_403_or_401(api):
    assert api.get(URL).status_code in (401, 403)


def test_list_and_retrieve_through_the_gatekeeper(api, personas, case):
    mine = record_event(personas.caseworker, case=case)
    hidden = record_event(personas.other_caseworker)
    api.force_authenticate(personas.caseworker)
    listed = api.get(URL)
    assert listed.status_code == 200
    assert [row["reference"] for row in listed.data["results"]] == [mine.reference]
    assert api.get(f"{URL}{mine.pk}/").status_code == 200
    assert api.get(f"{URL}{hidden.pk}/").status_code == 404
    assert api.patch(f"{URL}{hidden.pk}/", {"version": 1}, format="json").status_code == 404
    assert api.get(f"{URL}999999/").status_code == 404


def test_list_filters(api, personas, reviewer):
    make_event(reviewer, occurred_at=datetime(2026, 11, 1, tzinfo=EASTERN),
               kind=Kind.CHILD_FATALITY, description="Found unresponsive")  # fmt: skip
    make_event(reviewer, occurred_at=datetime(2026, 10, 1, tzinfo=EASTERN))
    api.force_authenticate(reviewer)
    assert api.get(URL, {"kind": Kind.CHILD_FATALITY}).data["count"] == 1
    assert api.get(URL, {"date_from": "2026-10-15"}).data["count"] == 1
    assert api.get(URL, {"q": "unresponsive"}).data["count"] == 1
    bad = api.get(URL, {"kind": "flood", "date_from": "soon"})
    assert bad.status_code == 400 and {"kind", "date_from"} <= set(bad.data)


def test_patch_needs_the_version_and_refuses_a_stale_one(api, personas):
    event = record_event(personas.caseworker)
    api.force_authenticate(personas.caseworker)
    url = f"{URL}{event.pk}/"
    without = api.patch(url, {"reporter": "Police"}, format="json")
    assert without.status_code == 400 and "version" in without.data
    ok = api.patch(url, {"reporter": "Police", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.data["version"] == 2 and ok.data["reporter"] == "Police"
    stale = api.patch(url, {"reporter": "Someone", "version": 1}, format="json")
    assert stale.status_code == 400 and "version" in stale.data
    event.refresh_from_db()
    assert event.reporter == "Police"


def test_patch_is_403_for_a_viewer_who_may_not_change_it(api, personas, reviewer):
    event = record_event(reviewer, work_location=personas.office)
    api.force_authenticate(personas.supervisor)
    assert api.get(f"{URL}{event.pk}/").status_code == 200
    response = api.patch(f"{URL}{event.pk}/", {"version": 1, "reporter": "X"}, format="json")
    assert response.status_code == 403


def test_report_as_json(api, personas, reviewer):
    def event(day, kind=Kind.SERIOUS_OCCURRENCE, **fields):
        make_event(reviewer, occurred_at=datetime(2026, 11, day, 12, tzinfo=EASTERN), kind=kind,
                   **fields)  # fmt: skip

    event(2, work_location=personas.office)
    event(3, Kind.CHILD_FATALITY, work_location=personas.office)
    event(4, facility="Riverview")
    api.force_authenticate(reviewer)
    response = api.get(URL + "report/", {"period": "month", "month": "2026-11"})
    assert response.status_code == 200
    data = response.data
    assert data["period"] == "month" and data["label"] == "November 2026"
    assert data["total"] == 3
    assert data["totals"][Kind.SERIOUS_OCCURRENCE] == 2
    assert data["places"][0] == {
        "place": "Hartford Area Office",
        "work_location": personas.office.pk,
        "counts": {
            Kind.CHILD_FATALITY: 1,
            Kind.NEAR_FATALITY: 0,
            Kind.EMERGENCY_SAFETY_INTERVENTION: 0,
            Kind.SERIOUS_OCCURRENCE: 1,
            Kind.ADVERSE_EVENT_RESEARCH: 0,
        },
        "total": 2,
    }
    assert data["places"][1]["place"] == "Riverview" and data["places"][1]["work_location"] is None
    assert [m["month"] for m in data["months"]][-1] == "2026-11"
    assert len(data["months"]) == 12
    bad = api.get(URL + "report/", {"period": "year", "year": "1999"})
    assert bad.status_code == 400 and "period" in bad.data


def test_report_is_403_for_caseworkers(api, personas):
    api.force_authenticate(personas.caseworker)
    assert api.get(URL + "report/").status_code == 403
