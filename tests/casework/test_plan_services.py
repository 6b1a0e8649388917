"""Case plans: versions, the draft-submit-decide rules, review dates, and the reads for
the case page and the caseload (casework.services / selectors .plans)."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.models import Notification
from casework.models import Case, CasePlan, Placement, PlanGoal, PlanService, PlanStep
from casework.selectors import plans as selectors
from casework.selectors import rules
from casework.services import plans as services
from tests.casework.factories import add_member, make_case
from tests.casework.test_assessment_services import other_supervisor

# Monday 23 November 2026, 14:00 Eastern.
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
FAMILY = {"family_participants": "Ms Rivera (mother), Mr Rivera (father), grandmother."}


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def plan_case(personas, **fields) -> Case:
    fields = {"opened_on": date(2026, 11, 1)} | fields
    return make_case(personas.unit, personas.caseworker, **fields)


def filled(personas, case, actor=None) -> CasePlan:
    """A draft with a goal, a step, a service and the family fields."""
    actor = actor or personas.caseworker
    plan = services.plan_start(case=case, actor=actor)
    services.plan_update(plan=plan, actor=actor, family_led=True, **FAMILY)
    goal = services.goal_add(
        plan=plan,
        actor=actor,
        description="The children are safe at home.",
        responsible="Ms Rivera",
        target_date=date(2027, 3, 1),
    )
    services.step_add(
        goal=goal,
        actor=actor,
        description="Attend parenting classes weekly.",
        responsible="Ms Rivera",
        target_date=date(2027, 1, 15),
    )
    services.service_add(
        plan=plan,
        actor=actor,
        goal=goal,
        provider="Family Works",
        service_type="Parenting education",
        evidence_based=True,
        referred_on=date(2026, 11, 20),
    )
    return plan


def submitted(personas, case, actor=None) -> CasePlan:
    actor = actor or personas.caseworker
    plan = filled(personas, case, actor)
    return services.plan_submit(plan=plan, actor=actor)


def approved(personas, case) -> CasePlan:
    plan = submitted(personas, case)
    return services.plan_decide(plan=plan, actor=personas.supervisor, approve=True)


# --- versions ------------------------------------------------------------------------------------


def test_the_first_version_is_an_empty_draft(personas, now):
    plan = services.plan_start(case=plan_case(personas), actor=personas.caseworker)

    assert (plan.version, plan.status, plan.author) == (1, "draft", personas.caseworker)
    assert plan.history.get().history_user == personas.caseworker


def test_a_new_version_copies_the_approved_one_and_supersedes_it_on_approval(personas, now):
    case = plan_case(personas)
    v1 = approved(personas, case)

    v2 = services.plan_start(case=case, actor=personas.caseworker)

    assert v2.version == 2
    assert (v2.family_participants, v2.family_led) == (FAMILY["family_participants"], True)
    goal = v2.goals.get()
    assert goal.description == "The children are safe at home."
    assert goal.steps.get().description == "Attend parenting classes weekly."
    service = v2.services.get()
    assert (service.goal, service.evidence_based) == (goal, True)
    assert PlanGoal.objects.count() == 2 and PlanStep.objects.count() == 2
    assert PlanService.objects.count() == 2

    services.plan_submit(plan=v2, actor=personas.caseworker)
    services.plan_decide(plan=v2, actor=personas.supervisor, approve=True)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "approved")
    # History kept: v1 and its goals are still there.
    assert v1.goals.get().steps.count() == 1


def test_one_open_version_at_a_time_and_only_on_open_cases(personas, now):
    case = plan_case(personas)
    services.plan_start(case=case, actor=personas.caseworker)
    closed = plan_case(
        personas, status=Case.Status.CLOSED, closed_on=date(2026, 11, 20), closing_reason="x"
    )

    with pytest.raises(ValidationError, match="Version 1 of this plan is draft"):
        services.plan_start(case=case, actor=personas.caseworker)
    with pytest.raises(ValidationError, match="closed"):
        services.plan_start(case=closed, actor=personas.caseworker)
    assert CasePlan.objects.count() == 1


# --- content -------------------------------------------------------------------------------------


def test_bad_input_names_the_fields_and_saves_nothing(personas, now):
    plan = services.plan_start(case=plan_case(personas), actor=personas.caseworker)

    with pytest.raises(ValidationError) as goal_error:
        services.goal_add(plan=plan, actor=personas.caseworker, description=" ", target_date="x")
    with pytest.raises(ValidationError) as service_error:
        services.service_add(
            plan=plan,
            actor=personas.caseworker,
            provider="A",
            service_type="B",
            referred_on=date(2026, 11, 20),
            started_on=date(2026, 11, 1),
        )
    with pytest.raises(ValidationError) as plan_error:
        services.plan_update(
            plan=plan, actor=personas.caseworker, permanency_goal="adoption",
            concurrent_goal="adoption", version=9,
        )  # fmt: skip

    assert set(goal_error.value.message_dict) == {"description", "responsible", "target_date"}
    assert set(service_error.value.message_dict) == {"started_on"}
    assert set(plan_error.value.message_dict) == {"version"}
    assert not PlanGoal.objects.exists() and not PlanService.objects.exists()


def test_an_approved_plan_records_progress_but_not_new_content(personas, now):
    plan = approved(personas, plan_case(personas))
    goal = plan.goals.get()

    services.goal_update(goal=goal, actor=personas.caseworker, status="in_progress")
    with pytest.raises(ValidationError) as error:
        services.goal_update(goal=goal, actor=personas.caseworker, description="Else")
    with pytest.raises(ValidationError, match="only a draft or a returned plan"):
        services.goal_add(
            plan=plan, actor=personas.caseworker, description="x", responsible="y",
            target_date=date(2027, 1, 1),
        )  # fmt: skip

    goal.refresh_from_db()
    assert goal.status == "in_progress"
    assert "description" in error.value.message_dict
    assert goal.description == "The children are safe at home."


# --- submitting ----------------------------------------------------------------------------------


def test_submit_needs_goals_with_steps_and_the_family(personas, now):
    plan = services.plan_start(case=plan_case(personas), actor=personas.caseworker)

    with pytest.raises(ValidationError) as error:
        services.plan_submit(plan=plan, actor=personas.caseworker)

    assert set(error.value.message_dict) == {"goals", "family_participants"}
    services.goal_add(
        plan=plan, actor=personas.caseworker, description="Goal", responsible="Mother",
        target_date=date(2027, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="at least one step"):
        services.plan_submit(plan=plan, actor=personas.caseworker)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_child_in_an_open_placement_needs_a_permanency_goal(personas, now):
    case = plan_case(personas)
    child = add_member(case).person
    Placement.objects.create(
        case=case, child=child, setting="foster", caregiver="The Smiths",
        start_date=date(2026, 11, 2), reason="Safety.",
    )  # fmt: skip
    plan = filled(personas, case)

    with pytest.raises(ValidationError) as error:
        services.plan_submit(plan=plan, actor=personas.caseworker)
    assert set(error.value.message_dict) == {"permanency_goal"}

    services.plan_update(plan=plan, actor=personas.caseworker, permanency_goal="reunification")
    services.plan_submit(plan=plan, actor=personas.caseworker)
    assert Notification.objects.filter(
        recipient=personas.supervisor, kind="plan_submitted"
    ).exists()


# --- deciding ------------------------------------------------------------------------------------


def test_the_author_cannot_approve_and_nothing_is_saved(personas, now):
    case = plan_case(personas)
    plan = submitted(personas, case, actor=personas.supervisor)

    with pytest.raises(ValidationError, match="You wrote this plan"):
        services.plan_decide(plan=plan, actor=personas.supervisor, approve=True)

    plan.refresh_from_db()
    assert (plan.status, plan.decided_by, plan.review_due_on) == ("submitted", None, None)


def test_caseworkers_and_other_supervisors_cannot_decide(personas, now):
    plan = submitted(personas, plan_case(personas))

    with pytest.raises(PermissionDenied):
        services.plan_decide(plan=plan, actor=personas.caseworker, approve=True)
    with pytest.raises(PermissionDenied):
        services.plan_decide(plan=plan, actor=other_supervisor(personas), approve=True)
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_returning_needs_a_comment(personas, now):
    plan = submitted(personas, plan_case(personas))

    with pytest.raises(ValidationError) as error:
        services.plan_decide(plan=plan, actor=personas.supervisor, approve=False, comment=" ")
    assert set(error.value.message_dict) == {"comment"}

    services.plan_decide(plan=plan, actor=personas.supervisor, approve=False, comment="Add dad.")
    plan.refresh_from_db()
    assert (plan.status, plan.decision_comment) == ("returned", "Add dad.")
    assert Notification.objects.get(kind="plan_decided").recipient == personas.caseworker


def test_review_is_due_six_months_after_approval_configurable(personas, now):
    plan = approved(personas, plan_case(personas))
    assert plan.review_due_on == date(2027, 5, 23)

    limits = rules()
    limits.plan_review_months = 3
    limits.save()
    other = approved(personas, plan_case(personas))
    assert other.review_due_on == date(2027, 2, 23)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 23), 6, date(2027, 5, 23)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert services.add_months(day, months) == expected


def test_approval_on_31_august_is_reviewed_28_february(personas, time_machine):
    time_machine.move_to(datetime(2026, 8, 31, 16, 0, tzinfo=UTC), tick=False)
    plan = approved(personas, plan_case(personas, opened_on=date(2026, 8, 1)))
    assert plan.review_due_on == date(2027, 2, 28)


# --- reads ---------------------------------------------------------------------------------------


def test_case_plan_context(personas, now, django_assert_max_num_queries):
    case = plan_case(personas)
    current = approved(personas, case)
    draft = services.plan_start(case=case, actor=personas.caseworker)

    with django_assert_max_num_queries(6):
        context = selectors.case_plan_context(case, today=TODAY)
        [list(goal.steps.all()) for goal in context["plan_current"].goals.all()]

    assert context["plan_current"] == current
    assert context["plan_open"] == draft
    assert [p.version for p in context["plan_versions"]] == [2, 1]
    assert context["plan_review"]["text"] == "Case plan review due 23 May"


def test_pending_approvals_are_the_supervisors(personas, now):
    plan = submitted(personas, plan_case(personas))

    assert list(selectors.pending_plan_approvals(personas.supervisor)) == [plan]
    assert not selectors.pending_plan_approvals(personas.caseworker).exists()
    assert not selectors.pending_plan_approvals(other_supervisor(personas)).exists()


def test_plan_reviews_due_for_the_caseload(personas, now):
    overdue_first = plan_case(personas, opened_on=date(2026, 9, 1))  # due 31 Oct
    soon_first = plan_case(personas, opened_on=date(2026, 9, 27))  # due 26 Nov
    later_first = plan_case(personas, opened_on=date(2026, 11, 20))
    reviewed = plan_case(personas)
    plan = approved(personas, reviewed)
    CasePlan.objects.filter(pk=plan.pk).update(review_due_on=date(2026, 11, 12))

    due = selectors.plan_reviews_due(
        Case.objects.filter(pk__in=[overdue_first.pk, soon_first.pk, later_first.pk, reviewed.pk]),
        today=TODAY,
    )

    assert due == {
        overdue_first.pk: ["First case plan overdue (due 31 Oct)"],
        soon_first.pk: ["First case plan due 26 Nov"],
        reviewed.pk: ["Case plan review overdue (due 12 Nov)"],
    }


@pytest.mark.parametrize("size", [3, 30])
def test_plan_reviews_due_runs_fixed_queries(personas, now, size):
    cases = [plan_case(personas, opened_on=date(2026, 9, 1)) for _ in range(size)]
    for case in cases[::2]:
        CasePlan.objects.create(
            case=case, version=1, status="approved", author=personas.caseworker,
            review_due_on=date(2026, 11, 25),
        )  # fmt: skip
    page = list(Case.objects.filter(pk__in=[c.pk for c in cases]))

    with CaptureQueriesContext(connection) as queries:
        due = selectors.plan_reviews_due(page, today=TODAY)

    assert len(queries) <= 5  # the rules (get_or_create) and the approved plans
    assert len(due) == size
