"""The case page, the caseload, the supervisor's approvals and the cases API."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from agency import clock
from agency.roles import Role
from casework.audit import with_actor
from casework.models import (
    Assessment,
    Case,
    CaseMember,
    CasePlan,
    IffContact,
    Placement,
    RecordView,
    Visit,
    VisitParticipant,
)
from casework.selectors.cases import case_timeline
from tests.casework.factories import add_member, make_case, make_intake
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    case = make_case(personas.unit, personas.caseworker, name="Rivera family")
    add_member(case, CaseMember.Role.CHILD, alleged_victim=True)
    add_member(case, CaseMember.Role.MOTHER)
    return case


def add_pending_iff(case, worker, *, due_in: timedelta):
    intake = make_intake(case, worker)
    child = case.members.filter(role=CaseMember.Role.CHILD).first().person
    return IffContact.objects.create(intake=intake, child=child, due_at=clock.now() + due_in)


# --- the case page -----------------------------------------------------------------------


def test_caseworker_opens_their_case_and_the_opening_is_logged(client, personas, case):
    client.force_login(personas.caseworker)

    page = client.get(reverse("casework:case_detail", args=[case.pk]))

    assert page.status_code == 200
    assert "Rivera family" in page.text
    assert "<title>C-TEST" in page.text
    view = RecordView.objects.get()
    assert (view.user, view.case, view.channel) == (personas.caseworker, case, "page")


def test_the_case_pages_side_navigation_reaches_every_section(client, personas, case):
    client.force_login(personas.supervisor)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).text
    sections = re.findall(r'<section id="([a-z-]+)"', page)
    assert {"overview", "meetings", "court", "documents", "transfers"} <= set(sections)
    assert [name for name in sections if f'<a href="#{name}">' not in page] == []


@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_case_page_is_404_for_anyone_outside_the_unit(client, personas, case, who):
    client.force_login(getattr(personas, who))

    assert client.get(reverse("casework:case_detail", args=[case.pk])).status_code == 404
    assert not RecordView.objects.exists()


def test_case_page_sends_anonymous_to_login(client, case):
    response = client.get(reverse("casework:case_detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_case_shared_with_a_colleague_opens_for_them(client, personas, case):
    assign_perm("casework.view_case", personas.other_caseworker, case)
    client.force_login(personas.other_caseworker)

    assert client.get(reverse("casework:case_detail", args=[case.pk])).status_code == 200


def test_supervisor_sees_who_opened_the_case_and_the_worker_does_not(client, personas, case):
    client.force_login(personas.caseworker)
    assert "Who opened this case" not in client.get(f"/casework/cases/{case.pk}/").text

    client.force_login(personas.supervisor)
    page = client.get(f"/casework/cases/{case.pk}/")

    assert "Who opened this case" in page.text
    assert personas.caseworker.get_full_name() in page.text


def test_case_page_query_count_does_not_grow_with_the_family(
    client, personas, case, django_assert_max_num_queries
):
    def grow(children: int, months: int):
        for _ in range(children):
            child = add_member(case, CaseMember.Role.CHILD).person
            Placement.objects.create(
                case=case,
                child=child,
                setting=Placement.Setting.KIN_UNLICENSED,
                caregiver="Grandmother",
                start_date=clock.today() - timedelta(days=40),
                reason="Unsafe at home",
            )
        for n in range(months):
            when = clock.now() - timedelta(days=30 * n + 1)
            visit = Visit.objects.create(
                case=case,
                planned_for=when,
                occurred_at=when,
                status=Visit.Status.COMPLETED,
                location=Visit.Location.CHILD_RESIDENCE,
                discussion_points="Goals",
                planned_by=personas.caseworker,
            )
            for member in case.members.all():
                VisitParticipant.objects.create(visit=visit, person=member.person, seen=True)
        add_pending_iff(case, personas.caseworker, due_in=timedelta(hours=3))

    # One of everything first (empty lists skip their queries), then ten times more.
    grow(children=1, months=1)
    client.force_login(personas.caseworker)
    client.get(f"/casework/cases/{case.pk}/")  # warm caches (content types, rules)
    with django_assert_max_num_queries(60) as small:
        client.get(f"/casework/cases/{case.pk}/")
    grow(children=8, months=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(f"/casework/cases/{case.pk}/")
    assert page.status_code == 200


# --- the timeline ------------------------------------------------------------------------


def test_timeline_says_who_changed_what(personas, case):
    case.name = "Rivera-Lopez family"
    with_actor(case, personas.supervisor).save()

    timeline = case_timeline(case)

    change = next(entry for entry in timeline if entry.what == f"Case {case.number} changed")
    assert change.changes == ["name"]
    assert change.who == personas.supervisor.get_full_name()
    assert any(entry.what == f"Case {case.number} created" for entry in timeline)


def test_case_page_loads_the_timeline_on_demand(client, personas, case):
    case.name = "Rivera-Lopez family"
    with_actor(case, personas.supervisor).save()
    client.force_login(personas.caseworker)
    url = reverse("casework:case_timeline", args=[case.pk])

    detail = client.get(reverse("casework:case_detail", args=[case.pk]))
    fragment = client.get(url, headers={"HX-Request": "true"})
    full_page = client.get(url)

    assert f'hx-get="{url}?fragment=1"' in detail.text
    assert f'href="{url}"' in detail.text  # without JavaScript, a link to the page
    assert "Rivera-Lopez family" not in detail.text.split('id="timeline"')[1]
    assert "<html" not in fragment.text
    assert f"Case {case.number} changed" in fragment.text
    assert personas.supervisor.get_full_name() in fragment.text
    assert "<title>Timeline: C-TEST" in full_page.text
    assert f"Case {case.number} changed" in full_page.text


@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_timeline_is_404_for_anyone_outside_the_unit(client, personas, case, who):
    client.force_login(getattr(personas, who))

    assert client.get(reverse("casework:case_timeline", args=[case.pk])).status_code == 404


# --- closing and assigning ---------------------------------------------------------------


def test_supervisor_closes_a_case_with_a_reason_and_history_keeps_it(client, personas, case):
    client.force_login(personas.supervisor)

    client.post(f"/casework/cases/{case.pk}/close/", {"reason": "Services completed"})

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == clock.today()
    assert case.history.count() == 2


def test_caseworker_cannot_close_a_case(client, personas, case):
    client.force_login(personas.caseworker)

    response = client.post(f"/casework/cases/{case.pk}/close/", {"reason": "Done"})

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_closing_without_a_reason_saves_nothing(client, personas, case):
    client.force_login(personas.supervisor)

    client.post(f"/casework/cases/{case.pk}/close/", {"reason": "  "})

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_assigning_a_worker_from_another_unit_is_refused(client, personas, case):
    client.force_login(personas.caseworker)

    page = client.post(
        f"/casework/cases/{case.pk}/assign/", {"primary_worker": personas.other_caseworker.pk}
    )

    assert page.status_code == 200
    assert "usa-error-message" in page.text
    case.refresh_from_db()
    assert case.primary_worker == personas.caseworker


def test_assigning_a_secondary_worker_from_the_unit(client, personas, case):
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    client.force_login(personas.caseworker)

    response = client.post(
        f"/casework/cases/{case.pk}/assign/",
        {"primary_worker": personas.caseworker.pk, "secondary_worker": colleague.pk},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.secondary_worker == colleague


# --- the caseload ------------------------------------------------------------------------


def test_caseload_lists_my_cases_with_what_is_due(client, personas, case):
    add_pending_iff(case, personas.caseworker, due_in=-timedelta(hours=2))
    elsewhere = make_case(personas.other_unit, personas.other_caseworker, name="Other family")
    client.force_login(personas.caseworker)

    page = client.get(reverse("casework:caseload"))

    assert page.status_code == 200
    assert "Rivera family" in page.text
    assert "Other family" not in page.text
    assert "Overdue: 1 child not seen" in page.text
    assert "Not yet visited:" in page.text
    assert elsewhere.number not in page.text


def test_caseload_filters_overdue_and_searches(client, personas, case):
    quiet = make_case(personas.unit, personas.caseworker, name="Quiet family")
    add_pending_iff(case, personas.caseworker, due_in=-timedelta(hours=2))
    client.force_login(personas.caseworker)

    overdue = client.get("/casework/?due=iff_overdue")
    search = client.get("/casework/?q=quiet")

    assert "Rivera family" in overdue.text and "Quiet family" not in overdue.text
    assert "Quiet family" in search.text and "Rivera family" not in search.text
    assert quiet.number in search.text


def test_supervisor_sees_the_units_cases_by_default(client, personas, case):
    client.force_login(personas.supervisor)

    page = client.get("/casework/")

    assert "Rivera family" in page.text
    assert personas.caseworker.get_full_name() in page.text


@pytest.mark.parametrize("who", ["ombudsman", "outsider"])
def test_caseload_refuses_roles_without_casework(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get("/casework/").status_code == 403


def test_caseload_query_count_is_the_same_for_5_and_200_cases(
    client, personas, django_assert_max_num_queries
):
    def fill(n):
        for _ in range(n):
            case = make_case(personas.unit, personas.caseworker)
            child = add_member(case, CaseMember.Role.CHILD, alleged_victim=True).person
            add_member(case, CaseMember.Role.FATHER)
            Placement.objects.create(
                case=case,
                child=child,
                setting=Placement.Setting.KIN_UNLICENSED,
                caregiver="Aunt",
                start_date=clock.today() - timedelta(days=40),
                reason="Unsafe at home",
            )
            add_pending_iff(case, personas.caseworker, due_in=timedelta(hours=5))

    client.force_login(personas.caseworker)
    fill(5)
    # The first load works out what is due on each case and keeps it; the next reads it.
    with django_assert_max_num_queries(30) as first_five:
        client.get("/casework/?sort=name")
    with django_assert_max_num_queries(12) as again_five:
        client.get("/casework/?sort=name")
    assert len(again_five.captured_queries) < len(first_five.captured_queries)
    fill(195)
    with django_assert_max_num_queries(len(first_five.captured_queries)):
        client.get("/casework/?sort=name")
    with django_assert_max_num_queries(len(again_five.captured_queries)):
        page = client.get("/casework/?sort=name")
    assert "Page 1 of 8" in page.text
    assert "Home-study referral overdue" in page.text


def test_approvals_inbox_is_for_supervisors(client, personas):
    client.force_login(personas.caseworker)
    assert client.get("/casework/supervision/").status_code == 403
    client.force_login(personas.supervisor)
    assert client.get("/casework/supervision/").status_code == 200


# --- the cases API -----------------------------------------------------------------------


def test_api_lists_visible_cases_only(client, personas, case):
    make_case(personas.other_unit, personas.other_caseworker)
    client.force_login(personas.caseworker)

    body = client.get("/api/casework/cases/").json()

    assert [row["number"] for row in body["results"]] == [case.number]


def test_api_retrieve_logs_the_opening_and_lists_members(client, personas, case):
    client.force_login(personas.caseworker)

    body = client.get(f"/api/casework/cases/{case.pk}/").json()

    assert body["number"] == case.number
    assert len(body["members"]) == 2
    assert RecordView.objects.get().channel == "api"


@pytest.mark.parametrize("who", ["other_caseworker", "outsider"])
def test_api_retrieve_is_404_or_403_outside_the_unit(client, personas, case, who):
    client.force_login(getattr(personas, who))
    status = client.get(f"/api/casework/cases/{case.pk}/").status_code
    assert status == (404 if who == "other_caseworker" else 403)


def test_api_anonymous_is_refused(client, case):
    assert client.get("/api/casework/cases/").status_code == 403


def test_api_close_needs_the_supervisor_and_a_reason(client, personas, case):
    client.force_login(personas.caseworker)
    assert client.post(f"/api/casework/cases/{case.pk}/close/", {"reason": "x"}).status_code == 403

    client.force_login(personas.supervisor)
    missing = client.post(f"/api/casework/cases/{case.pk}/close/", {})
    closed = client.post(f"/api/casework/cases/{case.pk}/close/", {"reason": "Completed"})

    assert missing.status_code == 400 and "reason" in missing.json()
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_caseload_filters_cases_with_someone_not_yet_visited(client, personas, case):
    visited = make_case(personas.unit, personas.caseworker, name="Visited family")
    child = add_member(visited, CaseMember.Role.CHILD).person
    visit = Visit.objects.create(
        case=visited,
        planned_for=clock.now(),
        occurred_at=clock.now(),  # this month, whenever the test runs
        status=Visit.Status.COMPLETED,
        location=Visit.Location.CHILD_RESIDENCE,
        discussion_points="Goals",
        planned_by=personas.caseworker,
    )
    VisitParticipant.objects.create(visit=visit, person=child, seen=True)
    client.force_login(personas.caseworker)

    page = client.get("/casework/?due=unvisited")

    assert "Rivera family" in page.text
    assert "Visited family" not in page.text


def test_caseload_says_which_assessments_are_overdue(client, personas):
    late = make_case(
        personas.unit,
        personas.caseworker,
        name="Late family",
        opened_on=clock.today() - timedelta(days=90),
    )
    client.force_login(personas.caseworker)

    page = client.get("/casework/")

    assert "Family-centered assessment overdue" in page.text
    assert late.number in page.text


def test_approvals_inbox_lists_submitted_assessments(client, personas, case):
    assessment = Assessment.objects.create(
        case=case,
        kind=Assessment.Kind.RISK,
        status=Assessment.Status.SUBMITTED,
        due_on=clock.today(),
        risk_level="moderate",
        author=personas.caseworker,
        submitted_at=clock.now(),
    )
    client.force_login(personas.supervisor)

    page = client.get("/casework/supervision/")

    assert "Risk assessment" in page.text
    assert reverse("casework:assessment_decide", args=[assessment.pk]) in page.text


def test_case_page_shows_the_plan_and_the_inbox_lists_a_submitted_one(client, personas, case):
    plan = CasePlan.objects.create(
        case=case,
        version=1,
        status=CasePlan.Status.SUBMITTED,
        family_participants="Ana (mother) and her sister",
        family_led=True,
        author=personas.caseworker,
        submitted_at=clock.now(),
    )
    client.force_login(personas.supervisor)

    case_page = client.get(f"/casework/cases/{case.pk}/")
    inbox = client.get("/casework/supervision/")

    assert 'id="plan-heading">Case plan' in case_page.text
    assert reverse("casework:plan_decide", args=[plan.pk]) in inbox.text


def test_caseload_says_when_the_first_case_plan_is_overdue(client, personas):
    make_case(
        personas.unit,
        personas.caseworker,
        name="Planless family",
        opened_on=clock.today() - timedelta(days=75),
    )
    client.force_login(personas.caseworker)

    assert "First case plan overdue" in client.get("/casework/").text


@pytest.mark.parametrize(
    "role", [Role.PERFORMANCE_MANAGEMENT, Role.ORE_ANALYST, Role.SYSTEM_ADMINISTRATOR]
)
def test_statewide_roles_outside_casework_reach_no_case(client, case, user_with_role, role):
    client.force_login(user_with_role(role))

    assert client.get(f"/casework/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/casework/cases/{case.pk}/").status_code in (403, 404)


@pytest.mark.parametrize("role", [Role.QUALITY_REVIEWER, Role.COMMISSIONERS_OFFICE])
def test_quality_staff_and_the_commissioners_office_read_every_case(
    client, case, user_with_role, role
):
    client.force_login(user_with_role(role))

    assert client.get(f"/casework/cases/{case.pk}/").status_code == 200
