"""The people API (/api/casework/persons/, /api/casework/relationships/), through HTTP."""

from datetime import date, timedelta

import pytest

from agency import clock
from agency.roles import Role
from casework.models import CaseMember, DiligentSearchEntry, Person, Race, RecordView, Relationship
from tests.casework.factories import add_member, make_case, make_person

PERSONS = "/api/casework/persons/"
RELATIONSHIPS = "/api/casework/relationships/"


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker, name="Rivera family")


@pytest.fixture
def mother(case):
    return add_member(
        case,
        CaseMember.Role.MOTHER,
        person=make_person(first_name="Ana", date_of_birth=date(1990, 3, 4)),
    )


@pytest.fixture
def child(case):
    return add_member(case, person=make_person(first_name="Leo"), alleged_victim=True)


@pytest.fixture
def as_caseworker(client, personas):
    client.force_login(personas.caseworker)
    return client


def new_person(case, **fields) -> dict:
    return {
        "case": case.pk,
        "role": "child",
        "first_name": "Mia",
        "last_name": "Rivera",
        "date_of_birth": "2017-08-09",
        "sex": "female",
        "races": ["black", "white"],
        "ethnicity": "hispanic",
        "preferred_language": "Spanish",
        "interpreter_needed": True,
    } | fields


def endpoints(case, mother, child) -> list[tuple[str, str, dict]]:
    person = mother.person_id
    return [
        ("get", PERSONS, {}),
        ("get", f"{PERSONS}{person}/", {}),
        ("post", PERSONS, new_person(case)),
        ("patch", f"{PERSONS}{person}/", {"preferred_language": "French"}),
        ("get", f"{PERSONS}{person}/diligent-searches/", {}),
        (
            "post",
            f"{PERSONS}{person}/diligent-searches/",
            {"searched_on": "2026-01-02", "method": "DMV", "result": "none"},
        ),
        ("get", RELATIONSHIPS, {}),
        (
            "post",
            RELATIONSHIPS,
            {"case": case.pk, "person": person, "relative": child.person_id, "kind": "parent"},
        ),
    ]


def call(client, method, url, data):
    if method == "get":
        return client.get(url, data)
    return getattr(client, method)(url, data, content_type="application/json")


# --- who may call what -------------------------------------------------------------------


@pytest.mark.parametrize("index", range(8))
@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_roleless_callers_get_403(client, personas, case, mother, child, index, who):
    if who:
        client.force_login(getattr(personas, who))
    method, url, data = endpoints(case, mother, child)[index]

    assert call(client, method, url, data).status_code == 403


@pytest.mark.parametrize("index", [1, 2, 3, 4, 5, 7])
def test_another_offices_caseworker_gets_404(client, personas, case, mother, child, index):
    mother.person.whereabouts_unknown = True
    mother.person.save()
    client.force_login(personas.other_caseworker)
    method, url, data = endpoints(case, mother, child)[index]

    assert call(client, method, url, data).status_code == 404
    assert Person.objects.count() == 2
    assert not Relationship.objects.exists() and not DiligentSearchEntry.objects.exists()


def test_another_offices_caseworker_lists_nobody_from_this_case(
    client, personas, case, mother, child
):
    Relationship.objects.create(person=mother.person, relative=child.person, kind="parent")
    client.force_login(personas.other_caseworker)

    assert client.get(PERSONS).json()["results"] == []
    assert client.get(PERSONS, {"case": case.pk}).json()["results"] == []
    assert client.get(RELATIONSHIPS, {"case": case.pk}).json()["results"] == []
    assert client.get(f"{RELATIONSHIPS}{Relationship.objects.get().pk}/").status_code == 404


@pytest.mark.parametrize("index", [2, 3, 5, 7])
def test_a_role_that_only_reads_gets_403_on_writes(
    client, personas, user_with_role, case, mother, child, index
):
    mother.person.whereabouts_unknown = True
    mother.person.save()
    client.force_login(user_with_role(Role.QUALITY_REVIEWER, location=personas.central))
    method, url, data = endpoints(case, mother, child)[index]

    assert call(client, method, url, data).status_code == 403
    assert client.get(f"{PERSONS}{mother.person_id}/").status_code == 200


def test_people_are_never_deleted_through_the_api(as_caseworker, mother):
    assert as_caseworker.delete(f"{PERSONS}{mother.person_id}/").status_code == 405
    assert as_caseworker.put(f"{PERSONS}{mother.person_id}/", {}).status_code == 405


# --- reading -----------------------------------------------------------------------------


def test_list_filters_by_case_and_name_and_shows_only_visible_memberships(
    as_caseworker, personas, case, mother, child
):
    other = make_case(personas.unit, personas.caseworker)
    add_member(other, person=make_person(first_name="Zoe", last_name="Chen"))
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    add_member(hidden, CaseMember.Role.MOTHER, person=mother.person)
    add_member(hidden, person=make_person(first_name="Hidden"))

    everyone = as_caseworker.get(PERSONS).json()
    on_case = as_caseworker.get(PERSONS, {"case": case.pk}).json()
    named = as_caseworker.get(PERSONS, {"q": "ana riv"}).json()
    hidden_case = as_caseworker.get(PERSONS, {"case": hidden.pk}).json()

    assert [p["full_name"] for p in everyone["results"]] == [
        "Zoe Chen",
        "Ana Rivera",
        "Leo Rivera",
    ]
    assert [p["full_name"] for p in on_case["results"]] == ["Ana Rivera", "Leo Rivera"]
    assert [p["id"] for p in named["results"]] == [mother.person_id]
    assert [m["case_number"] for m in named["results"][0]["memberships"]] == [case.number]
    assert hidden_case["results"] == []


@pytest.mark.parametrize("size", [3, 30])
def test_list_runs_a_fixed_number_of_queries(
    as_caseworker, case, size, django_assert_max_num_queries
):
    white = Race.objects.get(code="white")
    for _ in range(size):
        add_member(case).person.races.add(white)
    as_caseworker.get(PERSONS)  # warm the content-type and permission caches

    with django_assert_max_num_queries(12):
        response = as_caseworker.get(PERSONS, {"case": case.pk})

    assert response.json()["count"] == size
    assert response.json()["results"][0]["races"] == ["white"]


def test_retrieve_logs_an_api_view(as_caseworker, personas, mother):
    response = as_caseworker.get(f"{PERSONS}{mother.person_id}/")

    assert response.status_code == 200
    assert response.json()["full_name"] == "Ana Rivera"
    assert response.json()["memberships"][0]["role"] == "mother"
    view = RecordView.objects.get()
    assert (view.user, view.person, view.channel) == (personas.caseworker, mother.person, "api")


# --- creating ----------------------------------------------------------------------------


def test_create_adds_a_new_person_to_the_case(as_caseworker, personas, case):
    response = as_caseworker.post(PERSONS, new_person(case), content_type="application/json")

    assert response.status_code == 201
    data = response.json()
    assert data["full_name"] == "Mia Rivera"
    assert sorted(data["races"]) == ["black", "white"]
    assert data["memberships"][0]["case"] == case.pk
    person = Person.objects.get(pk=data["id"])
    assert person.history.get().history_user == personas.caseworker


def test_create_answers_a_duplicate_with_its_ids_and_saves_nothing(as_caseworker, personas, case):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    existing = add_member(
        elsewhere,
        person=make_person(first_name="Mia", last_name="Rivera", date_of_birth=date(2017, 8, 9)),
    ).person

    response = as_caseworker.post(
        PERSONS, new_person(case, first_name="MIA"), content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["duplicates"] == [existing.pk]
    assert "already exists" in body["non_field_errors"][0]
    assert Person.objects.count() == 1

    confirmed = as_caseworker.post(
        PERSONS,
        new_person(case, confirm_new_despite_duplicates=True),
        content_type="application/json",
    )
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


def test_create_with_a_listed_duplicate_adds_the_existing_person(as_caseworker, personas, case):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    existing = add_member(
        elsewhere,
        person=make_person(first_name="Mia", last_name="Rivera", date_of_birth=date(2017, 8, 9)),
    ).person

    response = as_caseworker.post(
        PERSONS, new_person(case, person=existing.pk), content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["id"] == existing.pk
    assert [m["case"] for m in response.json()["memberships"]] == [case.pk]
    assert Person.objects.count() == 1


def test_create_refuses_an_unrelated_person_the_caller_cannot_see(as_caseworker, personas, case):
    hidden = add_member(make_case(personas.other_unit, personas.other_caseworker)).person

    response = as_caseworker.post(
        PERSONS,
        {"case": case.pk, "role": "child", "person": hidden.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"person": ["No person with this id that you can see."]}
    assert not CaseMember.objects.filter(case=case).exists()


def test_create_with_bad_input_answers_a_field_map(as_caseworker, case):
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()

    response = as_caseworker.post(
        PERSONS,
        new_person(case, first_name="", date_of_birth=tomorrow, role="father", alleged_victim=True),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"first_name", "date_of_birth", "alleged_victim"}
    assert not Person.objects.exists()

    response = as_caseworker.post(
        PERSONS, new_person(case, races=["martian"]), content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"races"}


# --- updating ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(as_caseworker, personas, mother):
    response = as_caseworker.patch(
        f"{PERSONS}{mother.person_id}/",
        {"preferred_language": "French", "races": ["asian"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["preferred_language"], response.json()["races"]) == (
        "French",
        ["asian"],
    )
    mother.person.refresh_from_db()
    assert (mother.person.first_name, mother.person.preferred_language) == ("Ana", "French")
    assert mother.person.history.latest().history_user == personas.caseworker


def test_patch_refuses_bad_values(as_caseworker, mother):
    response = as_caseworker.patch(
        f"{PERSONS}{mother.person_id}/", {"incarcerated": True}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"facility": ["Name the facility where the person is incarcerated."]}
    mother.person.refresh_from_db()
    assert mother.person.incarcerated is False


# --- diligent searches -------------------------------------------------------------------


def test_diligent_searches_are_logged_and_finding_ends_the_search(as_caseworker, personas, mother):
    mother.person.whereabouts_unknown = True
    mother.person.save()
    url = f"{PERSONS}{mother.person_id}/diligent-searches/"
    today = clock.today().isoformat()

    first = as_caseworker.post(
        url, {"searched_on": today, "method": "DMV", "result": "Nothing"}, "application/json"
    )
    found = as_caseworker.post(
        url,
        {"searched_on": today, "method": "Relative", "result": "With her aunt", "found": True},
        "application/json",
    )
    listed = as_caseworker.get(url)

    assert (first.status_code, found.status_code) == (201, 201)
    assert found.json()["recorded_by"] == "caseworker"
    assert [s["method"] for s in listed.json()] == ["Relative", "DMV"]
    mother.person.refresh_from_db()
    assert mother.person.whereabouts_unknown is False
    again = as_caseworker.post(
        url, {"searched_on": today, "method": "DMV", "result": "x"}, "application/json"
    )
    assert again.status_code == 400
    assert "whereabouts are known" in again.json()["non_field_errors"][0]


def test_diligent_search_in_the_future_is_refused(as_caseworker, mother):
    mother.person.whereabouts_unknown = True
    mother.person.save()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()

    response = as_caseworker.post(
        f"{PERSONS}{mother.person_id}/diligent-searches/",
        {"searched_on": tomorrow, "method": "DMV", "result": "x"},
        "application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"searched_on"}


# --- relationships -----------------------------------------------------------------------


def test_relationship_create_and_list_by_case(as_caseworker, personas, case, mother, child):
    other = make_case(personas.unit, personas.caseworker)
    a, b = add_member(other).person, add_member(other).person
    Relationship.objects.create(person=a, relative=b, kind="sibling")

    response = as_caseworker.post(
        RELATIONSHIPS,
        {
            "case": case.pk,
            "person": mother.person_id,
            "kind": "parent",
            "relative": child.person_id,
            "note": "birth mother",
        },
        content_type="application/json",
    )
    listed = as_caseworker.get(RELATIONSHIPS, {"case": case.pk}).json()

    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "person": mother.person_id,
        "person_name": "Ana Rivera",
        "kind": "parent",
        "kind_label": "Parent of",
        "relative": child.person_id,
        "relative_name": "Leo Rivera",
        "note": "birth mother",
    }
    assert [r["id"] for r in listed["results"]] == [response.json()["id"]]
    assert as_caseworker.get(RELATIONSHIPS).json()["count"] == 2


def test_relationship_create_refuses_people_off_the_case_and_repeats(
    as_caseworker, personas, case, mother, child
):
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    body = {"case": case.pk, "person": mother.person_id, "kind": "parent"}

    off_case = as_caseworker.post(
        RELATIONSHIPS, body | {"relative": stranger.pk}, content_type="application/json"
    )
    first = as_caseworker.post(
        RELATIONSHIPS, body | {"relative": child.person_id}, content_type="application/json"
    )
    repeat = as_caseworker.post(
        RELATIONSHIPS, body | {"relative": child.person_id}, content_type="application/json"
    )

    assert off_case.status_code == 400
    assert off_case.json() == {"relative": [f"Not an active member of case {case.number}."]}
    assert first.status_code == 201
    assert repeat.status_code == 400
    assert repeat.json() == {"kind": ["This relationship is already recorded."]}
    assert Relationship.objects.count() == 1
