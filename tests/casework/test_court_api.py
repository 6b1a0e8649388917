"""The court API (/api/casework/petitions/, /api/casework/hearings/), through HTTP."""

from datetime import date

import pytest

from agency.roles import Role
from casework.models import CourtHearing, CourtPetition, PermanencyDecision, RecordView
from casework.selectors.placements import placement_flags
from casework.services import court as services
from tests.casework.factories_meetings import NOW, TODAY, family_case, local, place
from tests.factories import make_user

PETITIONS = "/api/casework/petitions/"
HEARINGS = "/api/casework/hearings/"
COURT = "Superior Court for Juvenile Matters, Hartford"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return family_case(personas)


@pytest.fixture
def petition(personas, family):
    return services.petition_file(
        case=family.case,
        actor=personas.caseworker,
        child=family.child,
        kind=CourtPetition.Kind.NEGLECT,
        filed_on=date(2026, 1, 5),
        court=COURT,
    )


@pytest.fixture
def hearing(personas, family):
    return services.hearing_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=CourtHearing.Kind.PERMANENCY,
        scheduled_for=local(2026, 12, 10, 9, 30),
        court=COURT,
    )


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def call(client, method, path, body=None):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


def endpoints(petition, hearing):
    return [
        ("get", f"{PETITIONS}{petition.pk}/"),
        ("patch", f"{PETITIONS}{petition.pk}/"),
        ("get", f"{HEARINGS}{hearing.pk}/"),
        ("patch", f"{HEARINGS}{hearing.pk}/"),
        ("post", f"{HEARINGS}{hearing.pk}/record/"),
        ("post", f"{HEARINGS}{hearing.pk}/report-filed/"),
    ]


BODY = {
    "version": 1,
    "court": "Elsewhere",
    "status": "cancelled",
    "outcome": "x",
    "filed_on": "2026-11-20",
}


def unchanged(petition, hearing):
    return (
        CourtPetition.objects.get(pk=petition.pk).version,
        CourtHearing.objects.get(pk=hearing.pk).version,
        CourtHearing.objects.get(pk=hearing.pk).report_filed_on,
    ) == (1, 1, None)


# --- who may call what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_caseworker", "ombudsman"])
def test_callers_outside_the_case_get_404_and_change_nothing(
    client, personas, family, petition, hearing, who
):
    client.force_login(getattr(personas, who))
    for method, path in endpoints(petition, hearing):
        assert call(client, method, path, BODY).status_code == 404, (method, path)
    assert client.get(PETITIONS).json()["count"] == 0
    assert client.get(HEARINGS).json()["count"] == 0
    body = {"case": family.case.pk, "child": family.child.pk, "kind": "tpr",
            "filed_on": "2026-11-20", "court": COURT}  # fmt: skip
    assert call(client, "post", PETITIONS, body).status_code == 404
    assert not PermanencyDecision.objects.exists()
    assert unchanged(petition, hearing)


def test_accounts_without_a_role_are_refused(client, personas, hearing):
    assert client.get(HEARINGS).status_code in (401, 403)
    client.force_login(personas.outsider)
    assert client.get(HEARINGS).status_code == 403
    assert client.get(f"{HEARINGS}{hearing.pk}/").status_code == 403


def test_readers_get_court_work_and_403_on_writes(client, personas, petition, hearing):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))
    for method, path in endpoints(petition, hearing):
        expected = 200 if method == "get" else 403
        assert call(client, method, path, BODY).status_code == expected, (method, path)
    assert unchanged(petition, hearing)


# --- petitions -------------------------------------------------------------------------------


def test_filing_a_tpr_petition_answers_the_15_of_22_flag(as_caseworker, family):
    place(family.case, family.child, date(2025, 2, 1))
    assert placement_flags([family.case], today=TODAY)

    response = call(
        as_caseworker,
        "post",
        PETITIONS,
        {
            "case": family.case.pk,
            "child": family.child.pk,
            "kind": "tpr",
            "filed_on": "2026-11-20",
            "court": COURT,
            "docket_number": "H12-CP26-9",
        },
    )

    assert response.status_code == 201, response.json()
    decision = PermanencyDecision.objects.get()
    assert response.json()["permanency_decision"] == decision.pk
    assert decision.petition_id == response.json()["id"]
    assert placement_flags([family.case], today=TODAY) == {}
    listing = as_caseworker.get(PETITIONS + f"?case={family.case.pk}&kind=tpr").json()
    assert [p["permanency_decision"] for p in listing["results"]] == [decision.pk]


def test_a_bad_petition_is_400_with_a_field_map(as_caseworker, personas, family):
    other = family_case(personas)
    body = {"case": family.case.pk, "child": other.child.pk, "kind": "tpr",
            "filed_on": "2026-11-20", "court": COURT}  # fmt: skip
    response = call(as_caseworker, "post", PETITIONS, body)
    assert response.json() == {"child": [f"Not a child on this case: person {other.child.pk}."]}
    body |= {"child": family.child.pk, "court": "", "filed_on": "2026-12-20"}
    response = call(as_caseworker, "post", PETITIONS, body)
    assert response.status_code == 400
    assert set(response.json()) == {"court", "filed_on"}
    assert not CourtPetition.objects.exists()
    assert not PermanencyDecision.objects.exists()


def test_recording_the_decision_with_the_version(as_caseworker, petition):
    response = call(
        as_caseworker,
        "patch",
        f"{PETITIONS}{petition.pk}/",
        {"version": 1, "status": "granted", "decided_on": "2026-03-02"},
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["version"]) == ("granted", 2)
    response = call(as_caseworker, "patch", f"{PETITIONS}{petition.pk}/", {"status": "denied"})
    assert response.status_code == 400
    assert "version" in response.json()


# --- hearings --------------------------------------------------------------------------------


def test_a_hearing_answers_with_its_report_due_day_and_moves_with_it(as_caseworker, family):
    response = call(
        as_caseworker,
        "post",
        HEARINGS,
        {
            "case": family.case.pk,
            "kind": "review",
            "scheduled_for": "2026-12-04T09:00:00-05:00",
            "court": COURT,
            "child": family.child.pk,
        },
    )
    assert response.status_code == 201, response.json()
    hearing = response.json()
    assert (hearing["report_due_on"], hearing["report_state"]) == ("2026-11-24", "due_soon")
    assert RecordView.objects.count() == 0  # creating is not opening

    response = call(
        as_caseworker,
        "patch",
        f"{HEARINGS}{hearing['id']}/",
        {"version": 1, "scheduled_for": "2027-01-14T09:00:00-05:00"},
    )
    assert (response.json()["report_due_on"], response.json()["report_state"]) == (
        "2027-01-04",
        "due",
    )
    upcoming = as_caseworker.get(HEARINGS + "?report_due=1").json()
    assert [h["id"] for h in upcoming["results"]] == [hearing["id"]]


def test_a_hearing_without_a_court_is_400_and_nothing_saved(as_caseworker, family):
    response = call(
        as_caseworker,
        "post",
        HEARINGS,
        {"case": family.case.pk, "kind": "review", "scheduled_for": None, "court": ""},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"court", "scheduled_for"}
    assert response.json()["court"][0].startswith("Name the court")
    assert not CourtHearing.objects.exists()


def test_recording_the_outcome_and_the_report_filed(as_caseworker, personas, family):
    hearing = services.hearing_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=CourtHearing.Kind.REVIEW,
        scheduled_for=local(2026, 11, 23, 9, 0),
        court=COURT,
    )
    response = call(
        as_caseworker,
        "post",
        f"{HEARINGS}{hearing.pk}/report-filed/",
        {"version": 1, "filed_on": "2026-11-20"},
    )
    assert response.json()["report_state"] == "filed_late"
    response = call(
        as_caseworker,
        "post",
        f"{HEARINGS}{hearing.pk}/record/",
        {
            "version": 2,
            "status": "held",
            "outcome": "Plan approved.",
            "next_hearing": {"kind": "permanency", "scheduled_for": "2027-05-11T09:00:00-04:00"},
        },
    )
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["status"] == "held"
    following = CourtHearing.objects.get(pk=answer["next_hearing"])
    assert (following.court, following.report_due_on) == (COURT, date(2027, 5, 1))
    response = call(
        as_caseworker,
        "post",
        f"{HEARINGS}{hearing.pk}/record/",
        {"version": 3, "status": "held", "outcome": "Again."},
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This hearing is already held."]}


def test_the_hearings_list_runs_a_fixed_number_of_queries(
    as_caseworker, personas, family, django_assert_max_num_queries
):
    services.hearing_schedule(case=family.case, actor=personas.caseworker, kind="review",
                              scheduled_for=local(2026, 12, 1, 9, 0), court=COURT)  # fmt: skip
    as_caseworker.get(HEARINGS)
    with django_assert_max_num_queries(12) as one:
        as_caseworker.get(HEARINGS)
    for day in range(2, 12):
        services.hearing_schedule(
            case=family.case,
            actor=personas.caseworker,
            kind="review",
            scheduled_for=local(2026, 12, day, 9, 0),
            court=COURT,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert as_caseworker.get(HEARINGS).json()["count"] == 11
    with django_assert_max_num_queries(12):
        as_caseworker.get(PETITIONS)
