"""Assessments: due dates, the draft-submit-decide rules, and the reads for the case page,
the caseload and the approvals inbox (casework.services / selectors .assessments)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from casework.models import Assessment, Case
from casework.selectors import assessments as selectors
from casework.selectors import rules
from casework.services import assessments as services
from tests.casework.factories import make_case, make_intake
from tests.factories import make_user

NY = ZoneInfo("America/New_York")
# Monday 23 November 2026, 14:00 Eastern.
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)

SAFETY_DONE = {
    "safety_decision": "conditionally_safe",
    "threats": "Caregiver's substance use leaves the children unsupervised.",
    "safety_plan": "Grandmother stays in the home evenings; worker checks in daily.",
}
RISK_DONE = {"risk_level": "high"}
FCA_DONE = {name: "None identified." for name in Assessment.DOMAINS} | {
    "strengths": "Close to the maternal grandmother; children attend school.",
    "summary": "Safety plan first; substance-use treatment in the case plan.",
}
DONE = {"safety": SAFETY_DONE, "risk": RISK_DONE, "family_centered": FCA_DONE}


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def make_assessment_case(personas, *, accepted_at=None, unit=None, worker=None, **fields) -> Case:
    """An investigation opened on 20 November 2026 from an intake accepted that evening
    (23:30 Eastern, already the 21st in UTC)."""
    fields = {"case_type": Case.Type.INVESTIGATION, "opened_on": date(2026, 11, 20)} | fields
    case = make_case(unit or personas.unit, worker or personas.caseworker, **fields)
    make_intake(case, personas.caseworker, accepted_at=accepted_at or ny(2026, 11, 20, 23, 30))
    return case


def start(personas, case, kind="safety", actor=None) -> Assessment:
    return services.assessment_start(case=case, actor=actor or personas.caseworker, kind=kind)


def submitted(personas, case, kind="safety", actor=None) -> Assessment:
    actor = actor or personas.caseworker
    assessment = start(personas, case, kind, actor)
    services.assessment_update(assessment=assessment, actor=actor, **DONE[kind])
    return services.assessment_submit(assessment=assessment, actor=actor)


def other_supervisor(personas):
    supervisor = make_user(Role.SUPERVISOR, unit=personas.other_unit, username="other_supervisor")
    personas.other_unit.supervisor = supervisor
    personas.other_unit.save(update_fields=["supervisor"])
    return supervisor


# --- due dates -----------------------------------------------------------------------------------


def test_due_dates_count_from_the_intakes_local_date_and_the_opening(personas, now):
    case = make_assessment_case(personas)
    limits = rules()

    due = {kind: services.assessment_due_on(case=case, kind=kind, rules=limits) for kind in DONE}

    assert due == {
        "safety": date(2026, 11, 22),  # 2 days after 20 November (Eastern), not the 21st
        "risk": date(2026, 12, 20),
        "family_centered": date(2027, 1, 19),  # 60 days after the case opened
    }


def test_changed_rules_give_new_defaults_to_new_drafts(personas, now):
    case = make_assessment_case(personas)
    limits = rules()
    limits.safety_assessment_days = 5
    limits.family_assessment_days = 45
    limits.save()

    assert start(personas, case, "safety").due_on == date(2026, 11, 25)
    assert start(personas, case, "family_centered").due_on == date(2027, 1, 4)


def test_the_earliest_intake_counts_and_without_one_the_opening_day(personas, now):
    case = make_assessment_case(personas)
    make_intake(case, personas.caseworker, accepted_at=ny(2026, 11, 18, 9, 0))
    no_intake = make_case(personas.unit, personas.caseworker, opened_on=date(2026, 11, 10))

    assert services.assessment_due_on(case=case, kind="safety", rules=rules()) == date(2026, 11, 20)
    assert services.assessment_due_on(case=no_intake, kind="risk", rules=rules()) == date(
        2026, 12, 10
    )


# --- starting ------------------------------------------------------------------------------------


def test_starting_makes_a_draft_due_under_the_rules(personas, now):
    case = make_assessment_case(personas)

    assessment = start(personas, case, "risk")

    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.due_on == date(2026, 12, 20)
    assert assessment.author == personas.caseworker
    assert assessment.created_at == NOW
    assert assessment.history.get().history_user == personas.caseworker


def test_one_assessment_of_a_kind_in_progress_at_a_time(personas, now):
    case = make_assessment_case(personas)
    first = submitted(personas, case, "safety")

    with pytest.raises(ValidationError) as refused:
        start(personas, case, "safety")
    services.assessment_decide(assessment=first, actor=personas.supervisor, approve=True)
    again = start(personas, case, "safety")  # a reassessment once the first is approved

    assert "already has a safety assessment in progress" in refused.value.message_dict["kind"][0]
    assert again.status == Assessment.Status.DRAFT
    assert Assessment.objects.filter(case=case).count() == 2


def test_a_closed_case_gets_no_new_assessment(personas, now):
    case = make_assessment_case(personas, status=Case.Status.CLOSED, closed_on=TODAY)

    with pytest.raises(ValidationError, match="is closed"):
        start(personas, case)
    with pytest.raises(ValidationError) as unknown:
        start(personas, make_assessment_case(personas), "psychological")

    assert "kind" in unknown.value.message_dict
    assert not Assessment.objects.exists()


# --- updating and submitting ---------------------------------------------------------------------


def test_only_the_kinds_own_fields_change(personas, now):
    assessment = start(personas, make_assessment_case(personas), "safety")

    with pytest.raises(ValidationError) as refused:
        services.assessment_update(
            assessment=assessment,
            actor=personas.caseworker,
            threats="Unsupervised toddler.",
            risk_level="high",
            safety_decision="maybe",
        )

    assert refused.value.message_dict == {
        "risk_level": ["This is not part of a safety assessment."],
        "safety_decision": ["Choose one of: Safe, Conditionally safe, with a safety plan, Unsafe."],
    }
    assessment.refresh_from_db()
    assert assessment.threats == ""  # nothing saved


def test_an_incomplete_safety_assessment_is_not_submitted(personas, now):
    assessment = start(personas, make_assessment_case(personas), "safety")

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, actor=personas.caseworker)

    assert set(refused.value.message_dict) == {"safety_decision", "threats"}
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_at) == ("draft", None)
    assert not Notification.objects.exists()


def test_conditionally_safe_needs_a_safety_plan(personas, now):
    assessment = start(personas, make_assessment_case(personas), "safety")
    services.assessment_update(
        assessment=assessment, actor=personas.caseworker, **(SAFETY_DONE | {"safety_plan": " "})
    )

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, actor=personas.caseworker)

    assert refused.value.message_dict == {
        "safety_plan": ["A conditionally safe decision needs the safety plan."]
    }


def test_a_risk_assessment_needs_a_level(personas, now):
    assessment = start(personas, make_assessment_case(personas), "risk")

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, actor=personas.caseworker)

    assert refused.value.message_dict == {"risk_level": ["Choose the risk level."]}


def test_a_family_centered_assessment_needs_every_domain_strengths_and_summary(personas, now):
    assessment = start(personas, make_assessment_case(personas), "family_centered")
    services.assessment_update(
        assessment=assessment, actor=personas.caseworker, medical="Up to date on checkups."
    )

    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, actor=personas.caseworker)

    missing = set(Assessment.DOMAINS) - {"medical"} | {"strengths", "summary"}
    assert set(refused.value.message_dict) == missing
    assert "None identified" in refused.value.message_dict["dental"][0]


def test_submitting_tells_the_supervisor(personas, now):
    assessment = submitted(personas, make_assessment_case(personas), "family_centered")

    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_at == NOW
    notice = Notification.objects.get(recipient=personas.supervisor)
    assert notice.kind == "assessment_submitted"
    assert notice.link == reverse("casework:assessment_detail", args=[assessment.pk])


def test_a_submitted_assessment_cannot_be_changed(personas, now):
    assessment = submitted(personas, make_assessment_case(personas), "risk")

    with pytest.raises(ValidationError, match="only a draft or a returned"):
        services.assessment_update(
            assessment=assessment, actor=personas.caseworker, risk_level="low"
        )
    with pytest.raises(ValidationError, match="only a draft or a returned"):
        services.assessment_submit(assessment=assessment, actor=personas.caseworker)


# --- deciding ------------------------------------------------------------------------------------


def test_the_supervisor_approves_and_the_author_is_told(personas, now):
    assessment = submitted(personas, make_assessment_case(personas), "safety")

    services.assessment_decide(
        assessment=assessment, actor=personas.supervisor, approve=True, comment=""
    )

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert (assessment.decided_by, assessment.decided_at) == (personas.supervisor, NOW)
    notice = Notification.objects.get(recipient=personas.caseworker)
    assert notice.kind == "assessment_decided"
    assert notice.subject.startswith("Safety assessment approved")
    assert notice.link == reverse("casework:assessment_detail", args=[assessment.pk])


def test_returning_needs_a_comment_then_the_worker_corrects_and_resubmits(personas, now):
    assessment = submitted(personas, make_assessment_case(personas), "safety")

    with pytest.raises(ValidationError) as refused:
        services.assessment_decide(
            assessment=assessment, actor=personas.supervisor, approve=False, comment="  "
        )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert "comment" in refused.value.message_dict

    services.assessment_decide(
        assessment=assessment,
        actor=personas.supervisor,
        approve=False,
        comment="Name who supervises the children at night.",
    )
    notice = Notification.objects.get(recipient=personas.caseworker)
    assert notice.body == "Name who supervises the children at night."
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RETURNED

    services.assessment_update(
        assessment=assessment, actor=personas.caseworker, safety_plan="Grandmother, 6pm-8am."
    )
    services.assessment_submit(assessment=assessment, actor=personas.caseworker)
    services.assessment_decide(assessment=assessment, actor=personas.supervisor, approve=True)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert assessment.safety_plan == "Grandmother, 6pm-8am."


def test_nobody_approves_their_own_assessment(personas, now):
    assessment = submitted(personas, make_assessment_case(personas), "risk", personas.supervisor)

    with pytest.raises(ValidationError) as refused:
        services.assessment_decide(assessment=assessment, actor=personas.supervisor, approve=True)

    assert "You wrote this assessment" in refused.value.messages[0]
    assessment.refresh_from_db()
    assert (assessment.status, assessment.decided_by) == ("submitted", None)


@pytest.mark.parametrize("who", ["caseworker", "other_supervisor"])
def test_only_the_cases_supervisor_decides(personas, now, who):
    actor = other_supervisor(personas) if who == "other_supervisor" else personas.caseworker
    assessment = submitted(personas, make_assessment_case(personas), "risk")

    with pytest.raises(PermissionDenied):
        services.assessment_decide(assessment=assessment, actor=actor, approve=True)

    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_only_a_submitted_assessment_is_decided(personas, now):
    assessment = start(personas, make_assessment_case(personas), "risk")

    with pytest.raises(ValidationError, match="only a submitted assessment"):
        services.assessment_decide(assessment=assessment, actor=personas.supervisor, approve=True)


# --- the approvals inbox -------------------------------------------------------------------------


def test_pending_approvals_are_the_submitted_ones_the_supervisor_decides(personas, now):
    case = make_assessment_case(personas)
    waiting = submitted(personas, case, "safety")
    start(personas, case, "risk")  # a draft: not yet for the supervisor
    own = submitted(personas, make_assessment_case(personas), "safety", personas.supervisor)
    elsewhere_worker = make_user(Role.CASEWORKER, unit=personas.other_unit)
    other_sup = other_supervisor(personas)
    elsewhere = make_assessment_case(personas, unit=personas.other_unit, worker=elsewhere_worker)
    theirs = submitted(personas, elsewhere, "safety", elsewhere_worker)

    assert list(selectors.pending_assessment_approvals(personas.supervisor)) == [waiting]
    assert list(selectors.pending_assessment_approvals(other_sup)) == [theirs]
    assert not selectors.pending_assessment_approvals(personas.caseworker).exists()
    assert own not in selectors.pending_assessment_approvals(personas.supervisor)


def test_pending_approvals_join_case_and_author(personas, now, django_assert_num_queries):
    for _ in range(3):
        submitted(personas, make_assessment_case(personas), "risk")
    # The gatekeeper reads the supervisor's units and grants once per request.
    selectors.pending_assessment_approvals(personas.supervisor)

    with django_assert_num_queries(1):
        rows = [(a.case.number, a.author.username) for a in
                selectors.pending_assessment_approvals(personas.supervisor)]  # fmt: skip

    assert len(rows) == 3


# --- what is due: the case page and the caseload -------------------------------------------------


def test_assessments_due_for_a_page_of_cases(personas, now):
    overdue = make_assessment_case(personas)  # safety due 22 Nov
    fca_soon = make_case(
        personas.unit, personas.caseworker, case_type=Case.Type.IN_HOME, opened_on=date(2026, 9, 25)
    )  # family-centered due 24 Nov
    approved = make_assessment_case(personas)
    first = submitted(personas, approved, "safety")
    services.assessment_decide(assessment=first, actor=personas.supervisor, approve=True)
    waiting = make_assessment_case(personas)
    submitted(personas, waiting, "safety")
    drafted_late = make_case(
        personas.unit, personas.caseworker, case_type=Case.Type.IN_HOME, opened_on=date(2026, 11, 1)
    )
    draft = start(personas, drafted_late, "family_centered")
    Assessment.objects.filter(pk=draft.pk).update(due_on=date(2026, 11, 2))
    closed = make_assessment_case(personas, status=Case.Status.CLOSED, closed_on=TODAY)
    nothing_yet = make_case(personas.unit, personas.caseworker, case_type=Case.Type.IN_HOME)

    due = selectors.assessments_due(Case.objects.order_by("pk")[:20], today=TODAY)  # a sliced page

    assert due == {
        overdue.pk: ["Safety assessment overdue (due 22 Nov)"],
        fca_soon.pk: ["Family-centered assessment due 24 Nov"],
        waiting.pk: ["Safety assessment overdue (due 22 Nov), waiting for approval"],
        drafted_late.pk: ["Family-centered assessment overdue (due 2 Nov)"],
    }
    assert closed.pk not in due and approved.pk not in due and nothing_yet.pk not in due


def test_assessments_due_reads_a_fixed_number_of_queries(personas, now):
    cases = []

    def count(n: int) -> int:
        while len(cases) < n:
            case = make_assessment_case(personas)
            if len(cases) % 2:
                start(personas, case, "risk")
            cases.append(case)
        with CaptureQueriesContext(connection) as queries:
            due = selectors.assessments_due(cases[:n], today=TODAY)
        assert len(due) == n
        return len(queries)

    assert count(3) == count(30) <= 3


def test_the_case_page_context(personas, now):
    case = make_assessment_case(personas)
    start(personas, case, "risk")

    with CaptureQueriesContext(connection) as queries:
        context = selectors.case_assessments_context(case, today=TODAY)

    assert len(queries) <= 3
    assert [a.kind for a in context["assessments_list"]] == ["risk"]
    assert [d.text for d in context["assessments_due"]] == [
        "Safety assessment overdue (due 22 Nov)"
    ]
    assert [kind for kind, _ in context["assessments_startable"]] == ["safety", "family_centered"]
    assert all(key.startswith("assessments_") for key in context)
