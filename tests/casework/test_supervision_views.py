"""The supervision pages through HTTP: who may open and post each one, recording a review
with next steps from the form (all or nothing), acknowledging, marking a step done, the
supervisor's month, unit supervision notes, the case page's part, and the admin."""

import re
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import NextStep, SupervisionNote, SupervisoryReview
from casework.services import supervision as services
from tests.casework.factories import make_case
from tests.casework.test_assessment_services import other_supervisor
from tests.casework.test_supervision_services import (
    NOW,
    TODAY,
    area_administrator,
    note_fields,
    record,
    review_case,
    step,
)
from tests.factories import make_unit, make_user


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return review_case(personas)


@pytest.fixture
def review(personas, case):
    return record(personas, case, steps=[step(personas.caseworker)])


@pytest.fixture
def next_step(review):
    return review.next_steps.get()


@pytest.fixture
def note(personas, now):
    return services.note_record(
        unit=personas.unit, actor=personas.supervisor, **note_fields(personas)
    )


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


# Each page and the fixture its id comes from (None: no id).
PAGES = {
    "supervision_reviews": None,
    "supervision_mine": None,
    "supervision_notes_index": None,
    "supervision_case_reviews": "case",
    "supervision_review_new": "case",
    "supervision_review": "review",
    "supervision_review_edit": "review",
    "supervision_review_acknowledge": "review",
    "next_step_done": "next_step",
    "supervision_notes": "unit",
    "supervision_note_new": "unit",
    "supervision_note": "note",
    "supervision_note_edit": "note",
}
POST_ONLY = {"supervision_review_acknowledge"}
OBJECT_PAGES = [name for name, fixture in PAGES.items() if fixture]


def page_url(request, personas, name) -> str:
    fixture = PAGES[name]
    if fixture is None:
        return url(name)
    if fixture == "unit":
        return url(name, personas.unit.pk)
    return url(name, request.getfixturevalue(fixture).pk)


def hit(client, path, name, data=None):
    if name in POST_ONLY:
        return client.post(path, data or {})
    return client.get(path)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_the_login_page(client, personas, request, review, note, name):
    path = page_url(request, personas, name)

    response = hit(client, path, name)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_a_caseworker_of_another_unit_gets_404(client, personas, request, review, note, name):
    client.force_login(personas.other_caseworker)
    path = page_url(request, personas, name)

    got = hit(client, path, name)
    posted = client.post(path, {"discussion": "Mine", "done_on": "2026-11-23", "comment": "x"})

    assert (got.status_code, posted.status_code) == (404, 404)
    review.refresh_from_db()
    assert (review.discussion != "Mine", review.acknowledged_at, review.version) == (True, None, 1)
    assert NextStep.objects.filter(done_on__isnull=False).count() == 0


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("who", ["ombudsman", "opm", "outsider"])
def test_roles_outside_casework_get_403_or_404(
    client, personas, request, user_with_role, review, note, name, who
):
    user = (
        user_with_role(Role.PERFORMANCE_MANAGEMENT, location=personas.central)
        if who == "opm"
        else getattr(personas, who)
    )
    client.force_login(user)

    response = hit(client, page_url(request, personas, name), name)

    assert response.status_code in (403, 404)
    assert client.post(page_url(request, personas, name), {"comment": "x"}).status_code in (
        403,
        404,
        405,
    )
    review.refresh_from_db()
    assert review.acknowledged_at is None


@pytest.mark.parametrize(
    "name",
    [
        "supervision_reviews",
        "supervision_review_new",
        "supervision_review_edit",
        "supervision_note_new",
        "supervision_note_edit",
    ],
)
def test_the_caseworker_may_not_record_or_change_supervision(
    client, personas, request, review, note, name
):
    client.force_login(personas.caseworker)
    path = page_url(request, personas, name)

    assert client.get(path).status_code == 403
    assert client.post(path, {"discussion": "Mine", "topics": "Mine"}).status_code == 403
    assert not SupervisoryReview.objects.filter(discussion="Mine").exists()
    assert not SupervisionNote.objects.filter(topics="Mine").exists()


def test_another_units_supervisor_gets_404_for_the_case(client, personas, case):
    client.force_login(other_supervisor(personas))

    assert client.get(url("supervision_review_new", case.pk)).status_code == 404


def test_only_the_worker_acknowledges_and_only_the_owner_marks_done(
    client, personas, review, next_step
):
    client.force_login(personas.supervisor)

    acknowledged = client.post(url("supervision_review_acknowledge", review.pk), {"comment": "x"})
    done = client.post(url("next_step_done", next_step.pk), {"done_on": "2026-11-23"})

    assert (acknowledged.status_code, done.status_code) == (403, 403)
    assert client.get(url("next_step_done", next_step.pk)).status_code == 403


@pytest.mark.parametrize(
    ("name", "who", "title"),
    [
        ("supervision_reviews", "supervisor", "Supervisory reviews, November 2026 · Hearth"),
        ("supervision_mine", "caseworker", "My supervision · Hearth"),
        ("supervision_case_reviews", "caseworker", "Supervisory reviews · {number} · Hearth"),
        ("supervision_review_new", "supervisor", "Record a supervisory review · {number} · Hearth"),
        (
            "supervision_review",
            "caseworker",
            "Supervisory review of 20 Nov 2026 · {number} · Hearth",
        ),
        (
            "supervision_review_edit",
            "supervisor",
            "Edit the supervisory review · {number} · Hearth",
        ),
        ("next_step_done", "caseworker", "Mark a next step done · {number} · Hearth"),
        ("supervision_notes", "caseworker", "Supervision notes · Intake Unit 1 · Hearth"),
        ("supervision_note_new", "supervisor", "Record supervision notes · Intake Unit 1 · Hearth"),
        (
            "supervision_note",
            "caseworker",
            "Group supervision, 18 Nov 2026 · Intake Unit 1 · Hearth",
        ),
        ("supervision_note_edit", "supervisor", "Edit supervision notes · Intake Unit 1 · Hearth"),
    ],
)
def test_the_right_people_open_the_pages(
    client, personas, request, case, review, note, name, who, title
):
    client.force_login(getattr(personas, who))

    response = client.get(page_url(request, personas, name))

    assert response.status_code == 200
    assert page_title(response) == title.format(number=case.number)


def test_statewide_readers_open_a_review(client, personas, review, user_with_role):
    client.force_login(user_with_role(Role.QUALITY_REVIEWER, location=personas.central))

    assert client.get(url("supervision_review", review.pk)).status_code == 200


# --- recording a review from the form ------------------------------------------------------------


def form_data(personas, **fields) -> dict:
    data = {
        "held_on": "2026-11-20",
        "worker": personas.caseworker.pk,
        "focus_areas": ["safety", "barriers"],
        "discussion": "Talked through the safety plan.",
        "clinical_guidance": "See each child on their own.",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-description": "Call the school",
        "steps-0-owner": personas.caseworker.pk,
        "steps-0-due_on": "2026-12-02",
        "steps-1-description": "Consult the clinical team",
        "steps-1-owner": personas.supervisor.pk,
        "steps-1-due_on": "2026-12-10",
        "steps-2-owner": "",
    }
    return data | fields


def test_the_supervisor_records_a_review_with_next_steps(client, personas, case):
    client.force_login(personas.supervisor)

    response = client.post(url("supervision_review_new", case.pk), form_data(personas))

    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case.pk)
    review = SupervisoryReview.objects.get()
    assert (review.held_on, review.focus_areas) == (date(2026, 11, 20), ["safety", "barriers"])
    assert sorted(review.next_steps.values_list("description", "owner")) == [
        ("Call the school", personas.caseworker.pk),
        ("Consult the clinical team", personas.supervisor.pk),
    ]
    page = client.get(response["Location"])
    assert "Supervisory review recorded with 2 next steps" in page.text
    assert "Reviewed this month on 20 November 2026" in page.text


def test_a_bad_next_step_saves_nothing_and_says_why_beside_it(client, personas, case):
    client.force_login(personas.supervisor)
    path = url("supervision_review_new", case.pk)

    half = client.post(path, form_data(personas, **{"steps-2-description": "Half a step"}))
    early = client.post(path, form_data(personas, **{"steps-1-due_on": "2026-11-01"}))

    assert (half.status_code, early.status_code) == (400, 400)
    assert SupervisoryReview.objects.count() == NextStep.objects.count() == 0
    assert "Choose who will do it." in half.text and "Enter the date it is due." in half.text
    assert 'value="Half a step"' in half.text  # what was typed is kept
    error = early.text.index("A next step is due on or after the review.")
    assert early.text.index('name="steps-1-description"') < error
    assert error < early.text.index('name="steps-1-due_on"')


def test_review_fields_are_checked_on_the_form(client, personas, case):
    client.force_login(personas.supervisor)

    response = client.post(
        url("supervision_review_new", case.pk),
        form_data(personas, held_on="2026-11-24", focus_areas=[], discussion=""),
    )

    assert response.status_code == 400
    assert "Choose at least one focus area you discussed." in response.text
    assert "Say what you discussed." in response.text
    assert SupervisoryReview.objects.count() == 0
    response = client.post(
        url("supervision_review_new", case.pk), form_data(personas, held_on="2026-11-24")
    )
    assert "The date of the review cannot be in the future." in response.text


def test_an_edit_made_on_an_old_version_is_refused(client, personas, review):
    client.force_login(personas.supervisor)
    first = review.next_steps.get()
    data = form_data(
        personas,
        version="1",
        discussion="Edited",
        **{
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "1",
            "steps-0-id": first.pk,
            "steps-0-description": "Call the school and the nurse",
            "steps-0-owner": personas.caseworker.pk,
            "steps-0-due_on": "2026-12-02",
        },
    )
    saved = client.post(url("supervision_review_edit", review.pk), data)
    stale = client.post(url("supervision_review_edit", review.pk), data | {"discussion": "Lost"})

    assert saved.status_code == 302
    assert stale.status_code == 400
    assert "Someone else changed this record after you opened it" in stale.text
    review.refresh_from_db()
    first.refresh_from_db()
    assert (review.discussion, review.version) == ("Edited", 2)
    assert first.description == "Call the school and the nurse"


def test_the_worker_acknowledges_from_the_case_page(client, personas, case, review):
    client.force_login(personas.caseworker)
    page = client.get(url("case_detail", case.pk))
    assert "Not acknowledged" in page.text and "Acknowledge" in page.text
    assert "Record this month's review" not in page.text

    response = client.post(
        url("supervision_review_acknowledge", review.pk),
        {"comment": "I will see them alone.", "version": "1", "next": "case"},
    )

    assert response["Location"] == url("case_detail", case.pk)
    review.refresh_from_db()
    assert review.worker_comment == "I will see them alone." and review.acknowledged_at == NOW
    client.force_login(personas.supervisor)
    supervisor_page = client.get(url("case_detail", case.pk))
    assert (
        "Acknowledged" in supervisor_page.text and "I will see them alone." in supervisor_page.text
    )
    assert "Record another review this month" in supervisor_page.text


def test_acknowledging_twice_shows_why_not(client, personas, review):
    client.force_login(personas.caseworker)
    client.post(url("supervision_review_acknowledge", review.pk), {"version": "1"})

    again = client.post(url("supervision_review_acknowledge", review.pk), {"version": "2"})

    assert again.status_code == 400
    assert "The review was not acknowledged. You acknowledged this review on 23 Nov 2026." in (
        again.text
    )


def test_acknowledging_a_review_changed_meanwhile_keeps_the_comment(client, personas, review):
    services.review_update(review=review, actor=personas.supervisor, version=1, discussion="New")
    client.force_login(personas.caseworker)

    stale = client.post(
        url("supervision_review_acknowledge", review.pk), {"version": "1", "comment": "Mine"}
    )

    assert stale.status_code == 400
    assert "Someone else changed this record after you opened it" in stale.text
    assert ">Mine</textarea>" in stale.text and 'name="version" value="2"' in stale.text
    review.refresh_from_db()
    assert review.acknowledged_at is None


def test_the_owner_marks_a_step_done_and_bad_dates_are_refused(client, personas, next_step):
    client.force_login(personas.caseworker)

    bad = client.post(url("next_step_done", next_step.pk), {"done_on": "2026-11-24"})
    good = client.post(
        url("next_step_done", next_step.pk),
        {"done_on": "2026-11-23", "note": "Spoke to the principal.", "next": "mine"},
    )

    assert bad.status_code == 400 and "cannot be in the future" in bad.text
    assert good["Location"] == url("supervision_mine")
    next_step.refresh_from_db()
    assert (next_step.done_on, next_step.done_note) == (TODAY, "Spoke to the principal.")


def test_my_supervision_lists_reviews_to_acknowledge_and_my_steps(client, personas, review):
    client.force_login(personas.caseworker)

    page = client.get(url("supervision_mine"))

    assert "1 review to acknowledge" in page.text
    assert "Call the school" in page.text and "Mark done" in page.text
    assert url("supervision_notes", personas.unit.pk) in page.text


# --- the supervisor's month ----------------------------------------------------------------------


def test_the_month_shows_each_worker_with_counts(client, personas, case, review):
    review_case(personas, name="Unreviewed family")
    client.force_login(personas.supervisor)

    page = client.get(url("supervision_reviews"))

    worker = personas.caseworker.get_full_name()
    assert f"{worker}: 1 of 2 cases reviewed" in page.text
    assert "Unreviewed family" in page.text and "Not yet" in page.text
    october = client.get(url("supervision_reviews") + "?month=2026-10")
    assert "Supervisory reviews, October 2026" in october.text
    assert f"{worker}: 0 of 2 cases reviewed" in october.text
    wrong = client.get(url("supervision_reviews") + "?month=soon")
    assert "is not a month (YYYY-MM); showing this month" in wrong.text
    future = client.get(url("supervision_reviews") + "?month=2027-01")
    assert "That month has not started yet" in future.text


def test_the_area_administrator_sees_every_unit_of_the_office(client, personas, review):
    second = make_unit(personas.office, name="Ongoing Services Unit 1")
    make_case(second, make_user(Role.CASEWORKER, unit=second), name="Ongoing family")
    client.force_login(area_administrator(personas))

    page = client.get(url("supervision_reviews"))

    assert "Intake Unit 1" in page.text and "Ongoing Services Unit 1" in page.text
    assert "Ongoing family" in page.text
    one = client.get(url("supervision_reviews") + f"?unit={second.pk}")
    assert "Ongoing family" in one.text and review.case.name not in one.text


def test_the_month_runs_the_same_queries_for_few_and_many_workers(
    client, personas, case, review, django_assert_max_num_queries
):
    client.force_login(personas.supervisor)
    with django_assert_max_num_queries(25) as few:
        client.get(url("supervision_reviews"))

    for _ in range(8):
        worker = make_user(Role.CASEWORKER, unit=personas.unit)
        for n in range(4):
            other = make_case(personas.unit, worker, opened_on=date(2026, 9, 1))
            if n % 2:
                record(personas, other)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("supervision_reviews"))
    assert "17 of 33 cases reviewed" in page.text


def test_the_case_page_runs_the_same_queries_with_many_reviews(
    client, personas, case, review, django_assert_max_num_queries
):
    client.force_login(personas.supervisor)
    with django_assert_max_num_queries(60) as one:
        client.get(url("case_detail", case.pk))
    for n in range(6):
        record(personas, case, held_on=date(2026, 10, 1 + n), steps=[step(personas.caseworker)] * 3)

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url("case_detail", case.pk))
    assert "Every supervisory review of this case (7)" in page.text


# --- supervision notes ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "area_administrator"])
def test_the_unit_its_supervisor_and_the_area_administrator_read_the_notes(
    client, personas, note, who
):
    user = area_administrator(personas) if who == "area_administrator" else getattr(personas, who)
    client.force_login(user)

    listing = client.get(url("supervision_notes", personas.unit.pk))
    detail = client.get(url("supervision_note", note.pk))

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert "Engaging fathers" in listing.text and personas.caseworker.get_full_name() in detail.text


def test_another_units_supervisor_and_caseworker_get_404_for_the_notes(client, personas, note):
    for user in (other_supervisor(personas), personas.other_caseworker):
        client.force_login(user)
        assert client.get(url("supervision_notes", personas.unit.pk)).status_code == 404
        assert client.get(url("supervision_note", note.pk)).status_code == 404


def test_the_supervisor_records_notes_and_a_bad_one_saves_nothing(client, personas, now):
    client.force_login(personas.supervisor)
    data = {
        "kind": "reflective",
        "held_on": "2026-11-20",
        "attendees": [personas.caseworker.pk],
        "topics": "Secondary trauma",
        "notes": "Time to talk about the removal.",
    }

    bad = client.post(url("supervision_note_new", personas.unit.pk), data | {"notes": ""})
    good = client.post(url("supervision_note_new", personas.unit.pk), data)

    assert bad.status_code == 400 and "This field is required." in bad.text
    note = SupervisionNote.objects.get()
    assert good["Location"] == url("supervision_note", note.pk)
    assert list(note.attendees.all()) == [personas.caseworker]


def test_a_stale_note_edit_is_refused(client, personas, note):
    client.force_login(personas.supervisor)
    data = {
        "kind": "group",
        "held_on": "2026-11-18",
        "topics": "Engaging fathers and paternal relatives",
        "notes": note.notes,
        "version": "1",
    }

    first = client.post(url("supervision_note_edit", note.pk), data)
    second = client.post(url("supervision_note_edit", note.pk), data | {"topics": "Lost"})

    assert (first.status_code, second.status_code) == (302, 400)
    note.refresh_from_db()
    assert (note.topics, note.version) == ("Engaging fathers and paternal relatives", 2)


def test_the_notes_index_sends_a_member_to_their_unit(client, personas, note):
    client.force_login(personas.caseworker)

    response = client.get(url("supervision_notes_index"))

    assert response["Location"] == url("supervision_notes", personas.unit.pk)


# --- admin ---------------------------------------------------------------------------------------


def test_admin_shows_reviews_steps_and_notes_read_only(client, review, note):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    step_id = review.next_steps.get().pk

    pages = [
        "/admin/casework/supervisoryreview/?q=" + review.case.number,
        f"/admin/casework/supervisoryreview/{review.pk}/change/",
        f"/admin/casework/supervisoryreview/{review.pk}/history/",
        "/admin/casework/nextstep/",
        f"/admin/casework/nextstep/{step_id}/change/",
        "/admin/casework/supervisionnote/",
        f"/admin/casework/supervisionnote/{note.pk}/change/",
    ]

    for page in pages:
        assert client.get(page).status_code == 200, page
    change = client.get(f"/admin/casework/supervisoryreview/{review.pk}/change/")
    assert "Call the school" in change.text and 'name="_save"' not in change.text
    assert client.get("/admin/casework/supervisoryreview/add/").status_code == 403
    assert client.get(f"/admin/casework/supervisionnote/{note.pk}/delete/").status_code == 403
