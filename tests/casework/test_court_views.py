"""The court pages, through HTTP: who may open them, what they show, what they save;
the case page's court section with the 15-of-22-months state, the caseload's court
items, the court page and admin."""

import html
import re
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import CourtHearing, CourtPetition, PermanencyDecision, RecordView
from casework.services import court as services
from tests.casework.factories_meetings import NOW, family_case, hearing_row, local, place
from tests.factories import make_user

COURT = "Superior Court for Juvenile Matters, Hartford"


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


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
        kind=CourtPetition.Kind.COMMITMENT,
        filed_on=date(2026, 2, 1),
        court=COURT,
    )


@pytest.fixture
def hearing(personas, family, petition):
    return services.hearing_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=CourtHearing.Kind.PERMANENCY,
        scheduled_for=local(2026, 12, 10, 9, 30),
        court=COURT,
        petition=petition,
    )


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def case_pages(family, petition, hearing):
    case = family.case.pk
    return [
        ("case_court", url("case_court", case), "get"),
        ("petition_new", url("petition_new", case), "get"),
        ("petition_new", url("petition_new", case), "post"),
        ("petition_detail", url("petition_detail", petition.pk), "get"),
        ("petition_edit", url("petition_edit", petition.pk), "get"),
        ("petition_edit", url("petition_edit", petition.pk), "post"),
        ("hearing_new", url("hearing_new", case), "get"),
        ("hearing_new", url("hearing_new", case), "post"),
        ("hearing_detail", url("hearing_detail", hearing.pk), "get"),
        ("hearing_edit", url("hearing_edit", hearing.pk), "get"),
        ("hearing_edit", url("hearing_edit", hearing.pk), "post"),
        ("hearing_record", url("hearing_record", hearing.pk), "get"),
        ("hearing_record", url("hearing_record", hearing.pk), "post"),
        ("hearing_report_filed", url("hearing_report_filed", hearing.pk), "get"),
        ("hearing_report_filed", url("hearing_report_filed", hearing.pk), "post"),
    ]


WRITES = {
    "petition_new",
    "petition_edit",
    "hearing_new",
    "hearing_edit",
    "hearing_record",
    "hearing_report_filed",
}
FORM = {
    "child": "1",
    "kind": "tpr",
    "filed_on": "2026-11-20",
    "court": "Elsewhere",
    "status": "cancelled",
    "outcome": "x",
    "scheduled_for": "2026-12-20T09:00",
    "report_filed_on": "2026-11-20",
    "version": "1",
}


def unchanged(petition, hearing):
    h = CourtHearing.objects.get(pk=hearing.pk)
    p = CourtPetition.objects.get(pk=petition.pk)
    return (
        CourtHearing.objects.count() == 1
        and CourtPetition.objects.count() == 1
        and (h.version, h.status, h.report_filed_on, p.version) == (1, "scheduled", None, 1)
    )


# --- who may open what -----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, family, petition, hearing):
    for _name, path, method in [
        *case_pages(family, petition, hearing),
        ("court_list", url("court_list"), "get"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404_and_change_nothing(
    client, personas, family, petition, hearing, who
):
    client.force_login(getattr(personas, who))
    for name, path, method in case_pages(family, petition, hearing):
        response = getattr(client, method)(path, FORM) if method == "post" else client.get(path)
        assert response.status_code == 404, (name, method)
    assert unchanged(petition, hearing)


@pytest.mark.parametrize("role", [Role.QUALITY_REVIEWER, Role.AREA_ADMINISTRATOR])
def test_readers_see_court_work_but_change_nothing(
    client, personas, family, petition, hearing, role
):
    location = personas.central if role == Role.QUALITY_REVIEWER else personas.office
    client.force_login(make_user(role, location=location))
    for name, path, method in case_pages(family, petition, hearing):
        response = getattr(client, method)(path, FORM) if method == "post" else client.get(path)
        assert response.status_code == (403 if name in WRITES else 200), (name, method)
    assert unchanged(petition, hearing)


def test_the_court_page_is_for_casework_roles(client, personas, family, hearing):
    for who in ("outsider", "ombudsman"):
        client.force_login(getattr(personas, who))
        assert client.get(url("court_list")).status_code == 403
    client.force_login(personas.other_caseworker)
    page = client.get(url("court_list") + "?scope=unit")
    assert page.status_code == 200
    assert family.case.number not in page.text
    client.force_login(personas.caseworker)
    assert family.case.number in client.get(url("court_list")).text


@pytest.mark.parametrize(
    ("name", "obj", "title"),
    [
        ("petition_detail", "petition", "Commitment · {number} · Hearth"),
        ("petition_edit", "petition", "Change the petition · {number} · Hearth"),
        ("hearing_detail", "hearing", "Permanency plan hearing 10 Dec 2026 · {number} · Hearth"),
        ("hearing_edit", "hearing", "Change the hearing · {number} · Hearth"),
        ("hearing_record", "hearing", "Record the hearing · {number} · Hearth"),
        ("hearing_report_filed", "hearing", "Court report filed · {number} · Hearth"),
    ],
)
def test_the_worker_opens_the_court_pages(
    as_caseworker, family, petition, hearing, name, obj, title
):
    target = petition if obj == "petition" else hearing
    response = as_caseworker.get(url(name, target.pk))
    assert response.status_code == 200
    assert page_title(response) == title.format(number=family.case.number)


def test_opening_a_hearing_is_logged_and_says_when_the_report_is_due(
    as_caseworker, family, hearing
):
    response = as_caseworker.get(url("hearing_detail", hearing.pk))
    assert "Due 30 Nov 2026" in response.text
    assert "(10 days before the hearing)" in response.text
    assert RecordView.objects.filter(case=family.case, channel="page").exists()


# --- flows -----------------------------------------------------------------------------------


def test_a_tpr_petition_filed_on_the_page_answers_the_15_of_22_flag(as_caseworker, family):
    place(family.case, family.child, date(2025, 2, 1))
    page = as_caseworker.get(url("case_detail", family.case.pk)).text
    assert "A termination petition, or a documented compelling reason not to file, is needed." in (
        page
    )
    tpr = f"{url('petition_new', family.case.pk)}?kind=tpr&amp;child={family.child.pk}"
    reason = f"{url('permanency_decision_new', family.case.pk)}?child={family.child.pk}"
    assert tpr in page and reason in page

    response = as_caseworker.post(
        url("petition_new", family.case.pk),
        {
            "child": family.child.pk,
            "kind": "tpr",
            "filed_on": "2026-11-20",
            "court": COURT,
            "docket_number": "H12-CP26-1",
        },
    )
    petition = CourtPetition.objects.get()
    assert response["Location"] == url("petition_detail", petition.pk)
    assert PermanencyDecision.objects.get().petition == petition
    page = html.unescape(as_caseworker.get(url("case_detail", family.case.pk)).text)
    assert 'answered by "termination petition filed" on 20 Nov 2026' in page
    assert "is needed" not in page


def test_a_hearing_without_a_court_is_refused_on_the_page(as_caseworker, family):
    response = as_caseworker.post(
        url("hearing_new", family.case.pk),
        {"kind": "review", "scheduled_for": "2026-12-20T09:00", "court": ""},
    )
    assert response.status_code == 400
    assert "Name the court." in response.text
    assert not CourtHearing.objects.exists()


def test_moving_a_hearing_on_the_page_moves_its_report(as_caseworker, hearing):
    response = as_caseworker.post(
        url("hearing_edit", hearing.pk),
        {
            "kind": "permanency",
            "scheduled_for": "2027-01-14T09:30",
            "court": COURT,
            "petition": hearing.petition_id,
            "version": "1",
        },
    )
    assert response["Location"] == url("hearing_detail", hearing.pk)
    hearing.refresh_from_db()
    assert hearing.report_due_on == date(2027, 1, 4)
    # An edit from a form opened before is refused.
    response = as_caseworker.post(
        url("hearing_edit", hearing.pk),
        {"kind": "review", "scheduled_for": "2027-01-20T09:30", "court": COURT, "version": "1"},
    )
    assert response.status_code == 400
    assert "Someone else changed this hearing" in response.text


def test_recording_an_outcome_with_the_next_hearing_and_filing_the_report(
    as_caseworker, personas, family
):
    hearing = services.hearing_schedule(
        case=family.case,
        actor=personas.caseworker,
        kind=CourtHearing.Kind.REVIEW,
        scheduled_for=local(2026, 11, 23, 9, 0),
        court=COURT,
    )
    response = as_caseworker.post(
        url("hearing_report_filed", hearing.pk), {"report_filed_on": "2026-11-16", "version": "1"}
    )
    assert response["Location"] == url("hearing_detail", hearing.pk)
    response = as_caseworker.post(
        url("hearing_record", hearing.pk),
        {"status": "continued", "outcome": "Continued at the father's request.", "version": "2"},
    )
    assert response.status_code == 400
    assert "Say when the hearing was continued to." in response.text
    response = as_caseworker.post(
        url("hearing_record", hearing.pk),
        {
            "status": "continued",
            "outcome": "Continued at the father's request.",
            "next_kind": "review",
            "next_scheduled_for": "2027-01-12T09:00",
            "version": "2",
        },
    )
    assert response["Location"] == url("hearing_detail", hearing.pk)
    hearing.refresh_from_db()
    assert (hearing.status, hearing.report_filed_on) == ("continued", date(2026, 11, 16))
    assert hearing.next_hearing.report_due_on == date(2027, 1, 2)
    page = as_caseworker.get(url("hearing_detail", hearing.next_hearing.pk)).text
    assert "Previous hearing" in page
    for name in ("hearing_edit", "hearing_record"):
        response = as_caseworker.get(url(name, hearing.pk), follow=True)
        assert response.redirect_chain == [(url("hearing_detail", hearing.pk), 302)]
        assert "This hearing is continued; it can no longer be changed." in response.text


# --- the caseload, the court page ------------------------------------------------------------


def test_the_caseload_lists_court_reports_due_and_outcomes_not_recorded(
    as_caseworker, personas, family
):
    hearing_row(family.case, personas.caseworker, local(2026, 12, 4, 9, 0))  # due 24 Nov
    hearing_row(family.case, personas.caseworker, local(2026, 11, 20, 9, 0), kind="review")
    page = html.unescape(as_caseworker.get(url("caseload")).text)
    assert "Court report due 24 Nov (permanency plan hearing 4 Dec)" in page
    assert "Review hearing of 20 Nov: outcome not recorded" in page


def test_the_court_page_lists_hearings_in_fixed_queries(
    client, personas, django_assert_max_num_queries
):
    def fill(n):
        for k in range(n):
            family = family_case(personas)
            hearing_row(family.case, personas.caseworker, local(2026, 12, 1 + k % 20, 9, 0),
                        child=family.child)  # fmt: skip

    fill(1)
    client.force_login(personas.supervisor)
    client.get(url("court_list"))
    with django_assert_max_num_queries(20) as one:
        page = client.get(url("court_list") + "?show=reports")
    assert "Permanency plan hearing" in page.text
    fill(30)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url("court_list") + "?show=upcoming")
    assert "Page 1 of 2" in page.text


def test_a_cases_court_page_runs_fixed_queries(
    as_caseworker, personas, family, hearing, django_assert_max_num_queries
):
    as_caseworker.get(url("case_court", family.case.pk))
    with django_assert_max_num_queries(20) as one:
        as_caseworker.get(url("case_court", family.case.pk))
    for day in range(1, 15):
        hearing_row(family.case, personas.caseworker, local(2026, 10, day, 9), status="held")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = as_caseworker.get(url("case_court", family.case.pk))
    assert page.text.count("Permanency plan hearing") >= 15


# --- admin -----------------------------------------------------------------------------------


def test_admin_shows_petitions_and_hearings_read_only(client, petition, hearing):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    for model, obj in (("courtpetition", petition), ("courthearing", hearing)):
        listing = client.get(f"/admin/casework/{model}/?q=" + obj.case.number)
        change = client.get(f"/admin/casework/{model}/{obj.pk}/change/")
        history = client.get(f"/admin/casework/{model}/{obj.pk}/history/")
        assert listing.status_code == change.status_code == history.status_code == 200
        assert obj.case.number in listing.text
        assert 'name="_save"' not in change.text
        assert client.get(f"/admin/casework/{model}/add/").status_code == 403


def test_the_caseload_follows_a_hearing_that_moves(as_caseworker, personas, family, hearing):
    """Court report due 30 Nov: not yet within the 5 reminder days; moved to 1 Dec, the
    report is due 21 Nov and the caseload says it is overdue."""
    assert "Court report" not in as_caseworker.get(url("caseload")).text
    services.hearing_update(
        hearing=hearing, actor=personas.caseworker, version=1,
        scheduled_for=local(2026, 12, 1, 9, 30),
    )  # fmt: skip
    page = html.unescape(as_caseworker.get(url("caseload")).text)
    assert "Court report overdue (due 21 Nov, permanency plan hearing 1 Dec)" in page
