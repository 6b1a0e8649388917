"""The assessment pages and the case page's assessments part, through HTTP."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from casework.models import Assessment, RecordView
from casework.selectors import assessments as selectors
from casework.services import assessments as services
from tests.casework.test_assessment_services import (
    FCA_DONE,
    NOW,
    SAFETY_DONE,
    TODAY,
    make_assessment_case,
    other_supervisor,
    start,
    submitted,
)
from tests.factories import make_user


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def case(personas, now):
    return make_assessment_case(personas)


@pytest.fixture
def draft(personas, case):
    return start(personas, case, "safety")


@pytest.fixture
def waiting(personas, case):
    """A submitted risk assessment on the same case."""
    return submitted(personas, case, "risk")


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def page_url(request, name):
    if name == "assessment_new":
        return url(name, request.getfixturevalue("case").pk, "family_centered")
    fixture = "waiting" if name == "assessment_decide" else "draft"
    return url(name, request.getfixturevalue(fixture).pk)


PAGES = ["assessment_new", "assessment_detail", "assessment_edit", "assessment_decide"]


# --- who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_the_login_page(client, request, draft, waiting, name, method):
    path = page_url(request, name)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404(
    client, personas, request, draft, waiting, name, method, who
):
    client.force_login(getattr(personas, who))

    response = getattr(client, method)(page_url(request, name), {"decision": "approve"})

    assert response.status_code == 404
    assert Assessment.objects.count() == 2
    waiting.refresh_from_db()
    assert waiting.status == Assessment.Status.SUBMITTED


def test_another_units_supervisor_cannot_decide(client, personas, waiting):
    client.force_login(other_supervisor(personas))

    response = client.post(url("assessment_decide", waiting.pk), {"decision": "approve"})

    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Assessment.Status.SUBMITTED


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_caseworker_cannot_decide(client, personas, waiting, method):
    client.force_login(personas.caseworker)

    response = getattr(client, method)(
        url("assessment_decide", waiting.pk), {"decision": "approve", "comment": "Fine"}
    )

    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Assessment.Status.SUBMITTED


def test_an_area_administrator_reads_but_does_not_write(client, personas, draft):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))

    assert client.get(url("assessment_detail", draft.pk)).status_code == 200
    assert client.get(url("assessment_edit", draft.pk)).status_code == 403
    assert client.post(url("assessment_new", draft.case_id, "risk")).status_code == 403


def test_an_unknown_kind_is_404(client, personas, case):
    client.force_login(personas.caseworker)

    assert client.get(url("assessment_new", case.pk, "psychological")).status_code == 404


@pytest.mark.parametrize(
    ("name", "who", "title"),
    [
        ("assessment_new", "caseworker", "Start a family-centered assessment · {case.number}"),
        ("assessment_detail", "caseworker", "Safety assessment · {case.number}"),
        ("assessment_edit", "caseworker", "Edit the safety assessment · {case.number}"),
        ("assessment_decide", "supervisor", "Decide the risk assessment · {case.number}"),
    ],
)
def test_the_right_people_open_the_pages(
    client, personas, request, case, draft, waiting, name, who, title
):
    client.force_login(getattr(personas, who))

    response = client.get(page_url(request, name))

    assert response.status_code == 200
    assert page_title(response) == title.format(case=case) + " · Hearth"


# --- starting ------------------------------------------------------------------------------------


def test_starting_an_assessment_makes_a_draft_and_opens_it(client, personas, case):
    client.force_login(personas.caseworker)

    confirm = client.get(url("assessment_new", case.pk, "safety"))
    response = client.post(url("assessment_new", case.pk, "safety"))

    assert "Due on Sunday 22 November 2026" in text(confirm.text)
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("assessment_edit", assessment.pk)
    assert (assessment.kind, assessment.status, assessment.author) == (
        "safety",
        "draft",
        personas.caseworker,
    )


def test_a_second_assessment_of_a_kind_in_progress_is_refused(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(url("assessment_new", draft.case_id, "safety"))

    assert response.status_code == 200
    assert "already has a safety assessment in progress" in text(response.text)
    assert "usa-alert--error" in response.text
    assert Assessment.objects.count() == 1


# --- editing and submitting ----------------------------------------------------------------------


def test_the_edit_page_has_only_the_kinds_fields(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.get(url("assessment_edit", draft.pk))

    html = response.text
    assert 'name="safety_decision"' in html and 'name="threats"' in html
    assert 'name="risk_level"' not in html and 'name="summary"' not in html
    assert "<legend" in html and "Save draft" in html and "Submit for approval" in html


def test_the_family_centered_form_has_a_section_per_domain(client, personas, case):
    assessment = start(personas, case, "family_centered")
    client.force_login(personas.caseworker)

    html = client.get(url("assessment_edit", assessment.pk)).text

    for name in (*Assessment.DOMAINS, "strengths", "protective_factors", "natural_supports",
                 "family_input", "provider_input", "summary"):  # fmt: skip
        assert f'name="{name}"' in html
    assert "Criminogenic needs" in html and "Domains</legend>" in html


def test_saving_a_draft_keeps_it_a_draft(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(
        url("assessment_edit", draft.pk), {"action": "save", "threats": "Unsupervised toddler."}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.threats) == ("draft", "Unsupervised toddler.")


def test_submitting_an_incomplete_assessment_shows_errors_and_saves_nothing(
    client, personas, draft
):
    client.force_login(personas.caseworker)

    response = client.post(
        url("assessment_edit", draft.pk),
        {"action": "submit", "safety_decision": "conditionally_safe", "threats": "Drug use."},
    )

    assert response.status_code == 200
    page = text(response.text)
    assert "A conditionally safe decision needs the safety plan." in page
    assert "usa-alert--error" in response.text
    assert "Drug use." in response.text  # what was typed stays on the page
    draft.refresh_from_db()
    assert (draft.status, draft.safety_decision, draft.threats) == ("draft", "", "")
    assert not Notification.objects.exists()


def test_submitting_a_complete_assessment_sends_it_to_the_supervisor(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.post(url("assessment_edit", draft.pk), {"action": "submit", **SAFETY_DONE})

    assert response.status_code == 302
    assert response["Location"] == url("assessment_detail", draft.pk)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert Notification.objects.get().recipient == personas.supervisor


def test_a_submitted_assessment_is_no_longer_edited(client, personas, waiting):
    client.force_login(personas.caseworker)

    response = client.post(url("assessment_edit", waiting.pk), {"action": "save"}, follow=True)

    assert response.redirect_chain == [(url("assessment_detail", waiting.pk), 302)]
    assert "it can no longer be changed" in text(response.text)


# --- deciding ------------------------------------------------------------------------------------


def test_the_supervisor_approves(client, personas, waiting):
    client.force_login(personas.supervisor)

    response = client.post(
        url("assessment_decide", waiting.pk), {"decision": "approve", "comment": ""}, follow=True
    )

    assert response.redirect_chain == [(url("assessment_detail", waiting.pk), 302)]
    assert "Risk assessment approved" in text(response.text)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == ("approved", personas.supervisor)
    notice = Notification.objects.get(recipient=personas.caseworker)
    assert notice.kind == "assessment_decided"


def test_returning_needs_a_comment_and_the_worker_resubmits(client, personas, waiting):
    client.force_login(personas.supervisor)

    refused = client.post(url("assessment_decide", waiting.pk), {"decision": "return"})
    returned = client.post(
        url("assessment_decide", waiting.pk),
        {"decision": "return", "comment": "Explain the prior reports."},
    )

    assert "Say what needs to change" in text(refused.text)
    assert returned.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Assessment.Status.RETURNED

    client.force_login(personas.caseworker)
    detail = client.get(url("assessment_detail", waiting.pk))
    assert "Returned by the supervisor: Explain the prior reports." in text(detail.text)
    assert url("assessment_edit", waiting.pk) in detail.text
    resubmitted = client.post(
        url("assessment_edit", waiting.pk), {"action": "submit", "risk_level": "very_high"}
    )
    assert resubmitted.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.risk_level) == ("submitted", "very_high")


def test_a_supervisor_cannot_approve_their_own(client, personas, case):
    own = submitted(personas, case, "family_centered", personas.supervisor)
    client.force_login(personas.supervisor)

    page = client.get(url("assessment_decide", own.pk))
    response = client.post(url("assessment_decide", own.pk), {"decision": "approve"})

    assert "another supervisor must decide it" in text(page.text)
    assert response.status_code == 200
    assert "You wrote this assessment" in text(response.text)
    own.refresh_from_db()
    assert own.status == Assessment.Status.SUBMITTED


# --- the assessment page -------------------------------------------------------------------------


def test_the_assessment_page_shows_status_due_and_history(client, personas, draft):
    client.force_login(personas.caseworker)

    response = client.get(url("assessment_detail", draft.pk))

    page = text(response.text)
    assert "Draft" in page
    assert "Safety assessment overdue (due 22 Nov)" in page and "hearth-overdue" in response.text
    assert "Safety threats identified" in page and "Not filled in" in page
    assert "History" in page and "<caption" in response.text
    assert url("assessment_edit", draft.pk) in response.text
    assert url("assessment_decide", draft.pk) not in response.text
    assert RecordView.objects.filter(user=personas.caseworker, case=draft.case).exists()


def test_the_supervisor_sees_the_decide_link(client, personas, waiting):
    client.force_login(personas.supervisor)

    response = client.get(url("assessment_detail", waiting.pk))

    assert url("assessment_decide", waiting.pk) in response.text


def test_the_pages_run_a_fixed_number_of_queries(client, personas, case):
    assessment = start(personas, case, "family_centered")
    client.force_login(personas.caseworker)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    detail, edit = url("assessment_detail", assessment.pk), url("assessment_edit", assessment.pk)
    count(detail), count(edit)  # warm the per-process caches (content types, permissions)
    before = count(detail), count(edit)
    for name, value in FCA_DONE.items():  # many more versions in the history
        services.assessment_update(
            assessment=assessment, actor=personas.caseworker, **{name: value}
        )

    assert (count(detail), count(edit)) == before


# --- the case page's part ------------------------------------------------------------------------


def partial(case, user) -> str:
    context = selectors.case_assessments_context(case, today=TODAY)
    return render_to_string(
        "casework/case/_assessments.html", context | {"case": case, "perms": PermWrapper(user)}
    )


def test_the_case_partial_lists_assessments_and_what_is_due(personas, case, draft, waiting):
    html = partial(case, personas.caseworker)

    page = text(html)
    assert "Safety assessment" in page and "Risk assessment" in page
    assert "Waiting for the supervisor" in page and "Not submitted" in page
    assert url("assessment_detail", draft.pk) in html
    assert "<caption" in html and 'scope="col"' in html and "<h2" not in html
    assert "hearth-overdue" in html  # the safety draft is past its due date
    # Both kinds in progress: only the family-centered assessment can be started.
    assert url("assessment_new", case.pk, "family_centered") in html
    assert url("assessment_new", case.pk, "safety") not in html


def test_the_case_partial_says_what_is_due_and_not_started(personas, case):
    html = partial(case, personas.caseworker)

    assert "Safety assessment overdue (due 22 Nov): not started yet." in text(html)
    assert "No assessment on this case yet." in text(html)
    for kind in ("safety", "risk", "family_centered"):
        assert url("assessment_new", case.pk, kind) in html


def test_the_case_partial_has_no_start_buttons_for_readers(personas, case):
    reader = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)

    assert "assessments/new" not in partial(case, reader)


def test_the_case_partial_reads_a_fixed_number_of_queries(personas, case):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            partial(case, personas.caseworker)
        return len(queries)

    start(personas, case, "risk")
    count()  # the user's permissions are read once, then cached on the user
    few = count()
    for _ in range(10):
        done = submitted(personas, case, "safety")
        services.assessment_decide(assessment=done, actor=personas.supervisor, approve=True)

    assert count() == few


# --- admin ---------------------------------------------------------------------------------------


def test_admin_shows_assessments_read_only_and_never_deletes(client, draft):
    client.force_login(make_user(is_superuser=True, is_staff=True))

    listing = client.get("/admin/casework/assessment/?kind=safety&q=" + draft.case.number)
    change = client.get(f"/admin/casework/assessment/{draft.pk}/change/")
    history = client.get(f"/admin/casework/assessment/{draft.pk}/history/")

    assert listing.status_code == change.status_code == history.status_code == 200
    assert draft.case.number in listing.text
    assert client.get("/admin/casework/assessment/add/").status_code == 403
    assert client.get(f"/admin/casework/assessment/{draft.pk}/delete/").status_code == 403
    assert 'name="_save"' not in change.text
