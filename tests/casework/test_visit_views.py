"""The visit pages, through HTTP: who may open them, what they show, what they save."""

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.roles import Role
from casework.models import RecordView, Visit, VisitParticipant
from casework.selectors import visits as selectors
from tests.casework.factories import add_member, make_person
from tests.casework.test_visit_selectors import held
from tests.casework.test_visit_services import local, make_family, plan, record
from tests.factories import make_user

NOW = "2026-11-23 10:00:00-05:00"


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker, opened_on=date(2025, 1, 6))


@pytest.fixture
def visit(personas, family, now):
    return plan(family, personas.caseworker)


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def pages(family, visit):
    """(URL name, URL, method) of every visit page."""
    return [
        ("case_visits", reverse("casework:case_visits", args=[family.case.pk]), "get"),
        ("visit_plan", reverse("casework:visit_plan", args=[family.case.pk]), "get"),
        ("visit_plan", reverse("casework:visit_plan", args=[family.case.pk]), "post"),
        ("visit_detail", reverse("casework:visit_detail", args=[visit.pk]), "get"),
        ("visit_record", reverse("casework:visit_record", args=[visit.pk]), "get"),
        ("visit_record", reverse("casework:visit_record", args=[visit.pk]), "post"),
        (
            "visit_entered_in_error",
            reverse("casework:visit_entered_in_error", args=[visit.pk]),
            "get",
        ),
        (
            "visit_entered_in_error",
            reverse("casework:visit_entered_in_error", args=[visit.pk]),
            "post",
        ),
    ]


# --- who may open them -------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_from_every_visit_page(client, family, visit):
    for _name, url, method in pages(family, visit):
        response = getattr(client, method)(url)

        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404_from_every_visit_page(
    client, personas, family, visit, persona
):
    client.force_login(getattr(personas, persona))

    for _name, url, method in pages(family, visit):
        assert getattr(client, method)(url).status_code == 404, (persona, method, url)
    visit.refresh_from_db()
    assert (visit.status, visit.entered_in_error) == ("planned", False)


def test_a_missing_visit_or_case_is_404(as_caseworker):
    assert as_caseworker.get(reverse("casework:visit_detail", args=[987654])).status_code == 404
    assert as_caseworker.get(reverse("casework:visit_plan", args=[987654])).status_code == 404


def test_a_reader_sees_visits_but_may_not_plan_record_or_mark_them(client, personas, family, visit):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    client.force_login(reviewer)

    assert client.get(reverse("casework:case_visits", args=[family.case.pk])).status_code == 200
    detail = client.get(reverse("casework:visit_detail", args=[visit.pk]))
    assert detail.status_code == 200
    assert "Record this visit" not in detail.text
    for name, url, method in pages(family, visit):
        if name in ("visit_plan", "visit_record", "visit_entered_in_error"):
            assert getattr(client, method)(url).status_code == 403, (method, url)


def test_the_unit_supervisor_may_record_a_visit(client, personas, family, visit):
    client.force_login(personas.supervisor)

    assert client.get(reverse("casework:visit_record", args=[visit.pk])).status_code == 200


# --- planning ------------------------------------------------------------------------------------


def test_plan_page_ticks_children_and_parents_and_offers_every_active_member(as_caseworker, family):
    response = as_caseworker.get(reverse("casework:visit_plan", args=[family.case.pk]))

    assert response.status_code == 200
    assert page_title(response) == f"Plan a visit · {family.case.number} · Hearth"
    html = response.text
    for person in (family.child, family.sibling, family.mother, family.father):
        assert re.search(rf'<input[^>]*value="{person.pk}"[^>]*checked', html), person
    assert re.search(rf'<input[^>]*value="{family.aunt.pk}"[^>]*>', html)
    assert not re.search(rf'<input[^>]*value="{family.aunt.pk}"[^>]*checked', html)
    assert "<legend" in html and "Who will take part" in html
    assert "from the case plan" in html


def test_planning_a_visit_saves_it_and_opens_it(as_caseworker, personas, family, now):
    response = as_caseworker.post(
        reverse("casework:visit_plan", args=[family.case.pk]),
        {
            "planned_for": "2026-11-30T15:00",
            "location": "foster_home",
            "location_detail": "The Smiths",
            "participants": [family.child.pk, family.aunt.pk],
            "discussion_points": "Goal 1: school attendance.",
        },
    )

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:visit_detail", args=[visit.pk])
    assert visit.planned_for == local(2026, 11, 30, 15, 0)
    assert visit.announced is False  # the box was not ticked
    assert visit.planned_by == personas.caseworker
    assert set(visit.participants.values_list("person", flat=True)) == {
        family.child.pk,
        family.aunt.pk,
    }


def test_planning_without_discussion_points_shows_the_error_and_saves_nothing(
    as_caseworker, family
):
    response = as_caseworker.post(
        reverse("casework:visit_plan", args=[family.case.pk]),
        {
            "planned_for": "2026-11-30T15:00",
            "location": "child_residence",
            "participants": [family.child.pk],
            "discussion_points": "   ",
        },
    )

    assert response.status_code == 200
    assert "Write the discussion points before the visit" in response.text
    assert "usa-error-message" in response.text
    assert not Visit.objects.exists()


def test_planning_with_nobody_ticked_shows_the_error(as_caseworker, family):
    response = as_caseworker.post(
        reverse("casework:visit_plan", args=[family.case.pk]),
        {"planned_for": "2026-11-30T15:00", "location": "office", "discussion_points": "x"},
    )

    assert response.status_code == 200
    assert "Choose at least one person to visit." in response.text
    assert not Visit.objects.exists()


def test_planning_on_a_closed_case_shows_why(as_caseworker, personas):
    closed = make_family(
        personas.unit, personas.caseworker, status="closed", closed_on=date(2026, 10, 1)
    )

    response = as_caseworker.post(
        reverse("casework:visit_plan", args=[closed.case.pk]),
        {
            "planned_for": "2026-11-30T15:00",
            "location": "office",
            "participants": [closed.child.pk],
            "discussion_points": "x",
        },
    )

    assert response.status_code == 200
    assert "is closed" in response.text
    assert not Visit.objects.exists()


# --- the visit page -------------------------------------------------------------------------


def test_visit_page_shows_the_plan_and_logs_the_opening(as_caseworker, personas, family, visit):
    response = as_caseworker.get(reverse("casework:visit_detail", args=[visit.pk]))

    assert response.status_code == 200
    assert page_title(response) == f"Visit 20 Nov 2026 · {family.case.number} · Hearth"
    assert "Progress on the school-attendance goal" in response.text
    assert "Fri 20 Nov 2026, 10:00" in response.text
    assert "Record this visit" in response.text
    assert RecordView.objects.filter(
        user=personas.caseworker, case=family.case, channel="page"
    ).exists()


def test_visit_page_shows_who_was_seen_and_privately(as_caseworker, personas, family, visit):
    record(
        visit,
        personas.caseworker,
        seen={family.child.pk: (True, True), family.mother.pk: (True, False)},
    )

    response = as_caseworker.get(reverse("casework:visit_detail", args=[visit.pk]))

    html = response.text
    assert "Case-plan goals, Safety and risk" in html
    assert "Saw both children at home." in html
    assert "Record this visit" not in html
    assert "Not applicable" in html  # parents are not seen privately
    assert '<th scope="col">Seen privately</th>' in html


# --- recording --------------------------------------------------------------------------------


def record_data(family, **fields):
    return {
        "status": "completed",
        "occurred_at": "2026-11-20T10:30",
        "topics": ["well_being", "services"],
        "narrative": "Both children well.",
        f"seen_{family.child.pk}": "on",
        f"private_{family.child.pk}": "on",
        f"seen_{family.mother.pk}": "on",
    } | fields


def test_record_page_offers_privately_for_children_only(as_caseworker, family, visit):
    response = as_caseworker.get(reverse("casework:visit_record", args=[visit.pk]))

    assert response.status_code == 200
    assert page_title(response) == f"Record a visit · {family.case.number} · Hearth"
    html = response.text
    assert f'name="private_{family.child.pk}"' in html
    assert f'name="private_{family.sibling.pk}"' in html
    assert f'name="private_{family.mother.pk}"' not in html
    assert f'name="seen_{family.father.pk}"' in html
    assert html.count("<legend") >= 3  # status, who was seen, topics
    assert 'value="2026-11-20T10:00"' in html  # the planned time, in Eastern time


def test_recording_a_visit_saves_it_and_opens_it(as_caseworker, personas, family, visit):
    response = as_caseworker.post(
        reverse("casework:visit_record", args=[visit.pk]), record_data(family)
    )

    assert response.status_code == 302
    case_page = reverse("casework:case_detail", args=[visit.case_id])
    assert response["Location"] == f"{case_page}#visits"
    visit.refresh_from_db()
    assert (visit.status, visit.occurred_at, visit.recorded_by) == (
        "completed",
        local(2026, 11, 20, 10, 30),
        personas.caseworker,
    )
    assert (visit.topic_well_being, visit.topic_services, visit.topic_safety_risk) == (
        True,
        True,
        False,
    )
    seen = dict(
        VisitParticipant.objects.filter(visit=visit, seen=True).values_list(
            "person", "seen_privately"
        )
    )
    assert seen == {family.child.pk: True, family.mother.pk: False}


def test_recording_a_completed_visit_in_the_future_is_refused(as_caseworker, family, visit):
    response = as_caseworker.post(
        reverse("casework:visit_record", args=[visit.pk]),
        record_data(family, occurred_at="2026-11-23T10:05"),
    )

    assert response.status_code == 200
    assert "This is in the future" in response.text
    visit.refresh_from_db()
    assert visit.status == "planned"
    assert not VisitParticipant.objects.filter(seen=True).exists()


def test_recording_a_completed_visit_without_anyone_seen_says_so_beside_the_people(
    as_caseworker, family, visit
):
    data = {k: v for k, v in record_data(family).items() if not k.startswith(("seen_", "private_"))}

    response = as_caseworker.post(reverse("casework:visit_record", args=[visit.pk]), data)

    assert response.status_code == 200
    assert "A completed visit saw at least one person" in response.text
    assert "Please correct the fields marked below." in response.text
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_recording_an_attempt_without_barrier_is_refused(as_caseworker, family, visit):
    data = {"status": "attempted", "occurred_at": "2026-11-20T10:30"}

    response = as_caseworker.post(reverse("casework:visit_record", args=[visit.pk]), data)

    assert response.status_code == 200
    assert "Say why the visit did not happen." in response.text


def test_a_recorded_visit_is_not_recorded_again(as_caseworker, personas, family, visit):
    record(visit, personas.caseworker, seen={family.child.pk: (True, True)})

    response = as_caseworker.post(
        reverse("casework:visit_record", args=[visit.pk]),
        {"status": "cancelled", "occurred_at": "2026-11-20T10:30", "barrier": "workload"},
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "completed"


# --- entered in error -------------------------------------------------------------------------


def test_marking_a_visit_entered_in_error_keeps_it_and_says_why(
    as_caseworker, personas, family, visit
):
    url = reverse("casework:visit_entered_in_error", args=[visit.pk])
    assert as_caseworker.get(url).status_code == 200

    response = as_caseworker.post(url, {"reason": "Wrong family."})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.entered_in_error is True
    assert visit.narrative.endswith("Wrong family.")
    detail = as_caseworker.get(reverse("casework:visit_detail", args=[visit.pk]))
    assert "This visit was entered in error" in detail.text


def test_marking_entered_in_error_without_a_reason_is_refused(as_caseworker, visit):
    response = as_caseworker.post(
        reverse("casework:visit_entered_in_error", args=[visit.pk]), {"reason": ""}
    )

    assert response.status_code == 200
    assert "Say why this visit was entered in error." in response.text
    visit.refresh_from_db()
    assert visit.entered_in_error is False


# --- the grid on the case's visits page and the case-page partial --------------------------


def test_case_visits_page_shows_the_grid_in_words_and_colours(as_caseworker, personas, family, now):
    held(
        family.case,
        personas.caseworker,
        local(2026, 10, 31, 23, 30),
        {family.child: (True, True), family.mother: (True, False)},
    )
    family.father.whereabouts_unknown = True
    family.father.save()

    response = as_caseworker.get(reverse("casework:case_visits", args=[family.case.pk]))

    assert response.status_code == 200
    assert page_title(response) == f"Visits · {family.case.number} · Hearth"
    html = response.text
    assert "<caption>Monthly visits, last 12 months</caption>" in html
    assert '<th scope="col"><time datetime="2026-11">Nov 2026</time></th>' in html
    assert '<th scope="col"><time datetime="2025-12">Dec 2025</time></th>' in html
    assert 'class="hearth-visited"' in html
    assert 'class="hearth-due"' in html
    assert 'class="hearth-missed"' in html
    assert "in residence" in html and "privately" in html
    assert "Whereabouts unknown" in html
    assert "hearth/visits.css" in html
    assert "Plan a visit" in html


def test_case_page_partial_renders_the_grid_and_the_visit_lists(personas, family, now):
    planned = plan(family, personas.caseworker, planned_for=local(2026, 11, 27, 9, 0))
    done = plan(family, personas.caseworker)
    record(done, personas.caseworker, seen={family.child.pk: (True, True)})
    request = RequestFactory().get("/")
    request.user = personas.caseworker
    context = {"case": family.case, "can_change": True} | selectors.case_visits_context(
        family.case, today=date(2026, 11, 23)
    )

    html = render_to_string("casework/case/_visits.html", context, request=request)

    assert "Monthly visits, last 12 months" in html
    assert reverse("casework:visit_plan", args=[family.case.pk]) in html
    assert reverse("casework:visit_detail", args=[planned.pk]) in html
    assert reverse("casework:visit_detail", args=[done.pk]) in html
    assert "seen privately" in html
    assert 'class="hearth-visited"' in html


def test_case_page_partial_hides_plan_a_visit_from_readers(personas, family):
    context = {"case": family.case, "can_change": False} | selectors.case_visits_context(
        family.case, today=date(2026, 11, 23)
    )

    html = render_to_string("casework/case/_visits.html", context)

    assert "Plan a visit" not in html
    assert "No visit planned." in html


# --- query counts ---------------------------------------------------------------------------


def grow(family, worker, n):
    """n more children, each with a month of completed and planned visits."""
    for i in range(n):
        child = add_member(family.case, person=make_person(first_name=f"Kid{i}")).person
        held(family.case, worker, local(2026, 10, 1 + i, 10), {child: (True, True)})
        held(
            family.case,
            worker,
            local(2026, 12, 1 + i, 10),
            {child: (False, False)},
            status="planned",
        )


@pytest.mark.parametrize(
    ("name", "limit"),
    [("case_visits", 12), ("visit_plan", 8), ("visit_detail", 9), ("visit_record", 9)],
)
def test_visit_pages_take_a_fixed_number_of_queries(
    client, personas, now, django_assert_max_num_queries, name, limit
):
    client.force_login(personas.caseworker)
    for size in (1, 12):
        family = make_family(personas.unit, personas.caseworker)
        grow(family, personas.caseworker, size)
        visit = plan(
            family,
            personas.caseworker,
            participants=[m.person for m in selectors.plannable_members(family.case)],
        )
        args = [family.case.pk] if name in ("case_visits", "visit_plan") else [visit.pk]
        url = reverse(f"casework:{name}", args=args)
        if size == 1:
            client.get(url)  # warm the per-process caches (content types, permissions)
        with django_assert_max_num_queries(limit):
            response = client.get(url)
        assert response.status_code == 200


# --- Django admin ------------------------------------------------------------------------------


@pytest.fixture
def as_superuser(client, db):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_admin_lists_and_shows_visits_read_only(as_superuser, visit):
    changelist = as_superuser.get(reverse("admin:casework_visit_changelist") + "?q=C-TEST")
    change = as_superuser.get(reverse("admin:casework_visit_change", args=[visit.pk]))
    history = as_superuser.get(reverse("admin:casework_visit_history", args=[visit.pk]))

    assert changelist.status_code == 200
    assert visit.case.number in changelist.text
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert history.status_code == 200
    assert as_superuser.get(reverse("admin:casework_visit_add")).status_code == 403
    assert (
        as_superuser.get(reverse("admin:casework_visit_delete", args=[visit.pk])).status_code == 403
    )


def test_admin_action_marks_visits_entered_in_error_with_a_reason(as_superuser, visit):
    url = reverse("admin:casework_visit_changelist")
    base = {"action": "mark_entered_in_error", "_selected_action": [visit.pk]}

    confirm = as_superuser.post(url, base)
    blank = as_superuser.post(url, base | {"apply": "yes", "reason": ""})
    done = as_superuser.post(url, base | {"apply": "yes", "reason": "Duplicate entry."})

    assert confirm.status_code == 200
    assert "Why this visit was entered in error" in confirm.text
    assert blank.status_code == 200
    assert "Say why this visit was entered in error." in blank.text
    assert done.status_code == 302
    visit.refresh_from_db()
    assert visit.entered_in_error is True
    assert visit.narrative.endswith("Duplicate entry.")
    assert "delete_selected" not in as_superuser.get(url).text


# --- in a browser ------------------------------------------------------------------------------


def tick(browser_page, label: str) -> None:
    """Tick a USWDS checkbox or radio the way a person does: by its label (the input
    itself is visually hidden)."""
    box = browser_page.get_by_label(label, exact=True)
    browser_page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    assert box.is_checked()


@pytest.mark.browser
@pytest.mark.usefixtures("role_groups")
@pytest.mark.django_db(transaction=True)
def test_caseworker_plans_and_records_a_visit_in_the_browser(page, live_server):
    from agency.demo import DEMO_PASSWORD
    from tests.browser import SCREENS, log_in, serious_accessibility_violations
    from tests.factories import make_personas

    personas = make_personas()
    personas.caseworker.set_password(DEMO_PASSWORD)
    personas.caseworker.save()
    family = make_family(personas.unit, personas.caseworker, opened_on=date(2025, 1, 6))
    held(
        family.case,
        personas.caseworker,
        local(2026, 10, 12, 10),
        {family.child: (True, True), family.mother: (True, False)},
    )
    log_in(page, live_server, "caseworker")
    SCREENS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}{reverse('casework:case_visits', args=[family.case.pk])}")
    assert page.title() == f"Visits · {family.case.number} · Hearth"
    assert page.get_by_role("table", name="Monthly visits, last 12 months").is_visible()
    page.screenshot(path=str(SCREENS / "visits-grid.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    # This month's cell for the child says "Not visited" (amber) before the visit.
    this_month = f"{clock.today():%Y-%m}"
    grid = page.get_by_role("table", name="Monthly visits, last 12 months")
    cell = grid.get_by_role("row").filter(has_text=family.child.full_name).locator("td").last
    assert "Not visited" in cell.inner_text()
    assert "hearth-due" in cell.get_attribute("class")
    assert page.locator(f'th time[datetime="{this_month}"]').is_visible()

    page.get_by_role("link", name="Plan a visit").first.click()
    assert page.title() == f"Plan a visit · {family.case.number} · Hearth"
    earlier_today = timezone.localtime(clock.now() - timedelta(minutes=30))
    page.get_by_label("When (date and time, Eastern)").fill(f"{earlier_today:%Y-%m-%dT%H:%M}")
    page.get_by_label("Where").select_option("child_residence")
    page.get_by_role("button", name="Plan the visit").click()
    assert "Write the discussion points before the visit" in page.inner_text("main")
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Discussion points").fill("School attendance; the safety plan.")
    page.get_by_role("button", name="Plan the visit").click()
    assert "Visit planned." in page.inner_text("main")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Record this visit").click()
    tick(page, "Completed")
    tick(page, f"{family.child.full_name} was seen (Child)")
    tick(page, f"{family.child.full_name} was seen privately")
    tick(page, "Well-being")
    page.get_by_label("Narrative").fill("Leo showed his school report.")
    page.screenshot(path=str(SCREENS / "visit-record.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Record the visit").click()

    # Back on the case page: the month has turned green for the child.
    assert "Visit recorded as completed." in page.inner_text("main")
    assert page.title() == f"{family.case.number} {family.case.name} · Hearth"
    grid = page.get_by_role("table", name="Monthly visits, last 12 months")
    cell = grid.get_by_role("row").filter(has_text=family.child.full_name).locator("td").last
    assert "Visited" in cell.inner_text() and "privately" in cell.inner_text()
    assert "hearth-visited" in cell.get_attribute("class")
    page.screenshot(path=str(SCREENS / "case-after-visit.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    visit = Visit.objects.get(status="completed", narrative__startswith="Leo")
    assert visit.participants.get(person=family.child).seen_privately is True
