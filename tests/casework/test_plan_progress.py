"""Recording progress on a case plan: the status of goals, steps and services, from the
plan page and the API, also on an approved plan (no new version)."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import CasePlan, PlanGoal, PlanService, PlanStep
from tests.casework.test_plan_services import NOW, approved, plan_case
from tests.factories import make_user


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def reader(personas):
    """Sees the office's cases but may not change them."""
    return make_user(Role.AREA_ADMINISTRATOR, location=personas.office)


@pytest.fixture
def plan(personas, now):
    return approved(personas, plan_case(personas))


def items(plan):
    goal = plan.goals.get()
    return {"goal": goal, "step": goal.steps.get(), "service": plan.services.get()}


PAGE_NAMES = {
    "goal": "plan_goal_status",
    "step": "plan_step_status",
    "service": "plan_service_status",
}
API_PREFIXES = {"goal": "plan-goals", "step": "plan-steps", "service": "plan-services"}
NEW_STATUS = {"goal": "in_progress", "step": "achieved", "service": "started"}
KINDS = sorted(PAGE_NAMES)


def page_url(plan, kind):
    return reverse(f"casework:{PAGE_NAMES[kind]}", args=[items(plan)[kind].pk])


def api_url(plan, kind):
    return f"/api/casework/{API_PREFIXES[kind]}/{items(plan)[kind].pk}/"


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def assert_unchanged(plan):
    assert CasePlan.objects.filter(case=plan.case).count() == 1
    assert CasePlan.objects.get(pk=plan.pk).status == "approved"
    assert PlanGoal.objects.get(plan=plan).status == "not_started"
    assert PlanStep.objects.get(goal__plan=plan).status == "not_started"
    assert PlanService.objects.get(plan=plan).status == "referred"


# --- pages ---------------------------------------------------------------------------------------


def test_the_plan_page_shows_labelled_status_forms_to_the_caseworker(client, personas, plan):
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:plan_detail", args=[plan.pk]))

    parts = items(plan)
    assert response.status_code == 200
    for label, kind in [
        ("Status of goal 1", "goal"),
        ("Status of step 1 of goal 1", "step"),
        ("Status of service 1", "service"),
    ]:
        field_id = f"{kind}-{parts[kind].pk}-status"
        assert f'<label class="usa-label margin-top-0" for="{field_id}">{label}</label>' in (
            response.text
        )
        assert f'id="{field_id}" name="status"' in response.text
        assert f'action="{page_url(plan, kind)}"' in response.text


def test_the_case_page_partial_shows_status_forms_only_when_the_user_may_change(
    client, personas, plan
):
    client.force_login(personas.caseworker)
    case_page = client.get(reverse("casework:case_detail", args=[plan.case.pk]))
    assert case_page.status_code == 200
    assert "Status of goal 1" in case_page.text


def test_a_reader_sees_the_plan_without_status_forms(client, reader, plan):
    client.force_login(reader)

    detail = client.get(reverse("casework:plan_detail", args=[plan.pk]))
    case_page = client.get(reverse("casework:case_detail", args=[plan.case.pk]))

    assert (detail.status_code, case_page.status_code) == (200, 200)
    assert "Status of goal 1" not in detail.text
    assert "Status of goal 1" not in case_page.text


@pytest.mark.parametrize("kind", KINDS)
def test_the_page_records_progress_on_an_approved_plan_without_a_new_version(
    client, personas, plan, kind
):
    client.force_login(personas.caseworker)

    response = client.post(page_url(plan, kind), {"status": NEW_STATUS[kind]}, follow=True)

    assert response.redirect_chain == [(reverse("casework:plan_detail", args=[plan.pk]), 302)]
    assert "saved" in response.text
    assert fresh(items(plan)[kind]).status == NEW_STATUS[kind]
    assert CasePlan.objects.get(pk=plan.pk).status == "approved"
    assert CasePlan.objects.filter(case=plan.case).count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_status_on_the_page_is_an_error_message_and_saves_nothing(
    client, personas, plan, kind
):
    client.force_login(personas.caseworker)

    response = client.post(page_url(plan, kind), {"status": "finished"}, follow=True)

    assert response.redirect_chain == [(reverse("casework:plan_detail", args=[plan.pk]), 302)]
    assert "was not saved" in response.text
    assert "Choose one of" in response.text
    assert_unchanged(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_is_sent_to_the_login_page(client, plan, kind):
    path = page_url(plan, kind)

    response = client.post(path, {"status": NEW_STATUS[kind]})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"
    assert_unchanged(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_get_is_not_allowed(client, personas, plan, kind):
    client.force_login(personas.caseworker)

    assert client.get(page_url(plan, kind)).status_code == 405


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", ["other_caseworker", "outsider"])
def test_people_outside_the_case_get_404_on_the_page(client, personas, plan, kind, who):
    client.force_login(getattr(personas, who))

    response = client.post(page_url(plan, kind), {"status": NEW_STATUS[kind]})

    assert response.status_code == 404
    assert_unchanged(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_a_reader_gets_403_on_the_page(client, reader, plan, kind):
    client.force_login(reader)

    response = client.post(page_url(plan, kind), {"status": NEW_STATUS[kind]})

    assert response.status_code == 403
    assert_unchanged(plan)


def test_a_step_status_update_is_in_the_plan_history(client, personas, plan):
    step = items(plan)["step"]
    before = step.history.count()
    client.force_login(personas.caseworker)

    client.post(page_url(plan, "step"), {"status": "in_progress"})

    assert step.history.count() == before + 1
    latest = step.history.latest()
    assert (latest.status, latest.history_user) == ("in_progress", personas.caseworker)


# --- API -----------------------------------------------------------------------------------------


def patch(client, path, data):
    return client.patch(path, data, content_type="application/json")


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_records_progress_on_an_approved_plan_without_a_new_version(
    client, personas, plan, kind
):
    client.force_login(personas.caseworker)

    response = patch(client, api_url(plan, kind), {"status": NEW_STATUS[kind]})

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == NEW_STATUS[kind]
    assert fresh(items(plan)[kind]).status == NEW_STATUS[kind]
    assert CasePlan.objects.get(pk=plan.pk).status == "approved"
    assert CasePlan.objects.filter(case=plan.case).count() == 1


def test_the_api_records_a_services_start_and_end(client, personas, plan):
    client.force_login(personas.caseworker)

    response = patch(
        client,
        api_url(plan, "service"),
        {"status": "completed", "started_on": "2026-11-21", "ended_on": "2026-11-22"},
    )

    assert response.status_code == 200, response.json()
    service = fresh(items(plan)["service"])
    assert (service.status, str(service.started_on), str(service.ended_on)) == (
        "completed",
        "2026-11-21",
        "2026-11-22",
    )


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("goal", {"status": "finished"}, "status"),
        ("step", {"status": "finished"}, "status"),
        ("service", {"status": "finished"}, "status"),
        ("goal", {"status": "achieved", "description": "Changed"}, "description"),
        ("service", {"started_on": "2026-11-01"}, "started_on"),
        ("service", {"started_on": "2026-11-21", "ended_on": "2026-11-20"}, "ended_on"),
    ],
)
def test_bad_input_is_a_400_field_map_and_saves_nothing(client, personas, plan, kind, data, field):
    client.force_login(personas.caseworker)

    response = patch(client, api_url(plan, kind), data)

    assert response.status_code == 400
    assert field in response.json()
    assert_unchanged(plan)
    assert PlanService.objects.get(plan=plan).started_on is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_role_get_403(client, personas, plan, kind, who):
    if who:
        client.force_login(getattr(personas, who))

    assert patch(client, api_url(plan, kind), {"status": NEW_STATUS[kind]}).status_code == 403
    assert_unchanged(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_other_caseworkers_get_404(client, personas, plan, kind):
    client.force_login(personas.other_caseworker)

    assert patch(client, api_url(plan, kind), {"status": NEW_STATUS[kind]}).status_code == 404
    assert_unchanged(plan)


@pytest.mark.parametrize("kind", KINDS)
def test_a_reader_gets_403_from_the_api(client, reader, plan, kind):
    client.force_login(reader)

    assert patch(client, api_url(plan, kind), {"status": NEW_STATUS[kind]}).status_code == 403
    assert_unchanged(plan)


def test_a_step_status_update_through_the_api_is_in_the_history(client, personas, plan):
    step = items(plan)["step"]
    before = step.history.count()
    client.force_login(personas.caseworker)

    patch(client, api_url(plan, "step"), {"status": "dropped"})

    assert step.history.count() == before + 1
    assert step.history.latest().history_user == personas.caseworker
