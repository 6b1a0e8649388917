"""The intake and IFF pages, through HTTP."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from casework.models import (
    Allegation,
    Case,
    CaseMember,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    Person,
    RecordView,
)
from casework.selectors import intake as selectors
from casework.services import intake as services
from tests.casework.test_intake_services import (
    NOW,
    accept_intake,
    make_iffs,
    other_supervisor,
    request_extension,
)
from tests.factories import make_unit, make_user


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


def text(response) -> str:
    """The page's text with tags removed and whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def intake(personas, now):
    return accept_intake(personas, accepted_at=NOW - timedelta(hours=80))  # 8 h overdue


@pytest.fixture
def iff(intake):
    return intake.iff_contacts.get()


@pytest.fixture
def extension(personas, iff):
    return request_extension(personas, iff)


def url(name, obj=None):
    return reverse(f"casework:{name}", args=[obj.pk] if obj is not None else [])


# Every page: (URL name, the fixture naming its object or None).
PAGES = [
    ("intake_new", None),
    ("intake_detail", "intake"),
    ("intake_override", "intake"),
    ("iff_weekly", None),
    ("iff_contact", "iff"),
    ("iff_extension", "iff"),
    ("iff_attempt", "iff"),
    ("extension_decide", "extension"),
]
OBJECT_PAGES = [(name, fixture) for name, fixture in PAGES if fixture]


def page_url(request, name, fixture):
    return url(name, request.getfixturevalue(fixture) if fixture else None)


# --- who may open what -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fixture"), PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_the_login_page(client, request, extension, name, fixture, method):
    path = page_url(request, name, fixture)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(("name", "fixture"), OBJECT_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_offices_caseworker_gets_404(
    client, personas, request, extension, name, fixture, method
):
    client.force_login(personas.other_caseworker)

    response = getattr(client, method)(page_url(request, name, fixture), {"reason": "x"})

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "fixture"), OBJECT_PAGES)
def test_the_outsider_gets_404_for_records(client, personas, request, extension, name, fixture):
    client.force_login(personas.outsider)

    assert client.get(page_url(request, name, fixture)).status_code == 404


@pytest.mark.parametrize("name", ["intake_new", "iff_weekly"])
@pytest.mark.parametrize("who", ["outsider", "ombudsman"])
def test_pages_without_a_record_refuse_other_roles_with_403(client, personas, name, who):
    client.force_login(getattr(personas, who))

    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize(
    ("name", "fixture", "title"),
    [
        ("intake_new", None, "Record an intake · Hearth"),
        ("intake_detail", "intake", "Intake {intake.reference} · {case.number} · Hearth"),
        ("iff_weekly", None, "Initial contacts this week · Hearth"),
        (
            "iff_contact",
            "iff",
            "Record the face-to-face contact · Leo Rivera · {case.number} · Hearth",
        ),
        ("iff_extension", "iff", "Request an extension · Leo Rivera · {case.number} · Hearth"),
        ("iff_attempt", "iff", "Record a follow-up attempt · Leo Rivera · {case.number} · Hearth"),
    ],
)
def test_the_caseworker_opens_the_pages(
    client, personas, request, intake, extension, name, fixture, title
):
    client.force_login(personas.caseworker)

    response = client.get(page_url(request, name, fixture))

    assert response.status_code == 200
    assert page_title(response) == title.format(intake=intake, case=intake.case)


@pytest.mark.parametrize(
    ("name", "fixture", "title"),
    [
        ("intake_override", "intake", "Change the track · {intake.reference} · Hearth"),
        (
            "extension_decide",
            "extension",
            "Decide an extension · Leo Rivera · {case.number} · Hearth",
        ),
    ],
)
def test_the_supervisor_opens_the_supervisor_pages(
    client, personas, request, intake, extension, name, fixture, title
):
    client.force_login(personas.supervisor)

    response = client.get(page_url(request, name, fixture))

    assert response.status_code == 200
    assert page_title(response) == title.format(intake=intake, case=intake.case)


SUPERVISOR_PAGES = [("intake_override", "intake"), ("extension_decide", "extension")]


@pytest.mark.parametrize(("name", "fixture"), SUPERVISOR_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_caseworker_cannot_use_the_supervisor_pages(
    client, personas, request, extension, name, fixture, method
):
    client.force_login(personas.caseworker)

    response = getattr(client, method)(
        page_url(request, name, fixture),
        {"track": "investigation", "reason": "x", "decision": "approve", "comment": "x"},
    )

    assert response.status_code == 403
    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.PENDING
    assert Intake.objects.get().track == Intake.Track.FAMILY_ASSESSMENT


def test_an_area_administrator_reads_but_does_not_write(client, personas, iff):
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))

    assert client.get(url("intake_detail", iff.intake)).status_code == 200
    assert client.get(url("iff_weekly")).status_code == 200
    assert client.get(url("iff_contact", iff)).status_code == 403
    assert client.get(url("intake_new")).status_code == 403


# --- recording an intake ---------------------------------------------------------------------


def intake_post(personas, **overrides) -> dict:
    data = {
        "accepted_at": "2026-11-23T09:30",
        "reporter_type": "medical",
        "reporter_name": "Dr Chen",
        "narrative": "Bruises on both arms, explanation does not fit.",
        "response_time": "72h",
        "risk_level": "moderate",
        "case_name": "Okafor family",
        "unit": personas.unit.pk,
        "worker": personas.caseworker.pk,
        "candidacy": "accepted_careline",
        "children-TOTAL_FORMS": "2",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "20",
        "children-0-first_name": "Ada",
        "children-0-last_name": "Okafor",
        "children-0-date_of_birth": "2018-04-02",
        "children-0-sex": "female",
        "children-0-allegations": ["physical_abuse", "emotional_abuse"],
        "children-1-first_name": "",
        "children-1-last_name": "",
        "children-1-date_of_birth": "",
        "children-1-sex": "unknown",
    }
    return data | overrides


def test_the_new_intake_page_explains_the_drs_rule_and_lists_placeholders(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(url("intake_new"))

    page = text(response)
    assert (
        "the response time is 72 hours, the risk is low or moderate, and none of the "
        "exceptional circumstances applies" in page
    )
    assert "this list still contains placeholders" in page
    assert "Placeholder exceptional circumstance 01" in page
    assert "<legend" in response.text and "Allegations about this child" in page
    assert 'name="children-1-first_name"' in response.text  # two child rows to start with
    assert 'name="track"' not in response.text  # caseworkers do not choose the track


def test_the_placeholder_note_goes_once_the_list_is_the_agencys_own(client, personas):
    for circumstance in ExceptionalCircumstance.objects.all():
        circumstance.name = circumstance.name.replace("Placeholder", "Agency")
        circumstance.save()
    client.force_login(personas.caseworker)

    response = client.get(url("intake_new"))

    assert "contains placeholders" not in text(response)


def test_recording_an_intake_opens_the_case_and_shows_the_recommended_track(client, personas, now):
    client.force_login(personas.caseworker)

    response = client.post(url("intake_new"), intake_post(personas), follow=True)

    intake = Intake.objects.get()
    assert response.redirect_chain == [(url("intake_detail", intake), 302)]
    page = text(response)
    assert "Hearth recommends Family Assessment Response; the case follows it." in page
    assert "Hearth recommends: Family Assessment Response." in page
    assert intake.case.name == "Okafor family"
    assert intake.case.case_type == Case.Type.FAMILY_ASSESSMENT
    assert intake.reporter_name == "Dr Chen"
    ada = Person.objects.get(first_name="Ada")
    assert set(Allegation.objects.values_list("child", "kind")) == {
        (ada.pk, "physical_abuse"),
        (ada.pk, "emotional_abuse"),
    }
    assert CaseMember.objects.get(case=intake.case).alleged_victim
    assert IffContact.objects.get().child == ada


def test_an_exceptional_circumstance_recommends_an_investigation(client, personas, now):
    circumstance = ExceptionalCircumstance.objects.first()
    client.force_login(personas.caseworker)

    response = client.post(
        url("intake_new"),
        intake_post(personas, exceptional_circumstances=[circumstance.pk]),
        follow=True,
    )

    assert "Hearth recommends Investigation" in text(response)
    assert Intake.objects.get().track == Intake.Track.INVESTIGATION


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"accepted_at": "2026-11-23T15:00"}, "The acceptance time cannot be in the future."),
        ({"children-0-allegations": []}, "Choose at least one allegation for this child."),
        ({"children-0-first_name": "", "children-0-last_name": "", "children-0-sex": "unknown",
          "children-0-date_of_birth": "", "children-0-allegations": []},
         "Add at least one child with at least one allegation."),
        ({"narrative": ""}, "This field is required."),
    ],
    ids=["future", "no-allegation", "no-child", "no-narrative"],
)  # fmt: skip
def test_bad_input_shows_errors_and_saves_nothing(client, personas, now, overrides, message):
    client.force_login(personas.caseworker)

    response = client.post(url("intake_new"), intake_post(personas, **overrides))

    assert response.status_code == 200
    assert message in text(response)
    assert "usa-alert--error" in response.text
    assert not Intake.objects.exists() and not Case.objects.exists()
    assert not Person.objects.exists()


def test_the_worker_must_belong_to_the_chosen_unit(client, personas, now):
    # The supervisor runs two units: both units' workers are in the list.
    second_unit = make_unit(personas.office, supervisor=personas.supervisor)
    second_unit_worker = make_user(Role.CASEWORKER, unit=second_unit)
    client.force_login(personas.supervisor)

    refused = client.post(url("intake_new"), intake_post(personas, worker=second_unit_worker.pk))
    accepted = client.post(
        url("intake_new"),
        intake_post(personas, worker=second_unit_worker.pk, unit=second_unit.pk),
    )

    assert "Choose a caseworker or supervisor of the chosen unit." in text(refused)
    assert accepted.status_code == 302
    assert Intake.objects.get().case.unit == second_unit


def test_a_caseworker_cannot_choose_a_unit_they_do_not_see(client, personas, now):
    client.force_login(personas.other_caseworker)

    response = client.post(
        url("intake_new"), intake_post(personas, worker=personas.other_caseworker.pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Intake.objects.exists()


def test_a_supervisor_chooses_another_track_with_a_reason(client, personas, now):
    client.force_login(personas.supervisor)
    data = intake_post(personas, track="investigation")

    refused = client.post(url("intake_new"), data)
    accepted = client.post(url("intake_new"), data | {"override_reason": "Police involved."})

    assert "Say why the recommended track does not fit." in text(refused)
    assert accepted.status_code == 302
    intake = Intake.objects.get()
    assert (intake.recommended_track, intake.track) == ("family_assessment", "investigation")


# --- the intake page -------------------------------------------------------------------------


def test_the_intake_page_shows_the_children_their_state_and_the_actions(
    client, personas, intake, extension
):
    client.force_login(personas.caseworker)

    response = client.get(url("intake_detail", intake))

    page = text(response)
    assert "Leo Rivera" in page and "Physical neglect" in page
    assert "Extension pending" in page
    assert "Extension pending: overdue by 8 h" in page
    assert url("iff_contact", extension.iff) in response.text
    assert url("iff_attempt", extension.iff) in response.text
    assert url("iff_extension", extension.iff) not in response.text  # one pending at a time
    assert url("extension_decide", extension) not in response.text  # caseworker
    assert url("intake_override", intake) not in response.text
    assert RecordView.objects.filter(user=personas.caseworker, case=intake.case).exists()


def test_the_supervisor_sees_the_decision_and_override_links(client, personas, intake, extension):
    client.force_login(personas.supervisor)

    response = client.get(url("intake_detail", intake))

    assert url("extension_decide", extension) in response.text
    assert url("intake_override", intake) in response.text


def test_the_intake_page_runs_a_fixed_number_of_queries(client, personas, now):
    small = accept_intake(personas)
    big = accept_intake(
        personas,
        children=[
            services.ChildAllegations(
                first_name=f"K{k}", last_name="Y", allegations=["sexual_abuse", "physical_abuse"]
            )
            for k in range(10)
        ],
    )
    for child_iff in big.iff_contacts.all():
        request_extension(personas, child_iff)
    client.force_login(personas.caseworker)
    client.get(url("intake_detail", small))

    with CaptureQueriesContext(connection) as few:
        client.get(url("intake_detail", small))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("intake_detail", big))

    assert response.status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


# --- overriding the track --------------------------------------------------------------------


def test_the_supervisor_overrides_the_track(client, personas, intake):
    client.force_login(personas.supervisor)

    response = client.post(
        url("intake_override", intake),
        {"track": "investigation", "reason": "A second report came in."},
        follow=True,
    )

    intake.refresh_from_db()
    assert intake.track == Intake.Track.INVESTIGATION
    assert intake.recommended_track == Intake.Track.FAMILY_ASSESSMENT
    page = text(response)
    assert f"Intake {intake.reference} is now on Investigation." in page
    assert "A second report came in." in page  # the track history


def test_an_override_without_a_reason_shows_the_error(client, personas, intake):
    client.force_login(personas.supervisor)

    response = client.post(url("intake_override", intake), {"track": "investigation"})

    assert response.status_code == 200
    assert "This field is required." in text(response)
    intake.refresh_from_db()
    assert intake.track == Intake.Track.FAMILY_ASSESSMENT


def test_another_units_supervisor_gets_404(client, personas, intake, extension):
    client.force_login(other_supervisor(personas))

    assert client.get(url("intake_override", intake)).status_code == 404
    assert client.post(url("extension_decide", extension), {}).status_code == 404


# --- IFF actions -----------------------------------------------------------------------------


def test_recording_the_contact(client, personas, iff):
    client.force_login(personas.caseworker)

    response = client.post(
        url("iff_contact", iff), {"seen_at": "2026-11-23T13:15", "note": "At school."}
    )

    assert response.status_code == 302
    iff.refresh_from_db()
    assert iff.seen_at == NOW - timedelta(minutes=45)
    assert iff.seen_by == personas.caseworker


def test_a_contact_in_the_future_is_refused(client, personas, iff):
    client.force_login(personas.caseworker)

    response = client.post(url("iff_contact", iff), {"seen_at": "2026-11-23T14:30"})

    assert response.status_code == 200
    assert "cannot be in the future" in text(response)
    iff.refresh_from_db()
    assert iff.seen_at is None


def test_requesting_an_extension(client, personas, iff):
    client.force_login(personas.caseworker)

    form = client.get(url("iff_extension", iff))
    response = client.post(
        url("iff_extension", iff),
        {"reason": "law_enforcement", "explanation": "Police interview first."},
    )

    assert "<legend" in form.text and "Law-enforcement protocol" in form.text
    assert response.status_code == 302
    extension = IffExtension.objects.get()
    assert (extension.reason, extension.requested_by) == ("law_enforcement", personas.caseworker)


def test_a_second_pending_extension_is_refused_on_the_page(client, personas, extension):
    client.force_login(personas.caseworker)

    response = client.post(
        url("iff_extension", extension.iff),
        {"reason": "law_enforcement", "explanation": "Again."},
    )

    assert response.status_code == 200
    assert "already waiting for the supervisor" in text(response)
    assert IffExtension.objects.count() == 1


def test_a_follow_up_attempt_without_an_extension_is_refused(client, personas, iff):
    client.force_login(personas.caseworker)

    response = client.post(
        url("iff_attempt", iff), {"attempted_at": "2026-11-23T13:00", "outcome": "No answer."}
    )

    assert response.status_code == 200
    assert "request one first" in text(response)
    assert not IffAttempt.objects.exists()


def test_a_follow_up_attempt_after_an_extension(client, personas, extension):
    client.force_login(personas.caseworker)

    response = client.post(
        url("iff_attempt", extension.iff),
        {"attempted_at": "2026-11-23T13:00", "outcome": "No answer."},
    )

    assert response.status_code == 302
    assert IffAttempt.objects.get().outcome == "No answer."


def test_the_supervisor_approves_an_extension(client, personas, extension):
    client.force_login(personas.supervisor)

    response = client.post(
        url("extension_decide", extension),
        {"decision": "approve", "comment": "Police first, then see her."},
        follow=True,
    )

    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.APPROVED
    assert "Extension for Leo Rivera approved" in text(response)
    assert Notification.objects.filter(
        recipient=personas.caseworker, kind="iff_extension_decided"
    ).exists()


def test_a_decision_needs_a_comment(client, personas, extension):
    client.force_login(personas.supervisor)

    response = client.post(url("extension_decide", extension), {"decision": "deny"})

    assert response.status_code == 200
    extension.refresh_from_db()
    assert extension.status == IffExtension.Status.PENDING


def test_the_supervisor_cannot_decide_their_own_request(client, personas, iff):
    own = request_extension(personas, iff, actor=personas.supervisor)
    client.force_login(personas.supervisor)

    response = client.post(
        url("extension_decide", own), {"decision": "approve", "comment": "Mine."}
    )

    assert response.status_code == 200
    assert "another supervisor must decide it" in text(response)
    own.refresh_from_db()
    assert own.status == IffExtension.Status.PENDING


# --- the weekly IFF view ---------------------------------------------------------------------


def test_the_weekly_view_lists_unseen_children_with_time_left_or_overdue(
    client, personas, intake, extension
):
    on_time = accept_intake(
        personas,
        accepted_at=NOW - timedelta(hours=1),
        response_time="24h",
        case_name="Nguyen family",
        children=[
            services.ChildAllegations(
                first_name="Bao", last_name="Nguyen", allegations=["physical_abuse"]
            )
        ],
    )
    seen = accept_intake(personas, case_name="Seen family").iff_contacts.get()
    services.iff_record_contact(iff=seen, actor=personas.caseworker, seen_at=NOW)
    client.force_login(personas.supervisor)

    response = client.get(url("iff_weekly"))

    page = text(response)
    assert "Children not yet seen (2, 1 overdue)" in page
    assert "Overdue by 8 h" in page
    assert "23 h left" in page
    assert "Bao Nguyen" in page and "Leo Rivera" in page
    assert "Seen family" not in page
    assert "Extensions (1, 1 pending)" in page
    assert "Unable to locate after reasonable efforts" in page
    assert url("extension_decide", extension) in response.text
    assert on_time.case.number in page


def test_the_weekly_view_for_another_office_shows_nothing_of_ours(client, personas, extension):
    client.force_login(personas.other_caseworker)

    response = client.get(url("iff_weekly"))

    assert response.status_code == 200
    assert "Leo Rivera" not in response.text
    assert "Every alleged victim has been seen." in text(response)


@pytest.mark.parametrize("size", [3, 30])
def test_the_weekly_view_runs_a_fixed_number_of_queries(
    client, personas, now, size, django_assert_max_num_queries
):
    make_iffs(personas, size)
    client.force_login(personas.supervisor)
    client.get(url("iff_weekly"))

    with django_assert_max_num_queries(10):
        response = client.get(url("iff_weekly"))

    assert f"Children not yet seen ({size}" in text(response)


def test_the_weekly_view_query_count_does_not_grow(client, personas, now):
    make_iffs(personas, 3)
    client.force_login(personas.supervisor)
    client.get(url("iff_weekly"))
    with CaptureQueriesContext(connection) as three:
        client.get(url("iff_weekly"))
    make_iffs(personas, 27)
    with CaptureQueriesContext(connection) as thirty:
        client.get(url("iff_weekly"))

    assert len(three.captured_queries) == len(thirty.captured_queries)


# --- the case page's partial -----------------------------------------------------------------


def test_the_case_page_partial_renders_each_intake_and_its_children(
    rf, personas, intake, extension
):
    request = rf.get("/")
    request.user = personas.supervisor
    context = selectors.case_iff_context(intake.case, user=personas.supervisor)

    html = render_to_string("casework/case/_iff.html", context, request=request)

    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert intake.reference in page
    assert "Hearth recommends Family Assessment Response" in page
    assert "Leo Rivera" in page and "Extension pending: overdue by 8 h" in page
    assert url("extension_decide", extension) in html
    assert "<caption>" in html and 'scope="row"' in html


def test_the_case_page_partial_without_a_user_falls_back_on_role_permissions(personas, intake):
    html = render_to_string(
        "casework/case/_iff.html",
        selectors.case_iff_context(intake.case) | {"perms": PermWrapper(personas.caseworker)},
    )

    assert url("iff_contact", intake.iff_contacts.get()) in html


def test_the_case_page_partial_without_intakes(personas):
    assert "No intake on this case." in render_to_string(
        "casework/case/_iff.html", {"iff_intakes": []}
    )


# --- admin -----------------------------------------------------------------------------------


def test_admin_shows_intake_records_read_only_and_never_deletes(client, extension):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    intake = extension.iff.intake

    for path in (
        "/admin/casework/intake/",
        f"/admin/casework/intake/{intake.pk}/change/",
        f"/admin/casework/intake/{intake.pk}/history/",
        "/admin/casework/iffcontact/",
        "/admin/casework/iffextension/?status__exact=pending",
        "/admin/casework/iffattempt/",
        "/admin/casework/exceptionalcircumstance/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/casework/intake/add/").status_code == 403
    assert client.get(f"/admin/casework/intake/{intake.pk}/delete/").status_code == 403
    assert client.get(f"/admin/casework/iffextension/{extension.pk}/delete/").status_code == 403


def test_admin_retires_an_exceptional_circumstance_from_the_list(client, personas):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    circumstances = list(ExceptionalCircumstance.objects.order_by("name"))
    data = {
        "form-TOTAL_FORMS": str(len(circumstances)),
        "form-INITIAL_FORMS": str(len(circumstances)),
        "_save": "Save",
    }
    for n, circumstance in enumerate(circumstances):
        data[f"form-{n}-id"] = str(circumstance.pk)
        if n:
            data[f"form-{n}-active"] = "on"

    response = client.post("/admin/casework/exceptionalcircumstance/", data)

    assert response.status_code == 302
    assert not ExceptionalCircumstance.objects.get(pk=circumstances[0].pk).active
    client.force_login(personas.caseworker)
    assert circumstances[0].name not in client.get(url("intake_new")).text
