"""The placement pages, through HTTP: who may open them, what they show, what they save."""

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from agency.roles import Role
from casework.models import PermanencyDecision, Placement, RecordView
from casework.selectors import placements as selectors
from tests.casework.factories import add_member, make_person
from tests.casework.test_placement_services import KIN, TODAY, placed
from tests.casework.test_visit_services import make_family
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
def placement(family, now):
    return placed(family, TODAY - timedelta(days=10), setting=KIN, caregiver="Rosa Rivera")


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


WRITE_PAGES = {
    "placement_new",
    "placement_end",
    "placement_home_study",
    "placement_entered_in_error",
    "permanency_decision_new",
}


def pages(family, placement):
    """(URL name, URL, method) of every placement page."""
    case, pk = family.case.pk, placement.pk
    out = [("placement_detail", reverse("casework:placement_detail", args=[pk]), "get")]
    for name, arg in [
        ("placement_new", case),
        ("placement_end", pk),
        ("placement_home_study", pk),
        ("placement_entered_in_error", pk),
        ("permanency_decision_new", case),
    ]:
        url = reverse(f"casework:{name}", args=[arg])
        out += [(name, url, "get"), (name, url, "post")]
    return out


def unchanged(placement) -> bool:
    placement.refresh_from_db()
    return (
        Placement.objects.count() == 1
        and placement.end_date is None
        and placement.home_study_referred_on is None
        and not placement.entered_in_error
        and not PermanencyDecision.objects.exists()
    )


# --- who may open them -------------------------------------------------------------------------


def test_urls(family, placement):
    assert reverse("casework:placement_new", args=[family.case.pk]) == (
        f"/casework/cases/{family.case.pk}/placements/new/"
    )
    assert reverse("casework:placement_home_study", args=[placement.pk]) == (
        f"/casework/placements/{placement.pk}/home-study/"
    )
    assert reverse("casework:permanency_decision_new", args=[family.case.pk]) == (
        f"/casework/cases/{family.case.pk}/permanency/new/"
    )


def test_anonymous_is_sent_to_log_in_from_every_placement_page(client, family, placement):
    for _name, url, method in pages(family, placement):
        response = getattr(client, method)(url)

        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"
    assert unchanged(placement)


@pytest.mark.parametrize("persona", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404_from_every_placement_page(
    client, personas, family, placement, persona
):
    client.force_login(getattr(personas, persona))

    for _name, url, method in pages(family, placement):
        response = getattr(client, method)(url, {"reason": "x", "note": "x"})
        assert response.status_code == 404, (persona, method, url)
    assert unchanged(placement)


def test_a_missing_placement_or_case_is_404(as_caseworker):
    assert as_caseworker.get(reverse("casework:placement_detail", args=[98765])).status_code == 404
    assert as_caseworker.get(reverse("casework:placement_new", args=[98765])).status_code == 404


def test_a_reader_sees_placements_but_may_not_change_them(client, personas, family, placement):
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))

    detail = client.get(reverse("casework:placement_detail", args=[placement.pk]))
    assert detail.status_code == 200
    assert "End this placement" not in detail.text
    for name, url, method in pages(family, placement):
        if name in WRITE_PAGES:
            assert getattr(client, method)(url).status_code == 403, (method, url)
    assert unchanged(placement)


def test_the_caseworker_may_open_every_page(as_caseworker, family, placement):
    for _name, url, method in pages(family, placement):
        if method == "get":
            assert as_caseworker.get(url).status_code == 200, url


# --- recording a placement -----------------------------------------------------------------------


def start_data(family, **fields):
    return {
        "child": family.sibling.pk,
        "setting": "foster",
        "caregiver": "The Smiths",
        "address": "4 Oak Lane, Hartford",
        "start_date": "2026-11-20",
        "reason": "No kin available nearby.",
    } | fields


def test_new_placement_page_offers_the_active_children(as_caseworker, family, placement):
    response = as_caseworker.get(reverse("casework:placement_new", args=[family.case.pk]))

    assert page_title(response) == f"Record a placement · {family.case.number} · Hearth"
    html = response.text
    assert f'value="{family.child.pk}"' in html and f'value="{family.sibling.pk}"' in html
    assert f'value="{family.mother.pk}"' not in html
    assert "Kin (unlicensed)" in html and "Trial home visit" in html
    assert "change of placement" in html


def test_recording_a_placement_saves_it_and_opens_it(as_caseworker, family, placement):
    response = as_caseworker.post(
        reverse("casework:placement_new", args=[family.case.pk]), start_data(family)
    )

    new = Placement.objects.get(child=family.sibling)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:placement_detail", args=[new.pk])
    assert (new.setting, new.caregiver, new.start_date) == (
        "foster",
        "The Smiths",
        date(2026, 11, 20),
    )


def test_a_future_placement_shows_the_error_and_saves_nothing(as_caseworker, family, placement):
    response = as_caseworker.post(
        reverse("casework:placement_new", args=[family.case.pk]),
        start_data(family, start_date="2026-11-30"),
    )

    assert response.status_code == 200
    assert "This is in the future" in response.text
    assert "usa-error-message" in response.text
    assert not Placement.objects.filter(child=family.sibling).exists()


def test_an_overlapping_placement_is_refused_unless_it_is_a_change(
    as_caseworker, family, placement
):
    url = reverse("casework:placement_new", args=[family.case.pk])
    data = start_data(family, child=family.child.pk)

    refused = as_caseworker.post(url, data)
    assert refused.status_code == 200
    assert "is already placed with Rosa Rivera" in refused.text
    assert Placement.objects.count() == 1

    changed = as_caseworker.post(url, data | {"end_current": "on"})
    assert changed.status_code == 302
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason) == (date(2026, 11, 20), "Change of placement")
    assert Placement.objects.filter(child=family.child, end_date=None).get().caregiver == (
        "The Smiths"
    )


def test_missing_fields_are_shown_beside_them(as_caseworker, family):
    response = as_caseworker.post(reverse("casework:placement_new", args=[family.case.pk]), {})

    assert response.status_code == 200
    for message in ("Choose the child who is placed.", "Say who the child lives with."):
        assert message in response.text
    assert not Placement.objects.exists()


# --- one placement -------------------------------------------------------------------------------


def test_placement_page_shows_it_and_logs_the_opening(as_caseworker, personas, family, placement):
    response = as_caseworker.get(reverse("casework:placement_detail", args=[placement.pk]))

    assert response.status_code == 200
    assert page_title(response) == (
        f"Placement of {family.child.full_name} · {family.case.number} · Hearth"
    )
    html = response.text
    assert "Kin (unlicensed)" in html and "Rosa Rivera" in html
    assert "Home-study referral for Leo due by 13 Dec 2026 (20 days left)" in html
    assert "Record the home-study referral" in html
    assert RecordView.objects.filter(user=personas.caseworker, case=family.case).exists()


def test_ending_a_placement(as_caseworker, family, placement):
    url = reverse("casework:placement_end", args=[placement.pk])

    form = as_caseworker.get(url).text
    assert 'name="exit_reason"' in form and "Reunification with parents" in form
    early = as_caseworker.post(
        url, {"end_date": "2026-11-01", "end_reason": "Reunified", "exit_reason": "reunification"}
    )
    assert early.status_code == 200
    assert "A placement ends on or after the day it starts" in early.text
    missing = as_caseworker.post(url, {"end_date": "2026-11-22", "end_reason": "Reunified"})
    assert missing.status_code == 200
    assert "Say why the child left care" in missing.text

    response = as_caseworker.post(
        url, {"end_date": "2026-11-22", "end_reason": "Reunified", "exit_reason": "reunification"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#placements")
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason, placement.exit_reason) == (
        date(2026, 11, 22),
        "Reunified",
        "reunification",
    )
    detail = as_caseworker.get(reverse("casework:placement_detail", args=[placement.pk])).text
    assert "Why the child left care" in detail and "Reunification with parents" in detail


def test_recording_the_home_study_referral(as_caseworker, family, placement):
    url = reverse("casework:placement_home_study", args=[placement.pk])

    future = as_caseworker.post(url, {"referred_on": "2026-11-24"})
    assert future.status_code == 200
    assert "in the future" in future.text

    response = as_caseworker.post(url, {"referred_on": "2026-11-20"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.home_study_referred_on == date(2026, 11, 20)


def test_the_home_study_page_sends_a_licensed_placement_back(as_caseworker, family, now):
    foster = placed(family, date(2026, 1, 1), child=family.sibling)

    response = as_caseworker.get(reverse("casework:placement_home_study", args=[foster.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:placement_detail", args=[foster.pk])


def test_marking_a_placement_entered_in_error(as_caseworker, family, placement):
    url = reverse("casework:placement_entered_in_error", args=[placement.pk])

    assert "Say why this placement was entered in error." in as_caseworker.post(url, {}).text
    response = as_caseworker.post(url, {"reason": "Wrong child."})

    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.entered_in_error is True
    detail = as_caseworker.get(reverse("casework:placement_detail", args=[placement.pk]))
    assert "This placement was entered in error" in detail.text


def test_recording_a_permanency_decision(as_caseworker, personas, family, now):
    url = reverse("casework:permanency_decision_new", args=[family.case.pk])
    page = as_caseworker.get(url)
    assert page_title(page) == (
        f"Record a petition or compelling reason · {family.case.number} · Hearth"
    )
    assert "<legend" in page.text

    missing = as_caseworker.post(url, {"child": family.child.pk, "kind": "compelling_reason"})
    assert missing.status_code == 200
    assert "Describe the petition" in missing.text

    response = as_caseworker.post(
        url,
        {
            "child": family.child.pk,
            "kind": "compelling_reason",
            "decided_on": "2026-11-20",
            "note": "Reunification within 90 days.",
        },
    )
    assert response.status_code == 302
    decision = PermanencyDecision.objects.get()
    assert (decision.child, decision.recorded_by) == (family.child, personas.caseworker)


# --- the case-page partial -----------------------------------------------------------------------


def render_partial(case, can_change=True):
    context = {"case": case, "can_change": can_change}
    context |= selectors.case_placements_context(case, today=TODAY)
    return render_to_string("casework/case/_placements.html", context)


def test_case_partial_shows_current_and_past_placements_and_flags(personas, family, now):
    placed(family, date(2025, 1, 1), date(2025, 6, 1), end_reason="Moved")
    current = placed(family, TODAY - timedelta(days=34), setting=KIN, caregiver="Rosa Rivera")

    html = render_partial(family.case)

    assert "<h2" not in html
    assert reverse("casework:placement_new", args=[family.case.pk]) in html
    assert reverse("casework:permanency_decision_new", args=[family.case.pk]) in html
    assert reverse("casework:placement_detail", args=[current.pk]) in html
    assert "Kin (unlicensed) with Rosa Rivera" in html and "(34 days)" in html
    assert 'class="hearth-overdue"' in html
    assert "Overdue: Home-study referral overdue for Leo (34 days in kin care)" in html
    assert "Moved" in html and "<caption" in html and 'scope="col"' in html


def test_case_partial_shows_the_15_of_22_flag_and_hides_buttons_from_readers(family, now):
    placed(family, date(2024, 12, 1))

    html = render_partial(family.case, can_change=False)

    assert "Leo: 15 of 22 months in care — petition or compelling reason needed" in html
    assert "Record a placement" not in html
    assert "Record a petition or compelling reason" not in html


def test_case_partial_without_placements(family):
    assert "No child on this case has been placed." in render_partial(family.case)


# --- query counts ---------------------------------------------------------------------------------


def grow(family, n):
    for i in range(n):
        child = add_member(family.case, person=make_person(first_name=f"Kid{i}")).person
        placed(family, date(2025, 1, 1), date(2025, 6, 1), child=child)
        placed(family, date(2025, 6, 1), setting=KIN, child=child)


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("placement_new", 8),
        ("placement_detail", 10),
        ("placement_end", 8),
        ("placement_home_study", 9),
        ("permanency_decision_new", 8),
    ],
)
def test_placement_pages_take_a_fixed_number_of_queries(
    client, personas, now, django_assert_max_num_queries, name, limit
):
    client.force_login(personas.caseworker)
    for size in (1, 12):
        family = make_family(personas.unit, personas.caseworker)
        grow(family, size)
        placement = Placement.objects.filter(case=family.case, end_date=None).first()
        on_case = name in ("placement_new", "permanency_decision_new")
        url = reverse(f"casework:{name}", args=[family.case.pk if on_case else placement.pk])
        if size == 1:
            client.get(url)  # warm the per-process caches (content types, permissions)
        with django_assert_max_num_queries(limit):
            response = client.get(url)
        assert response.status_code == 200


# --- Django admin ---------------------------------------------------------------------------------


@pytest.fixture
def as_superuser(client, db):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_admin_lists_placements_read_only_and_never_deletes(as_superuser, placement):
    changelist = as_superuser.get(
        reverse("admin:casework_placement_changelist") + "?q=Rosa&setting=kin_unlicensed"
    )
    change = as_superuser.get(reverse("admin:casework_placement_change", args=[placement.pk]))
    history = as_superuser.get(reverse("admin:casework_placement_history", args=[placement.pk]))

    assert changelist.status_code == 200
    assert "Rosa Rivera" in changelist.text
    assert change.status_code == 200 and history.status_code == 200
    assert as_superuser.get(reverse("admin:casework_placement_add")).status_code == 403
    delete = reverse("admin:casework_placement_delete", args=[placement.pk])
    assert as_superuser.post(delete, {"post": "yes"}).status_code == 403
    assert Placement.objects.filter(pk=placement.pk).exists()
    assert as_superuser.get(
        reverse("admin:casework_permanencydecision_changelist")
    ).status_code == (200)


def test_admin_marks_placements_entered_in_error_through_the_service(as_superuser, placement):
    url = reverse("admin:casework_placement_changelist")
    ask = as_superuser.post(
        url, {"action": "mark_entered_in_error", "_selected_action": [placement.pk]}
    )
    assert ask.status_code == 200
    assert "Why this placement was entered in error" in ask.text

    as_superuser.post(
        url,
        {
            "action": "mark_entered_in_error",
            "_selected_action": [placement.pk],
            "apply": "yes",
            "reason": "Duplicate.",
        },
    )

    placement.refresh_from_db()
    assert placement.entered_in_error is True
    assert placement.reason.endswith("Duplicate.")
