"""The genogram's layout, drawing and text alternative: pure functions, no database."""

import itertools
import re

from casework.genogram import SLOT, GenoLink, GenoPerson, describe, layout, render_svg


def person(pk, name, sex="unknown", role="", victim=False) -> GenoPerson:
    return GenoPerson(id=pk, name=name, sex=sex, role=role, alleged_victim=victim)


def link(a, b, kind) -> GenoLink:
    return GenoLink(person=a, relative=b, kind=kind)


def two_parents_three_children():
    people = [
        person(1, "Leo Rivera", "male", "Child", victim=True),
        person(2, "Mia Rivera", "female", "Child"),
        person(3, "Sam Rivera", "x", "Child"),
        person(4, "Ana Rivera", "female", "Mother"),
        person(5, "Luis Rivera", "male", "Father"),
    ]
    links = [link(4, 5, "partner")]
    links += [link(parent, child, "parent") for parent in (4, 5) for child in (1, 2, 3)]
    return people, links


# --- layout ------------------------------------------------------------------------------


def test_two_parents_sit_side_by_side_above_their_three_children():
    g = layout(*two_parents_three_children())
    at = g.by_id

    assert at[4].generation == at[5].generation == 0
    assert {at[c].generation for c in (1, 2, 3)} == {1}
    assert abs(at[4].x - at[5].x) == SLOT
    assert [at[c].x for c in (1, 2, 3)] == sorted(at[c].x for c in (1, 2, 3))
    # The couple is centred over its children.
    assert (at[4].x + at[5].x) / 2 == sum(at[c].x for c in (1, 2, 3)) / 3
    assert at[1].y > at[4].y


def test_single_mother_grandmother_and_child_take_three_rows():
    people = [
        person(1, "Leo Rivera", "male", "Child"),
        person(2, "Ana Rivera", "female", "Mother"),
        person(3, "Rosa Diaz", "female", "Maternal relative"),
    ]
    links = [link(3, 2, "parent"), link(2, 1, "parent"), link(3, 1, "grandparent")]

    g = layout(people, links)

    assert [g.by_id[i].generation for i in (3, 2, 1)] == [0, 1, 2]
    assert g.by_id[3].x == g.by_id[2].x == g.by_id[1].x  # one straight line of descent


def test_grandmother_known_only_through_the_grandchild_still_sits_two_rows_up():
    people = [person(1, "Leo", "male"), person(2, "Ana", "female"), person(3, "Rosa", "female")]
    links = [link(2, 1, "parent"), link(3, 1, "grandparent")]

    g = layout(people, links)

    # The mother is pulled down next to her child rather than up beside her own mother.
    assert [g.by_id[i].generation for i in (3, 2, 1)] == [0, 1, 2]


def test_former_partner_and_half_sibling_share_the_mothers_row_and_line():
    people = [
        person(1, "Leo Rivera", "male", "Child"),
        person(2, "Mia Rivera", "female", "Child"),
        person(3, "Ana Rivera", "female", "Mother"),
        person(4, "Luis Rivera", "male", "Father"),
        person(5, "Tom Baker", "male", "Household member"),
    ]
    links = [
        link(3, 4, "partner"),
        link(5, 3, "former_partner"),
        link(3, 1, "parent"),
        link(4, 1, "parent"),
        link(3, 2, "parent"),
        link(5, 2, "parent"),
    ]

    g = layout(people, links)
    at = g.by_id

    assert at[3].generation == at[4].generation == at[5].generation == 0
    # The mother stands between her partner and her former partner.
    xs = sorted((at[i].x, i) for i in (3, 4, 5))
    assert xs[1][1] == 3
    # Each child sits nearer the couple it comes from.
    assert abs(at[1].x - (at[3].x + at[4].x) / 2) < abs(at[1].x - (at[3].x + at[5].x) / 2)
    assert abs(at[2].x - (at[3].x + at[5].x) / 2) < abs(at[2].x - (at[3].x + at[4].x) / 2)


def test_unrelated_people_get_a_row_of_their_own_below_the_family():
    people, links = two_parents_three_children()
    people += [person(8, "Coach Kim", "female", "Natural support"), person(9, "Pat Lee")]

    g = layout(people, links)

    family_rows = {g.by_id[i].generation for i in (1, 2, 3, 4, 5)}
    assert g.by_id[8].generation == g.by_id[9].generation == max(family_rows) + 1
    assert g.by_id[8].x != g.by_id[9].x


def test_nobody_related_puts_everyone_on_one_row_without_overlap():
    people = [person(i, f"Person {i}") for i in range(1, 5)]

    g = layout(people, [])

    assert {p.generation for p in g.people} == {0}
    xs = sorted(p.x for p in g.people)
    assert all(b - a >= SLOT for a, b in itertools.pairwise(xs))


def test_cycles_and_bad_links_do_not_crash():
    people = [person(1, "A"), person(2, "B"), person(3, "C")]
    links = [
        link(1, 2, "parent"),
        link(2, 3, "parent"),
        link(3, 1, "parent"),  # someone their own grandparent
        link(1, 3, "partner"),
        link(1, 1, "sibling"),  # self
        link(1, 99, "parent"),  # not on the case
        link(2, 3, "cousin"),  # unknown kind
        link(1, 2, "parent"),  # repeated
    ]

    g = layout(people, links)

    assert len(g.people) == 3
    assert len(g.links) == 4
    assert render_svg(g).startswith("<svg")
    assert len(describe(g)) == 4


def test_an_empty_family_lays_out_and_draws():
    g = layout([], [])

    assert g.people == []
    assert "<title" in render_svg(g)
    assert describe(g) == []


# --- drawing -----------------------------------------------------------------------------


def test_svg_is_an_accessible_image_with_title_and_description():
    svg = str(render_svg(layout(*two_parents_three_children()), title="Genogram", id_prefix="g7"))

    assert 'role="img"' in svg
    assert 'aria-labelledby="g7-title g7-desc"' in svg
    assert '<title id="g7-title">Genogram</title>' in svg
    assert re.search(r'<desc id="g7-desc">5 people and 7 relationships\.', svg)
    assert "style=" not in svg  # the CSP allows no inline styles


def test_svg_names_each_person_once_with_the_conventional_shapes():
    svg = str(render_svg(layout(*two_parents_three_children())))

    for name in ("Leo Rivera", "Mia Rivera", "Sam Rivera", "Ana Rivera", "Luis Rivera"):
        assert svg.count(name) == 1
    assert svg.count("<rect") == 3  # Luis, and Leo with his double outline
    assert svg.count("<circle") == 2  # Ana and Mia
    assert svg.count("<polygon") == 1  # Sam (X)
    assert "alleged victim" in svg


def test_former_partners_are_joined_by_a_dashed_line_and_partners_by_a_solid_one():
    people = [person(1, "Ana", "female"), person(2, "Luis", "male"), person(3, "Tom", "male")]

    current = str(render_svg(layout(people, [link(1, 2, "partner")])))
    former = str(render_svg(layout(people, [link(1, 3, "former_partner")])))

    assert "stroke-dasharray" not in current
    assert 'stroke-dasharray="8 5"' in former


def test_svg_escapes_names():
    svg = str(render_svg(layout([person(1, "<script>alert(1)</script>")], [])))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


# --- the text alternative ----------------------------------------------------------------


def test_text_alternative_has_one_sentence_per_relationship_then_the_unrelated():
    people = [
        person(1, "Leo Rivera", "male", "Child", victim=True),
        person(2, "Ana Rivera", "female", "Mother"),
        person(3, "Coach Kim", "female", "Natural support"),
    ]
    links = [link(2, 1, "parent"), GenoLink(person=1, relative=2, kind="relative", note="ward")]

    lines = describe(layout(people, links))

    assert lines == [
        "Ana Rivera (mother) is the parent of Leo Rivera (child, alleged victim).",
        "Leo Rivera (child, alleged victim) is a relative of Ana Rivera (mother) (ward).",
        "Coach Kim (natural support) has no recorded relationships.",
    ]


def test_text_alternative_names_former_partners():
    people = [person(1, "Ana Rivera", "female", "Mother"), person(2, "Tom Baker", "male")]

    assert describe(layout(people, [link(2, 1, "former_partner")])) == [
        "Tom Baker is a former partner of Ana Rivera (mother)."
    ]
