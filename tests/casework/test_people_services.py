"""The rules for people, their place on cases, relationships and diligent searches,
through the services and selectors directly."""

import itertools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from agency import clock
from casework.models import CaseMember, DiligentSearchEntry, Person, Race, Relationship
from casework.selectors.people import age_on, case_people_context, person_duplicates
from casework.services import people as services
from tests.casework.factories import add_member, make_case, make_person

DOB = date(2015, 5, 1)


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


def add_new(case, actor, **fields):
    values = {
        "role": CaseMember.Role.CHILD,
        "first_name": "Leo",
        "last_name": "Rivera",
        "date_of_birth": DOB,
    }
    return services.person_add_to_case(case=case, actor=actor, **(values | fields))


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), CaseMember.objects.count(), Relationship.objects.count()


# --- adding people -----------------------------------------------------------------------


def test_adding_a_new_person_creates_them_on_the_case_with_the_actor_in_history(case, personas):
    races = list(Race.objects.filter(code__in=["black", "white"]))

    member = add_new(
        case,
        personas.caseworker,
        alleged_victim=True,
        races=races,
        ethnicity=Person.Ethnicity.HISPANIC,
        preferred_language="Spanish",
        interpreter_needed=True,
    )

    person = member.person
    assert (member.case, member.role, member.alleged_victim, member.active) == (
        case,
        "child",
        True,
        True,
    )
    assert set(person.races.values_list("code", flat=True)) == {"black", "white"}
    assert (person.preferred_language, person.interpreter_needed) == ("Spanish", True)
    assert person.history.get().history_user == personas.caseworker
    assert member.history.get().history_user == personas.caseworker


def test_same_name_and_birth_date_on_another_case_is_a_duplicate_and_nothing_is_saved(
    case, personas
):
    elsewhere = make_case(personas.other_unit, personas.other_caseworker)
    existing = add_member(elsewhere, person=make_person(first_name="Leo", last_name="Rivera"))
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        add_new(case, personas.caseworker, first_name=" leo ", last_name="RIVERA")

    error = excinfo.value.error_dict["__all__"][0]
    assert error.code == services.DUPLICATE_PERSON
    assert "Leo Rivera born 1 May 2015 already exists" in error.message
    assert counts() == before
    assert list(person_duplicates(first_name="LEO", last_name="rivera ", date_of_birth=DOB)) == [
        existing.person
    ]


def test_confirming_a_duplicate_creates_a_second_person(case, personas):
    make_person(first_name="Leo", last_name="Rivera")

    member = add_new(case, personas.caseworker, confirm_new_despite_duplicates=True)

    assert Person.objects.filter(first_name="Leo", last_name="Rivera").count() == 2
    assert member.person.case_memberships.get() == member


def test_same_name_with_another_birth_date_is_not_a_duplicate(case, personas):
    make_person(first_name="Leo", last_name="Rivera", date_of_birth=date(2016, 5, 1))

    member = add_new(case, personas.caseworker)

    assert member.person.date_of_birth == DOB


def test_without_a_birth_date_there_is_nothing_to_compare(case, personas):
    make_person(first_name="Leo", last_name="Rivera", date_of_birth=None)

    member = add_new(case, personas.caseworker, date_of_birth=None)

    assert member.person.date_of_birth is None
    assert not person_duplicates(first_name="Leo", last_name="Rivera", date_of_birth=None).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"date_of_birth": date.today() + timedelta(days=2)}, "date_of_birth"),
        ({"role": CaseMember.Role.MOTHER, "alleged_victim": True}, "alleged_victim"),
        ({"role": "aunt"}, "role"),
        ({"incarcerated": True}, "facility"),
        (
            {"incarcerated": True, "facility": "MacDougall CI", "whereabouts_unknown": True},
            "whereabouts_unknown",
        ),
        ({"preferred_language": " "}, "preferred_language"),
        ({"sex": "robot"}, "sex"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_saves_nothing(case, personas, fields, field):
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        add_new(case, personas.caseworker, **fields)

    assert field in error_fields(excinfo)
    assert counts() == before


def test_declined_cannot_be_combined_with_a_race(case, personas):
    races = list(Race.objects.filter(code__in=["declined", "white"]))

    with pytest.raises(ValidationError) as excinfo:
        add_new(case, personas.caseworker, races=races)

    assert error_fields(excinfo) == {"races"}


def test_people_are_not_added_to_a_closed_case(personas):
    closed = make_case(personas.unit, personas.caseworker, status="closed", closed_on=clock.today())
    before = counts()

    with pytest.raises(ValidationError) as excinfo:
        add_new(closed, personas.caseworker)

    assert "closed" in excinfo.value.message_dict["__all__"][0]
    assert counts() == before


def test_an_existing_person_joins_a_second_case(case, personas):
    person = add_member(make_case(personas.unit, personas.caseworker)).person

    member = services.person_add_to_case(
        case=case, actor=personas.caseworker, person=person, role=CaseMember.Role.CHILD
    )

    assert member.person == person
    assert person.case_memberships.count() == 2


def test_a_person_already_on_the_case_is_not_added_twice(case, personas):
    member = add_member(case)

    with pytest.raises(ValidationError) as excinfo:
        services.person_add_to_case(
            case=case, actor=personas.caseworker, person=member.person, role="child"
        )

    assert "already on case" in excinfo.value.message_dict["person"][0]


def test_a_person_taken_off_the_case_comes_back_with_the_new_role(case, personas):
    member = add_member(case, CaseMember.Role.HOUSEHOLD_MEMBER, active=False)

    again = services.person_add_to_case(
        case=case,
        actor=personas.caseworker,
        person=member.person,
        role=CaseMember.Role.CAREGIVER,
    )

    assert again.pk == member.pk
    assert (again.active, again.role) == (True, "caregiver")


def test_custody_applies_to_parents_and_support_kind_to_natural_supports(case, personas):
    father = add_new(
        case,
        personas.caseworker,
        first_name="Luis",
        date_of_birth=date(1988, 1, 2),
        role=CaseMember.Role.FATHER,
        custodial=False,
        natural_support_kind="coach",
    )
    coach = add_new(
        case,
        personas.caseworker,
        first_name="Kim",
        date_of_birth=date(1980, 1, 2),
        role=CaseMember.Role.NATURAL_SUPPORT,
        custodial=False,
        natural_support_kind=" coach ",
    )

    assert (father.custodial, father.natural_support_kind) == (False, "")
    assert (coach.custodial, coach.natural_support_kind) == (True, "coach")


# --- updating ----------------------------------------------------------------------------


def test_person_update_changes_fields_and_races(personas):
    person = make_person()
    asian = Race.objects.get(code="asian")

    services.person_update(
        person=person,
        actor=personas.caseworker,
        preferred_language="Vietnamese",
        interpreter_needed=True,
        races=[asian],
    )

    person.refresh_from_db()
    assert (person.preferred_language, person.interpreter_needed) == ("Vietnamese", True)
    assert list(person.races.all()) == [asian]
    assert person.history.latest().history_user == personas.caseworker


def test_person_update_refuses_bad_values_and_keeps_the_old_ones(personas):
    person = make_person(first_name="Ana")

    with pytest.raises(ValidationError) as excinfo:
        services.person_update(person=person, actor=personas.caseworker, first_name="", sex="x")

    assert error_fields(excinfo) == {"first_name"}
    assert person.first_name == "Ana"
    person.refresh_from_db()
    assert (person.first_name, person.sex) == ("Ana", "unknown")


def test_member_update_and_deactivate_never_delete(case, personas):
    member = add_member(case, CaseMember.Role.MOTHER)

    services.member_update(
        member=member,
        actor=personas.caseworker,
        role=CaseMember.Role.MOTHER,
        alleged_victim=False,
        custodial=False,
        in_household=False,
        natural_support_kind="",
    )
    services.member_deactivate(member=member, actor=personas.caseworker)

    member.refresh_from_db()
    assert (member.custodial, member.in_household, member.active) == (False, False, False)
    assert member.history.latest().history_user == personas.caseworker


def test_member_update_refuses_an_alleged_victim_who_is_not_a_child(case, personas):
    member = add_member(case, CaseMember.Role.FATHER)

    with pytest.raises(ValidationError) as excinfo:
        services.member_update(
            member=member,
            actor=personas.caseworker,
            role=CaseMember.Role.FATHER,
            alleged_victim=True,
            custodial=True,
            in_household=True,
            natural_support_kind="",
        )

    assert error_fields(excinfo) == {"alleged_victim"}
    member.refresh_from_db()
    assert member.alleged_victim is False


# --- relationships -----------------------------------------------------------------------


@pytest.fixture
def family(case):
    return {
        "mother": add_member(case, CaseMember.Role.MOTHER).person,
        "child": add_member(case).person,
        "sister": add_member(case).person,
    }


def test_relationship_add_records_who_is_what_of_whom(family, personas):
    relationship = services.relationship_add(
        person=family["mother"],
        relative=family["child"],
        kind=Relationship.Kind.PARENT,
        actor=personas.caseworker,
        note=" birth mother ",
    )

    assert (relationship.kind, relationship.note) == ("parent", "birth mother")
    assert relationship.history.get().history_user == personas.caseworker


@pytest.mark.parametrize(
    ("setup", "person", "relative", "kind", "field"),
    [
        (None, "child", "child", "sibling", "relative"),
        (("child", "sister", "sibling"), "sister", "child", "sibling", "kind"),  # symmetric
        (("mother", "child", "parent"), "mother", "child", "parent", "kind"),
        (("mother", "child", "parent"), "child", "mother", "parent", "kind"),  # a loop
        (None, "mother", "child", "godmother", "kind"),
    ],
)
def test_relationship_add_refuses(family, personas, setup, person, relative, kind, field):
    if setup:
        a, b, k = setup
        Relationship.objects.create(person=family[a], relative=family[b], kind=k)
    before = Relationship.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.relationship_add(
            person=family[person], relative=family[relative], kind=kind, actor=personas.caseworker
        )

    assert field in error_fields(excinfo)
    assert Relationship.objects.count() == before


def test_relationship_needs_both_people_active_on_a_common_case(family, personas):
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    CaseMember.objects.filter(person=family["sister"]).update(active=False)

    for relative in (stranger, family["sister"]):
        with pytest.raises(ValidationError) as excinfo:
            services.relationship_add(
                person=family["child"], relative=relative, kind="sibling", actor=personas.caseworker
            )
        assert "not on a case together" in excinfo.value.message_dict["relative"][0]


# --- diligent search ---------------------------------------------------------------------


def test_diligent_search_is_only_for_a_person_whose_whereabouts_are_unknown(personas):
    person = make_person(whereabouts_unknown=False)

    with pytest.raises(ValidationError) as excinfo:
        services.diligent_search_record(
            person=person,
            actor=personas.caseworker,
            searched_on=clock.today(),
            method="DMV",
            result="Nothing",
        )

    assert "whereabouts are known" in excinfo.value.message_dict["__all__"][0]
    assert not DiligentSearchEntry.objects.exists()


def test_diligent_search_refuses_a_future_date_and_blank_method(personas):
    person = make_person(whereabouts_unknown=True)

    with pytest.raises(ValidationError) as excinfo:
        services.diligent_search_record(
            person=person,
            actor=personas.caseworker,
            searched_on=clock.today() + timedelta(days=1),
            method=" ",
            result="",
        )

    assert error_fields(excinfo) == {"searched_on", "method", "result"}


def test_a_search_that_finds_the_person_ends_the_search(personas):
    person = make_person(whereabouts_unknown=True)
    services.diligent_search_record(
        person=person,
        actor=personas.caseworker,
        searched_on=clock.today() - timedelta(days=3),
        method="Relative contact",
        result="Aunt has no news.",
    )
    assert Person.objects.get(pk=person.pk).whereabouts_unknown is True

    entry = services.diligent_search_record(
        person=person,
        actor=personas.caseworker,
        searched_on=clock.today(),
        method="DOC lookup",
        result="At the Hartford shelter.",
        found=True,
    )

    person.refresh_from_db()
    assert person.whereabouts_unknown is False
    assert (entry.found, entry.recorded_by) == (True, personas.caseworker)
    assert person.diligent_searches.count() == 2
    assert person.history.latest().history_user == personas.caseworker


# --- selectors ---------------------------------------------------------------------------


def test_age_counts_whole_years():
    assert age_on(date(2015, 5, 1), date(2026, 4, 30)) == 10
    assert age_on(date(2015, 5, 1), date(2026, 5, 1)) == 11
    assert age_on(None, date(2026, 5, 1)) is None


def test_case_people_lists_children_then_parents_then_others(case):
    uncle = add_member(case, CaseMember.Role.MATERNAL_RELATIVE)
    father = add_member(case, CaseMember.Role.FATHER)
    older = add_member(case, person=make_person(date_of_birth=date(2012, 1, 1)))
    mother = add_member(case, CaseMember.Role.MOTHER)
    younger = add_member(case, person=make_person(date_of_birth=date(2019, 1, 1)))
    add_member(case, CaseMember.Role.CAREGIVER, active=False)

    members = case_people_context(case, today=date(2026, 1, 1))["members"]

    assert members == [older, younger, mother, father, uncle]
    assert members[0].age == 14


def test_case_people_context_draws_the_relationships_among_its_members(case, personas):
    mother = add_member(case, CaseMember.Role.MOTHER, person=make_person(first_name="Ana"))
    child = add_member(case, person=make_person(first_name="Leo"), alleged_victim=True)
    outsider = make_person(first_name="Zed")  # related, but not on this case
    Relationship.objects.create(person=mother.person, relative=child.person, kind="parent")
    Relationship.objects.create(person=outsider, relative=child.person, kind="parent")

    context = case_people_context(case)

    assert context["genogram_text"] == [
        "Ana Rivera (mother) is the parent of Leo Rivera (child, alleged victim)."
    ]
    assert "Zed" not in context["genogram_svg"]
    assert 'role="img"' in context["genogram_svg"]


@pytest.mark.parametrize("size", [3, 30])
def test_case_people_context_runs_a_fixed_number_of_queries(
    case, size, django_assert_max_num_queries
):
    members = [add_member(case) for _ in range(size)]
    for a, b in itertools.pairwise(members):
        Relationship.objects.create(person=a.person, relative=b.person, kind="sibling")
    white = Race.objects.get(code="white")
    for m in members:
        m.person.races.add(white)

    with django_assert_max_num_queries(3):
        context = case_people_context(case)
        assert len(context["members"]) == size
        assert [r.code for r in context["members"][0].person.races.all()] == ["white"]
