"""The case plan pages and the case page's plan part, through HTTP."""

import re
from datetime import date
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from casework.models import CasePlan, PlanGoal, PlanService
from casework.selectors import plans as selectors
from casework.services import plans as services
from tests.casework.test_assessment_services import other_supervisor
from tests.casework.test_plan_services import NOW, TODAY, approved, filled, plan_case, submitted


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return plan_case(personas)


@pytest.fixture
def draft(personas, case):
    return filled(personas, case)


@pytest.fixture
def waiting(personas, now):
    return submitted(personas, plan_case(personas))


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def page_url(request, name):
    if name == "plan_start":
        return url(name, request.getfixturevalue("case").pk)
    if name == "plan_step_add":
        return url(name, request.getfixturevalue("draft").goals.get().pk)
    fixture = "waiting" if name == "plan_decide" else "draft"
    return url(name, request.getfixturevalue(fixture).pk)


GET_PAGES = ["plan_detail", "plan_edit", "plan_decide"]
POST_PAGES = [
    "plan_start", "plan_edit", "plan_goal_add", "plan_step_add", "plan_service_add",
    "plan_submit", "plan_decide",
]  # fmt: skip
PAGES = sorted({*GET_PAGES, *POST_PAGES})


def method_for(name):
    return "get" if name in GET_PAGES else "post"


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_the_login_page(client, request, draft, waiting, name):
    path = page_url(request, name)

    response = getattr(client, method_for(name))(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["other_caseworker", "outsider"])
def test_people_outside_the_case_get_404(client, personas, request, draft, waiting, name, who):
    client.force_login(getattr(personas, who))
    path = page_url(request, name)

    response = client.post(
        path, {"decision": "approve", "description": "x", "responsible": "y",
               "target_date": "2027-01-01", "family_participants": "Changed"},
    )  # fmt: skip

    assert response.status_code == 404
    assert CasePlan.objects.count() == 2
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert (draft.family_participants != "Changed", waiting.status) == (True, "submitted")


def test_a_caseworker_cannot_decide_and_another_supervisor_gets_404(client, personas, waiting):
    client.force_login(personas.caseworker)
    assert client.post(url("plan_decide", waiting.pk), {"decision": "approve"}).status_code == 403
    client.force_login(other_supervisor(personas))
    assert client.post(url("plan_decide", waiting.pk), {"decision": "approve"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "submitted"


@pytest.mark.parametrize(
    ("name", "who", "title"),
    [
        ("plan_detail", "caseworker", "Case plan v1 · {number} · Hearth"),
        ("plan_edit", "caseworker", "Edit case plan v1 · {number} · Hearth"),
        ("plan_decide", "supervisor", "Decide case plan v1 · {number} · Hearth"),
    ],
)
def test_the_right_people_open_the_pages(
    client, personas, request, draft, waiting, name, who, title
):
    client.force_login(getattr(personas, who))
    plan = waiting if name == "plan_decide" else draft

    response = client.get(page_url(request, name))

    assert response.status_code == 200
    assert page_title(response) == title.format(number=plan.case.number)
    assert "Parenting education" in response.text


def test_the_whole_flow_through_the_pages(client, personas, case):
    client.force_login(personas.caseworker)

    response = client.post(url("plan_start", case.pk))
    plan = CasePlan.objects.get(case=case)
    assert response["Location"] == url("plan_edit", plan.pk)

    response = client.post(url("plan_submit", plan.pk))
    assert response.status_code == 400
    assert "Add at least one goal." in response.text

    client.post(url("plan_edit", plan.pk), {"family_participants": "Mother", "family_led": "on"})
    client.post(
        url("plan_goal_add", plan.pk),
        {"description": "Safe home", "responsible": "Mother", "target_date": "2027-03-01"},
    )
    goal = PlanGoal.objects.get(plan=plan)
    client.post(
        url("plan_step_add", goal.pk),
        {"description": "Classes", "responsible": "Mother", "target_date": "2027-01-01"},
    )
    client.post(
        url("plan_service_add", plan.pk),
        {"provider": "Family Works", "service_type": "Parenting", "evidence_based": "on",
         "status": "referred", "referred_on": "2026-11-20", "goal": str(goal.pk)},
    )  # fmt: skip
    assert PlanService.objects.get(plan=plan).goal == goal
    response = client.post(url("plan_submit", plan.pk))
    assert response["Location"] == url("plan_detail", plan.pk)

    client.force_login(personas.supervisor)
    response = client.post(url("plan_decide", plan.pk), {"decision": "return"})
    assert response.status_code == 200
    assert "Say what needs to change" in response.text
    client.post(url("plan_decide", plan.pk), {"decision": "approve"})
    plan.refresh_from_db()
    assert (plan.status, plan.family_led, plan.review_due_on) == (
        "approved", True, date(2027, 5, 23),
    )  # fmt: skip


def test_bad_goal_input_shows_field_errors_and_saves_nothing(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(url("plan_goal_add", draft.pk), {"description": "x"})

    assert response.status_code == 400
    assert "usa-error-message" in response.text
    assert draft.goals.count() == 1


def test_the_author_supervisor_is_told_they_cannot_decide(client, personas, now):
    plan = submitted(personas, plan_case(personas), actor=personas.supervisor)
    client.force_login(personas.supervisor)

    response = client.post(url("plan_decide", plan.pk), {"decision": "approve"})

    assert "You wrote this plan" in response.text
    plan.refresh_from_db()
    assert plan.status == "submitted"


@pytest.mark.parametrize("size", [1, 8])
def test_the_plan_page_runs_fixed_queries(
    client, personas, case, size, django_assert_max_num_queries
):
    plan = filled(personas, case)
    goal = plan.goals.get()
    for n in range(size):
        services.step_add(
            goal=goal, actor=personas.caseworker, description=f"Step {n}", responsible="M",
            target_date=date(2027, 1, 1),
        )  # fmt: skip
        services.service_add(
            plan=plan, actor=personas.caseworker, provider=f"P{n}", service_type="T",
            referred_on=date(2026, 11, 20), goal=goal,
        )  # fmt: skip
    client.force_login(personas.caseworker)

    with django_assert_max_num_queries(22):
        assert client.get(url("plan_detail", plan.pk)).status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get(url("plan_edit", plan.pk)).status_code == 200


def test_the_case_page_partial(personas, case, rf):
    approved(personas, case)
    services.plan_start(case=case, actor=personas.caseworker)
    context = selectors.case_plan_context(case, today=TODAY)
    request = rf.get("/")
    request.user = personas.caseworker

    html = render_to_string(
        "casework/case/_plan.html", {"case": case, "can_change": True, **context}, request=request
    )

    assert "Case plan version 1" in html
    assert "Version 2 is draft" in html
    assert "Case plan review due 23 May" in html
    assert "Evidence-based" in html
    assert "Start a new version" not in html
    assert "<h2" not in html
