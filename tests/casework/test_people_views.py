"""The people pages, through HTTP: adding people (with the duplicate warning), the
person page, editing, roles, relationships, diligent searches and the case-page part."""

import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from agency import clock
from agency.roles import Role
from casework.models import (
    CaseMember,
    DiligentSearchEntry,
    Person,
    Race,
    RecordView,
    Relationship,
)
from casework.selectors.people import case_people_context
from casework.views.people import case_url
from tests.casework.factories import add_member, make_case, make_person


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker, name="Rivera family")


@pytest.fixture
def mother(case):
    return add_member(
        case,
        CaseMember.Role.MOTHER,
        person=make_person(
            first_name="Ana", sex="female", date_of_birth=date(1990, 3, 4), whereabouts_unknown=True
        ),
    )


@pytest.fixture
def child(case):
    return add_member(case, person=make_person(first_name="Leo", sex="male"), alleged_victim=True)


@pytest.fixture
def reviewer(personas, user_with_role):
    """Reads every case, writes none."""
    return user_with_role(Role.QUALITY_REVIEWER, location=personas.central)


def new_person_form(**fields) -> dict:
    return {
        "role": "child",
        "custodial": "on",
        "in_household": "on",
        "first_name": "Mia",
        "last_name": "Rivera",
        "date_of_birth": "2017-08-09",
        "sex": "female",
        "ethnicity": "hispanic",
        "preferred_language": "Spanish",
    } | fields


# --- who may open what -------------------------------------------------------------------

PAGES = {
    "person_add": lambda case, member: reverse("casework:person_add", args=[case.pk]),
    "relationship_add": lambda case, member: reverse("casework:relationship_add", args=[case.pk]),
    "person_detail": lambda case, member: reverse(
        "casework:person_detail", args=[member.person_id]
    ),
    "person_edit": lambda case, member: reverse("casework:person_edit", args=[member.person_id]),
    "diligent_search_add": lambda case, member: reverse(
        "casework:diligent_search_add", args=[member.person_id]
    ),
    "member_edit": lambda case, member: reverse("casework:member_edit", args=[member.pk]),
}
WRITE_PAGES = [name for name in PAGES if name != "person_detail"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, case, mother, name):
    url = PAGES[name](case, mother)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_users_cases_answer_404(client, personas, case, mother, name, who):
    client.force_login(getattr(personas, who))

    assert client.get(PAGES[name](case, mother)).status_code == 404
    assert client.post(PAGES[name](case, mother), {"deactivate": "1"}).status_code == 404


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_workers_on_the_unit_open_every_page(client, personas, case, mother, name, who):
    client.force_login(getattr(personas, who))

    response = client.get(PAGES[name](case, mother))

    assert response.status_code == 200
    assert page_title(response).endswith(" · Hearth")


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_a_role_that_only_reads_cannot_open_write_pages(client, case, mother, reviewer, name):
    client.force_login(reviewer)

    assert client.get(PAGES[name](case, mother)).status_code == 403
    assert client.get(PAGES["person_detail"](case, mother)).status_code == 200


def test_page_titles_say_where_you_are(client, personas, case, mother):
    client.force_login(personas.caseworker)

    titles = {name: page_title(client.get(url(case, mother))) for name, url in PAGES.items()}

    assert titles == {
        "person_add": f"Add a person · {case.number} · Hearth",
        "relationship_add": f"Add a relationship · {case.number} · Hearth",
        "person_detail": "Ana Rivera · Hearth",
        "person_edit": "Edit Ana Rivera · Hearth",
        "diligent_search_add": "Diligent search · Ana Rivera · Hearth",
        "member_edit": f"Ana Rivera's role · {case.number} · Hearth",
    }


# --- adding a person ---------------------------------------------------------------------


def test_adding_a_new_person_puts_them_on_the_case(client, personas, case):
    client.force_login(personas.caseworker)
    races = [str(r.pk) for r in Race.objects.filter(code__in=["white", "black"])]

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(races=races, interpreter_needed="on"),
        follow=True,
    )

    assert response.redirect_chain[0][0] == case_url(case)
    member = CaseMember.objects.get(case=case)
    assert (member.person.full_name, member.role) == ("Mia Rivera", "child")
    assert member.person.interpreter_needed is True
    assert member.person.races.count() == 2
    assert member.person.history.get().history_user == personas.caseworker
    assert "Mia Rivera added to case" in response.text


def test_bad_input_shows_field_errors_and_saves_nothing(client, personas, case):
    client.force_login(personas.caseworker)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(first_name="", date_of_birth=tomorrow, role="mother", alleged_victim="on"),
    )

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Person.objects.exists()

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(date_of_birth=tomorrow, role="mother", alleged_victim="on"),
    )

    assert "The date of birth cannot be in the future." in response.text
    assert "Only a child can be an alleged victim." in response.text
    assert not Person.objects.exists()


def test_a_possible_duplicate_is_shown_with_a_choice_and_nothing_is_saved(client, personas, case):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    existing = add_member(
        elsewhere,
        person=make_person(first_name="Mia", last_name="Rivera", date_of_birth=date(2017, 8, 9)),
    ).person
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(first_name="mia", last_name="RIVERA"),
    )

    assert response.status_code == 200
    assert "This person may already be recorded" in response.text
    assert "A person named Mia Rivera born 9 August 2017 already exists" in response.text
    assert f'name="use_person" value="{existing.pk}"' in response.text
    assert "A case you cannot see" in response.text
    assert elsewhere.number not in response.text  # not the user's to see
    assert "create a new person anyway" in response.text
    assert Person.objects.count() == 1
    assert not CaseMember.objects.filter(case=case).exists()


def test_choosing_the_existing_person_adds_them_to_the_case(client, personas, case):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    existing = add_member(
        elsewhere,
        person=make_person(first_name="Mia", last_name="Rivera", date_of_birth=date(2017, 8, 9)),
    ).person
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(use_person=existing.pk),
    )

    assert response.status_code == 302
    assert CaseMember.objects.get(case=case).person == existing
    assert Person.objects.count() == 1


def test_an_unrelated_person_the_user_cannot_see_cannot_be_chosen(client, personas, case):
    hidden = add_member(make_case(personas.other_unit, personas.other_caseworker)).person
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:person_add", args=[case.pk]), new_person_form(use_person=hidden.pk)
    )

    assert response.status_code == 404
    assert not CaseMember.objects.filter(case=case).exists()


def test_confirming_creates_a_new_person_despite_the_duplicate(client, personas, case):
    make_person(first_name="Mia", last_name="Rivera", date_of_birth=date(2017, 8, 9))
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(confirm_new_despite_duplicates="on"),
    )

    assert response.status_code == 302
    assert Person.objects.filter(first_name="Mia").count() == 2


def test_the_duplicate_warning_says_when_the_match_is_already_on_this_case(
    client, personas, case, child
):
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:person_add", args=[case.pk]),
        new_person_form(first_name="Leo", date_of_birth="2015-05-01"),
    )

    assert "Already on this case" in response.text
    assert 'name="use_person"' not in response.text


# --- the person page ---------------------------------------------------------------------


def test_person_page_logs_the_view_and_shows_the_record(client, personas, case, mother, child):
    Relationship.objects.create(person=mother.person, relative=child.person, kind="parent")
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:person_detail", args=[mother.person_id]))

    assert response.status_code == 200
    view = RecordView.objects.get()
    assert (view.user, view.person, view.case, view.channel) == (
        personas.caseworker,
        mother.person,
        None,
        "page",
    )
    assert "Whereabouts unknown" in response.text
    assert "Parent of" in response.text and "Leo Rivera" in response.text
    assert case.number in response.text
    assert "Log a diligent search" in response.text


def test_person_page_hides_cases_and_relatives_the_user_cannot_see(client, personas, case, mother):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker, name="Hidden family")
    add_member(elsewhere, CaseMember.Role.MOTHER, person=mother.person)
    hidden_child = add_member(elsewhere, person=make_person(first_name="Zed")).person
    Relationship.objects.create(person=mother.person, relative=hidden_child, kind="parent")
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:person_detail", args=[mother.person_id]))

    assert elsewhere.number not in response.text
    assert "Zed" not in response.text


@pytest.mark.parametrize("size", [3, 30])
def test_person_page_runs_a_fixed_number_of_queries(
    client, personas, case, mother, size, django_assert_max_num_queries
):
    for n in range(size):
        kid = add_member(case, person=make_person(first_name=f"Kid{n}")).person
        Relationship.objects.create(person=mother.person, relative=kid, kind="parent")
        other = make_case(personas.unit, personas.caseworker)
        add_member(other, CaseMember.Role.MOTHER, person=mother.person)
        DiligentSearchEntry.objects.create(
            person=mother.person,
            searched_on=clock.today(),
            method=f"Call {n}",
            result="No answer",
            recorded_by=personas.caseworker,
        )
        mother.person.save()  # one more history row
    client.force_login(personas.caseworker)
    url = reverse("casework:person_detail", args=[mother.person_id])
    client.get(url)  # warm the content-type and permission caches

    with django_assert_max_num_queries(15):
        response = client.get(url)

    assert response.status_code == 200
    assert response.text.count("Parent of") == size


# --- editing -----------------------------------------------------------------------------


def test_editing_a_person_saves_through_the_service(client, personas, mother):
    client.force_login(personas.caseworker)
    url = reverse("casework:person_edit", args=[mother.person_id])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data |= {"preferred_language": "Portuguese", "incarcerated": "on", "facility": "York CI"}
    data.pop("whereabouts_unknown")
    data["races"] = [Race.objects.get(code="asian").pk]

    response = client.post(url, data)

    assert response.status_code == 302
    mother.person.refresh_from_db()
    assert (mother.person.preferred_language, mother.person.facility) == (
        "Portuguese",
        "York CI",
    )
    assert mother.person.whereabouts_unknown is False
    assert [r.code for r in mother.person.races.all()] == ["asian"]
    assert mother.person.history.latest().history_user == personas.caseworker


def test_editing_refuses_an_incarcerated_person_without_facility(client, personas, mother):
    client.force_login(personas.caseworker)
    url = reverse("casework:person_edit", args=[mother.person_id])

    response = client.post(
        url,
        {
            "first_name": "Ana",
            "last_name": "Rivera",
            "sex": "female",
            "ethnicity": "unknown",
            "preferred_language": "English",
            "incarcerated": "on",
        },
    )

    assert response.status_code == 200
    assert "Name the facility where the person is incarcerated." in response.text
    mother.person.refresh_from_db()
    assert mother.person.incarcerated is False


def test_member_edit_changes_the_role_flags(client, personas, case, mother):
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:member_edit", args=[mother.pk]),
        {"role": "mother", "in_household": "on"},
    )

    assert response.status_code == 302
    assert response.url == case_url(case)
    mother.refresh_from_db()
    assert (mother.custodial, mother.in_household) == (False, True)


def test_member_edit_can_take_a_person_off_the_case_without_deleting(
    client, personas, case, mother
):
    client.force_login(personas.caseworker)

    response = client.post(reverse("casework:member_edit", args=[mother.pk]), {"deactivate": "1"})

    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.active is False
    assert Person.objects.filter(pk=mother.person_id).exists()


# --- relationships -----------------------------------------------------------------------


def test_relationship_add_records_it_between_two_members(client, personas, case, mother, child):
    client.force_login(personas.caseworker)

    response = client.post(
        reverse("casework:relationship_add", args=[case.pk]),
        {"person": mother.person_id, "kind": "parent", "relative": child.person_id},
    )

    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert (relationship.person, relationship.relative) == (mother.person, child.person)


def test_relationship_add_offers_only_the_cases_active_members(
    client, personas, case, mother, child
):
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    client.force_login(personas.caseworker)
    url = reverse("casework:relationship_add", args=[case.pk])

    response = client.post(
        url, {"person": mother.person_id, "kind": "parent", "relative": stranger.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text

    response = client.post(
        url, {"person": mother.person_id, "kind": "parent", "relative": mother.person_id}
    )
    assert "A person cannot be related to themselves." in response.text
    assert not Relationship.objects.exists()


# --- diligent search ---------------------------------------------------------------------


def test_logging_a_search_that_finds_the_person_ends_it(client, personas, mother):
    client.force_login(personas.caseworker)
    url = reverse("casework:diligent_search_add", args=[mother.person_id])

    response = client.post(
        url,
        {"searched_on": clock.today().isoformat(), "method": "DMV", "result": "Address found"},
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "searched_on": clock.today().isoformat(),
            "method": "Home visit",
            "result": "Met her",
            "found": "on",
        },
        follow=True,
    )

    assert "Ana Rivera found: the search is closed." in response.text
    mother.person.refresh_from_db()
    assert mother.person.whereabouts_unknown is False
    assert mother.person.diligent_searches.count() == 2


def test_a_search_cannot_be_logged_for_a_person_whose_whereabouts_are_known(
    client, personas, child
):
    client.force_login(personas.caseworker)
    url = reverse("casework:diligent_search_add", args=[child.person_id])

    assert "whereabouts are known" in client.get(url).text
    response = client.post(
        url, {"searched_on": clock.today().isoformat(), "method": "DMV", "result": "x"}
    )

    assert response.status_code == 200
    assert "diligent searches are logged only" in response.text
    assert not DiligentSearchEntry.objects.exists()


def test_a_search_in_the_future_is_refused(client, personas, mother):
    client.force_login(personas.caseworker)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()

    response = client.post(
        reverse("casework:diligent_search_add", args=[mother.person_id]),
        {"searched_on": tomorrow, "method": "DMV", "result": "x"},
    )

    assert "The search date cannot be in the future." in response.text
    assert not DiligentSearchEntry.objects.exists()


# --- the case page's people section ------------------------------------------------------


def test_case_page_shows_the_people_table_and_genogram(client, personas, case, mother, child):
    Relationship.objects.create(person=mother.person, relative=child.person, kind="parent")
    client.force_login(personas.caseworker)

    response = client.get(reverse("casework:case_detail", args=[case.pk]))

    assert response.status_code == 200
    text = response.text
    assert "People on this case" in text
    assert reverse("casework:person_detail", args=[child.person_id]) in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="hearth-genogram" role="img"' in text
    assert "Genogram as text" in text
    assert "Ana Rivera (mother) is the parent of Leo Rivera (child, alleged victim)." in text
    assert reverse("casework:person_add", args=[case.pk]) in text


def test_people_partial_marks_flags_in_text(personas, case, mother, child):
    add_member(
        case,
        CaseMember.Role.FATHER,
        person=make_person(first_name="Luis", incarcerated=True, facility="MacDougall CI"),
        custodial=False,
    )
    context = {"case": case, "can_change": False} | case_people_context(case)

    html = render_to_string("casework/case/_people.html", context)

    assert "Non-custodial" in html
    assert "Incarcerated" in html and "MacDougall CI" in html
    assert "Unknown</span>" in html  # Ana's whereabouts
    assert "<strong>Yes</strong>" in html  # Leo, alleged victim
    assert reverse("casework:person_add", args=[case.pk]) not in html  # read-only
    assert reverse("casework:member_edit", args=[child.pk]) not in html


# --- Django admin (pytest-django's admin_client: a superuser) -----------------------------


def test_admin_lists_and_opens_people_relationships_searches_and_races(
    admin_client, personas, mother, child
):
    relationship = Relationship.objects.create(
        person=mother.person, relative=child.person, kind="parent"
    )
    search = DiligentSearchEntry.objects.create(
        person=mother.person,
        searched_on=clock.today(),
        method="DMV",
        result="None",
        recorded_by=personas.caseworker,
    )
    urls = [
        reverse("admin:casework_person_changelist"),
        reverse("admin:casework_person_changelist") + "?q=rivera&whereabouts_unknown__exact=1",
        reverse("admin:casework_person_change", args=[mother.person_id]),
        reverse("admin:casework_relationship_changelist"),
        reverse("admin:casework_relationship_change", args=[relationship.pk]),
        reverse("admin:casework_diligentsearchentry_changelist"),
        reverse("admin:casework_diligentsearchentry_change", args=[search.pk]),
        reverse("admin:casework_race_changelist"),
    ]

    assert [admin_client.get(url).status_code for url in urls] == [200] * len(urls)
    assert admin_client.get(reverse("admin:casework_person_add")).status_code == 403
    assert (
        admin_client.get(
            reverse("admin:casework_person_delete", args=[mother.person_id])
        ).status_code
        == 403
    )


def test_admin_saves_a_person_through_the_service_rules(admin_client, mother):
    url = reverse("admin:casework_person_change", args=[mother.person_id])
    data = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "date_of_birth": "1990-03-04",
        "sex": "female",
        "ethnicity": "unknown",
        "preferred_language": "English",
        "incarcerated": "on",
        "whereabouts_unknown": "on",
        "diligent_searches-TOTAL_FORMS": "0",
        "diligent_searches-INITIAL_FORMS": "0",
    }

    refused = admin_client.post(url, data)
    saved = admin_client.post(url, data | {"facility": "York CI", "whereabouts_unknown": ""})

    assert refused.status_code == 200
    assert "Name the facility where the person is incarcerated." in refused.text
    assert saved.status_code == 302
    mother.person.refresh_from_db()
    assert (mother.person.incarcerated, mother.person.facility) == (True, "York CI")


def test_admin_removes_a_relationship_entered_in_error_keeping_its_history(
    admin_client, mother, child
):
    relationship = Relationship.objects.create(
        person=mother.person, relative=child.person, kind="sibling"
    )

    response = admin_client.post(
        reverse("admin:casework_relationship_delete", args=[relationship.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Relationship.objects.exists()
    assert Relationship.history.filter(history_type="-").count() == 1
