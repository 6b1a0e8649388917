"""A conflicting edit is refused rather than silently overwriting (agency.concurrency):
every casework edit of an existing record carries the `edit_token` of the version the
user opened, through the services, the pages and the API.

The story of each test: the caseworker opens a record; the supervisor changes it; the
caseworker's change, made from the version they opened, is refused and the supervisor's
change stays. A current token, or (API) none at all, goes through."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from agency.concurrency import CONFLICT_MESSAGE, edit_token
from agency.roles import Role
from casework.models import (
    Assessment,
    CaseMember,
    CasePlan,
    Person,
    PlanGoal,
    PlanService,
    PlanStep,
    Race,
)
from casework.services import assessments as assessment_services
from casework.services import cases as case_services
from casework.services import people as people_services
from casework.services import plans as plan_services
from tests.casework.factories import add_member, make_case, make_person
from tests.casework.test_assessment_services import NOW, make_assessment_case, start
from tests.casework.test_plan_services import approved, filled, plan_case
from tests.factories import make_user


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- the edits -----------------------------------------------------------------------------------


@dataclass
class Edit:
    """One kind of edit: `make` builds the record and two different values of one of
    its fields (the supervisor's, the caseworker's); `update` sets the field through the
    service; `read` gives the field as saved."""

    make: Callable[[Any], tuple[Any, Any, Any]]
    update: Callable[..., Any]
    read: Callable[[Any], Any]


def _person(personas):
    """A person on the caseworker's case."""
    case = make_case(personas.unit, personas.caseworker)
    person = add_member(case, person=make_person(preferred_language="English")).person
    return person, "French", "Portuguese"


def _member(personas):
    case = make_case(personas.unit, personas.caseworker)
    member = add_member(case, CaseMember.Role.NATURAL_SUPPORT, natural_support_kind="neighbour")
    return member, "coach", "mentor"


def _member_update(member, actor, token, kind):
    return people_services.member_update(
        member=member,
        actor=actor,
        edit_token=token,
        role=CaseMember.Role.NATURAL_SUPPORT,
        alleged_victim=False,
        custodial=True,
        in_household=False,
        natural_support_kind=kind,
    )


def _case(personas):
    case = make_case(personas.unit, personas.caseworker)
    first, second = (make_user(Role.CASEWORKER, unit=personas.unit) for _ in range(2))
    return case, first, second


def _case_assign(case, actor, token, secondary):
    return case_services.case_assign(
        case=case,
        actor=actor,
        edit_token=token,
        primary_worker=case.primary_worker,
        secondary_worker=secondary,
    )


def _assessment(personas):
    return start(personas, make_assessment_case(personas), "safety"), "Theirs.", "Mine."


def _plan(personas):
    return filled(personas, plan_case(personas)), "Theirs.", "Mine."


def _goal(personas):
    return approved(personas, plan_case(personas)).goals.get(), "in_progress", "achieved"


def _step(personas):
    plan = approved(personas, plan_case(personas))
    return plan.goals.get().steps.get(), "in_progress", "achieved"


def _service(personas):
    return approved(personas, plan_case(personas)).services.get(), "accepted", "started"


EDITS = {
    "person": Edit(
        _person,
        lambda obj, actor, token, value: people_services.person_update(
            person=obj, actor=actor, edit_token=token, preferred_language=value
        ),
        lambda obj: fresh(obj).preferred_language,
    ),
    "member": Edit(_member, _member_update, lambda obj: fresh(obj).natural_support_kind),
    "case_assign": Edit(_case, _case_assign, lambda obj: fresh(obj).secondary_worker),
    "assessment": Edit(
        _assessment,
        lambda obj, actor, token, value: assessment_services.assessment_update(
            assessment=obj, actor=actor, edit_token=token, threats=value
        ),
        lambda obj: fresh(obj).threats,
    ),
    "plan": Edit(
        _plan,
        lambda obj, actor, token, value: plan_services.plan_update(
            plan=obj, actor=actor, edit_token=token, family_participants=value
        ),
        lambda obj: fresh(obj).family_participants,
    ),
    "goal": Edit(
        _goal,
        lambda obj, actor, token, value: plan_services.goal_update(
            goal=obj, actor=actor, edit_token=token, status=value
        ),
        lambda obj: fresh(obj).status,
    ),
    "step": Edit(
        _step,
        lambda obj, actor, token, value: plan_services.step_update(
            step=obj, actor=actor, edit_token=token, status=value
        ),
        lambda obj: fresh(obj).status,
    ),
    "service": Edit(
        _service,
        lambda obj, actor, token, value: plan_services.service_update(
            service=obj, actor=actor, edit_token=token, status=value
        ),
        lambda obj: fresh(obj).status,
    ),
}


@pytest.fixture(params=sorted(EDITS))
def edit(request, personas, now):
    """(the Edit, the record, the token the caseworker was given, theirs, mine)."""
    spec = EDITS[request.param]
    record, theirs, mine = spec.make(personas)
    return spec, record, edit_token(record), theirs, mine


# --- services ------------------------------------------------------------------------------------


def test_a_stale_token_is_refused_and_the_other_change_stays(personas, edit):
    spec, record, token, theirs, mine = edit
    spec.update(record, personas.supervisor, None, theirs)
    history_rows = fresh(record).history.count()

    with pytest.raises(ValidationError) as excinfo:
        spec.update(record, personas.caseworker, token, mine)

    assert excinfo.value.message_dict == {"edit_token": [CONFLICT_MESSAGE]}
    assert spec.read(record) == theirs
    assert fresh(record).history.count() == history_rows


def test_a_current_token_goes_through_and_moves_the_token(personas, edit):
    spec, record, _, theirs, mine = edit
    spec.update(record, personas.supervisor, None, theirs)
    token = edit_token(fresh(record))

    spec.update(record, personas.caseworker, token, mine)

    assert spec.read(record) == mine
    assert edit_token(fresh(record)) != token


def test_without_a_token_the_edit_is_not_checked(personas, edit):
    spec, record, _, theirs, mine = edit
    spec.update(record, personas.supervisor, None, theirs)

    spec.update(record, personas.caseworker, None, mine)

    assert spec.read(record) == mine


def test_the_same_user_twice_from_one_version_is_refused_the_second_time(personas, edit):
    spec, record, token, theirs, mine = edit

    spec.update(record, personas.caseworker, token, theirs)
    with pytest.raises(ValidationError):
        spec.update(record, personas.caseworker, token, mine)

    assert spec.read(record) == theirs


def test_a_change_of_races_alone_moves_a_persons_token(personas, now):
    person = make_person()
    token = edit_token(person)
    people_services.person_update(
        person=person, actor=personas.supervisor, races=[Race.objects.get(code="asian")]
    )

    with pytest.raises(ValidationError):
        people_services.person_update(
            person=person,
            actor=personas.caseworker,
            edit_token=token,
            races=[Race.objects.get(code="white")],
        )

    assert [race.code for race in fresh(person).races.all()] == ["asian"]


def test_setting_the_same_races_again_saves_nothing(personas, now):
    person = make_person()
    person.races.set([Race.objects.get(code="asian")])
    token = edit_token(person)

    people_services.person_update(
        person=person, actor=personas.caseworker, races=[Race.objects.get(code="asian")]
    )

    assert edit_token(fresh(person)) == token


# --- pages ---------------------------------------------------------------------------------------


def form_data(form, **typed) -> dict:
    """What the browser posts for `form` as shown, with the user's `typed` changes."""
    data = {}
    for name, value in (form.initial | typed).items():
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        else:
            value = getattr(value, "pk", value)
        data[name] = value
    return data


@dataclass
class Page:
    """An edit page: its URL, the context name of its form, what the user types (the
    caseworker's value of the edit's field), the extra fields the post carries, and how
    the typed value shows again."""

    edit: str
    url: Callable[[Any], str]
    form: str
    field: str
    shown: Callable[[Any], str]
    extra: dict | None = None


PAGES = {
    "person_edit": Page(
        "person",
        lambda p: reverse("casework:person_edit", args=[p.pk]),
        "form",
        "preferred_language",
        lambda value: f'value="{value}"',
    ),
    "member_edit": Page(
        "member",
        lambda m: reverse("casework:member_edit", args=[m.pk]),
        "form",
        "natural_support_kind",
        lambda value: f'value="{value}"',
    ),
    "case_assign": Page(
        "case_assign",
        lambda c: reverse("casework:case_assign", args=[c.pk]),
        "form",
        "secondary_worker",
        lambda user: f'<option value="{user.pk}" selected>',
    ),
    "assessment_edit": Page(
        "assessment",
        lambda a: reverse("casework:assessment_edit", args=[a.pk]),
        "form",
        "threats",
        lambda value: f"{value}</textarea>",
        {"action": "save"},
    ),
    "plan_edit": Page(
        "plan",
        lambda p: reverse("casework:plan_edit", args=[p.pk]),
        "family_form",
        "family_participants",
        lambda value: f"{value}</textarea>",
    ),
}


@pytest.fixture(params=sorted(PAGES))
def page(request, personas, now):
    """(the Page, its Edit, the record, theirs, mine)."""
    spec = PAGES[request.param]
    edit_spec = EDITS[spec.edit]
    record, theirs, mine = edit_spec.make(personas)
    return spec, edit_spec, record, theirs, mine


def hidden_token(value) -> str:
    return f'<input type="hidden" name="edit_token" value="{value}"'


def test_an_edit_page_carries_the_records_token(client, personas, page):
    spec, _, record, _, _ = page
    client.force_login(personas.caseworker)

    response = client.get(spec.url(record))

    assert response.status_code == 200
    assert response.context[spec.form].initial["edit_token"] == edit_token(record)
    assert hidden_token(edit_token(record)) in response.text


def test_a_stale_page_is_shown_again_with_the_message_and_the_typed_input(client, personas, page):
    spec, edit_spec, record, theirs, mine = page
    client.force_login(personas.caseworker)
    shown = client.get(spec.url(record)).context[spec.form]
    stale = shown.initial["edit_token"]
    edit_spec.update(record, personas.supervisor, None, theirs)

    response = client.post(
        spec.url(record), form_data(shown, **{spec.field: mine}) | (spec.extra or {})
    )

    assert response.status_code in (200, 400)  # the form again, not a redirect
    form = response.context[spec.form]
    assert form.non_field_errors() == [CONFLICT_MESSAGE]
    assert (
        '<div class="usa-alert usa-alert--error usa-alert--slim" role="alert">\n'
        f'  <div class="usa-alert__body"><p class="usa-alert__text">{escape(CONFLICT_MESSAGE)}'
    ) in response.text
    assert spec.shown(mine) in response.text
    assert hidden_token(stale) in response.text  # reloading gives the current version
    assert edit_spec.read(record) == theirs


def test_a_page_posted_from_the_current_version_saves(client, personas, page):
    spec, edit_spec, record, _, mine = page
    client.force_login(personas.caseworker)
    shown = client.get(spec.url(record)).context[spec.form]

    response = client.post(
        spec.url(record), form_data(shown, **{spec.field: mine}) | (spec.extra or {})
    )

    assert response.status_code == 302
    assert edit_spec.read(record) == mine


# --- the plan page's progress forms --------------------------------------------------------------

PROGRESS_URLS = {
    "goal": "casework:plan_goal_status",
    "step": "casework:plan_step_status",
    "service": "casework:plan_service_status",
}


@pytest.fixture(params=sorted(PROGRESS_URLS))
def progress(request, personas, now):
    """(what, the item, theirs, mine) on an approved plan."""
    item, theirs, mine = EDITS[request.param].make(personas)
    return request.param, item, theirs, mine


def plan_of(item) -> CasePlan:
    return item.goal.plan if isinstance(item, PlanStep) else item.plan


def test_the_plan_page_gives_each_progress_form_its_items_token(client, personas, progress):
    what, item, _, _ = progress
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:plan_detail", args=[plan_of(item).pk]))

    form = response.text.split(f'action="{reverse(PROGRESS_URLS[what], args=[item.pk])}"')[1]
    assert form.split("</form>")[0].count(hidden_token(edit_token(item))) == 1


def test_the_case_page_progress_forms_carry_tokens_too(client, personas, progress):
    _, item, _, _ = progress
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:case_detail", args=[plan_of(item).case_id]))

    assert hidden_token(edit_token(item)) in response.text


def test_a_stale_progress_form_is_shown_again_with_the_message_and_the_choice(
    client, personas, progress
):
    what, item, theirs, mine = progress
    spec = EDITS[what]
    client.force_login(personas.caseworker)
    stale = edit_token(item)
    spec.update(item, personas.supervisor, None, theirs)

    response = client.post(
        reverse(PROGRESS_URLS[what], args=[item.pk]), {"status": mine, "edit_token": stale}
    )

    assert response.status_code == 400
    form = response.text.split(f'action="{reverse(PROGRESS_URLS[what], args=[item.pk])}"')[1]
    form = form.split("</form>")[0]
    assert escape(CONFLICT_MESSAGE) in form
    assert f'<option value="{mine}" selected>' in form
    assert hidden_token(stale) in form
    assert "was not saved" in response.text  # the page's message, at the top
    assert spec.read(item) == theirs


def test_a_current_progress_form_saves(client, personas, progress):
    what, item, _, mine = progress
    client.force_login(personas.caseworker)

    response = client.post(
        reverse(PROGRESS_URLS[what], args=[item.pk]),
        {"status": mine, "edit_token": edit_token(item)},
    )

    assert response.status_code == 302
    assert EDITS[what].read(item) == mine


# --- API -----------------------------------------------------------------------------------------

API = {
    "person": ("/api/casework/persons/{}/", "preferred_language"),
    "assessment": ("/api/casework/assessments/{}/", "threats"),
    "plan": ("/api/casework/plans/{}/", "family_participants"),
    "goal": ("/api/casework/plan-goals/{}/", "status"),
    "step": ("/api/casework/plan-steps/{}/", "status"),
    "service": ("/api/casework/plan-services/{}/", "status"),
}


@pytest.fixture(params=sorted(API))
def api_edit(request, personas, now, client):
    """(the Edit, its URL, its field, the record, theirs, mine), the caseworker logged in."""
    spec = EDITS[request.param]
    record, theirs, mine = spec.make(personas)
    client.force_login(personas.caseworker)
    url, field = API[request.param]
    return spec, url.format(record.pk), field, record, theirs, mine


def read_token(client, record) -> str:
    """The record's edit_token as the API reads it (goals, steps and services: nested in
    their plan's answer)."""
    if isinstance(record, Person | Assessment | CasePlan):
        url = API[{Person: "person", Assessment: "assessment", CasePlan: "plan"}[type(record)]][0]
        return client.get(url.format(record.pk)).json()["edit_token"]
    plan = client.get(f"/api/casework/plans/{plan_of(record).pk}/").json()
    rows = {
        PlanGoal: plan["goals"],
        PlanStep: [step for goal in plan["goals"] for step in goal["steps"]],
        PlanService: plan["services"],
    }[type(record)]
    return next(row["edit_token"] for row in rows if row["id"] == record.pk)


def test_the_api_reads_the_records_token(client, api_edit):
    _, _, _, record, _, _ = api_edit

    assert read_token(client, record) == edit_token(record)


def test_a_stale_api_patch_is_400_and_saves_nothing(client, personas, api_edit):
    spec, url, field, record, theirs, mine = api_edit
    token = read_token(client, record)
    spec.update(record, personas.supervisor, None, theirs)

    response = client.patch(
        url, {field: mine, "edit_token": token}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"edit_token": [CONFLICT_MESSAGE]}
    assert spec.read(record) == theirs


def test_a_current_api_patch_saves_and_answers_the_new_token(client, personas, api_edit):
    spec, url, field, record, theirs, mine = api_edit
    spec.update(record, personas.supervisor, None, theirs)
    token = read_token(client, record)

    response = client.patch(
        url, {field: mine, "edit_token": token}, content_type="application/json"
    )

    assert response.status_code == 200
    assert spec.read(record) == mine
    assert response.json()["edit_token"] == edit_token(fresh(record)) != token


def test_an_api_patch_without_a_token_is_not_checked(client, personas, api_edit):
    spec, url, field, record, theirs, mine = api_edit
    spec.update(record, personas.supervisor, None, theirs)

    response = client.patch(url, {field: mine}, content_type="application/json")

    assert response.status_code == 200
    assert spec.read(record) == mine


def test_lists_carry_tokens_without_a_query_per_row(
    client, personas, now, django_assert_max_num_queries
):
    case = make_case(personas.unit, personas.caseworker)
    people = [add_member(case).person for _ in range(3)]
    client.force_login(personas.caseworker)

    with django_assert_max_num_queries(12):
        rows = client.get("/api/casework/persons/", {"case": case.pk}).json()["results"]

    assert {row["id"]: row["edit_token"] for row in rows} == {
        person.pk: edit_token(person) for person in people
    }


def test_the_schema_documents_the_token(client, personas):
    client.force_login(personas.caseworker)

    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert schema["Person"]["properties"]["edit_token"]["readOnly"] is True
    for request_body in (
        "PatchedPersonUpdateRequest",
        "PatchedAssessmentUpdateRequest",
        "PatchedPlanUpdateRequest",
        "PatchedGoalProgressRequest",
        "PatchedServiceProgressRequest",
    ):
        assert schema[request_body]["properties"]["edit_token"]["type"] == "string"
    for answer in ("Assessment", "CasePlan", "PlanGoal", "PlanStep", "PlanService"):
        assert schema[answer]["properties"]["edit_token"]["readOnly"] is True


def test_the_plan_page_reads_the_tokens_with_the_plan(client, personas, now):
    """A token per goal, step and service, but no query per goal, step or service."""
    small = filled(personas, plan_case(personas))
    large = filled(personas, plan_case(personas))
    for n in range(3):
        goal = plan_services.goal_add(
            plan=large,
            actor=personas.caseworker,
            description=f"Goal {n}",
            responsible="Ms Rivera",
            target_date=date(2027, 3, 1),
        )
        plan_services.step_add(
            goal=goal,
            actor=personas.caseworker,
            description=f"Step {n}",
            responsible="Ms Rivera",
            target_date=date(2027, 1, 15),
        )
        plan_services.service_add(
            plan=large,
            actor=personas.caseworker,
            provider="Family Works",
            service_type=f"Service {n}",
            referred_on=date(2026, 11, 20),
        )
    client.force_login(personas.caseworker)
    client.get(reverse("casework:plan_detail", args=[small.pk]))  # warm the caches

    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("casework:plan_detail", args=[plan.pk]))
        counts.append(len(queries))
        assert response.text.count('name="edit_token"') == (
            plan.goals.count()
            + PlanStep.objects.filter(goal__plan=plan).count()
            + plan.services.count()
        )

    assert counts[0] == counts[1]
