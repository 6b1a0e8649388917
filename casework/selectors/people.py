"""Reads for people, families and diligent searches, one per screen, each in a fixed
number of queries whatever the size of the family."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from agency import clock
from casework import genogram
from casework.models import Case, CaseMember, DiligentSearchEntry, Person, Relationship
from casework.selectors import visible_cases, visible_people

# Children first, then parents, then everyone else in the order of the role list.
ROLE_ORDER = {role: n for n, role in enumerate(CaseMember.Role.values)}
ROLE_ORDER.update(
    {CaseMember.Role.CHILD: -3, CaseMember.Role.MOTHER: -2, CaseMember.Role.FATHER: -1}
)

# How a relationship reads from the relative's side ("Leo is the child of Ana").
INVERSE = {
    Relationship.Kind.PARENT: "Child of",
    Relationship.Kind.PARTNER: "Partner of",
    Relationship.Kind.FORMER_PARTNER: "Former partner of",
    Relationship.Kind.SIBLING: "Sibling of",
    Relationship.Kind.GRANDPARENT: "Grandchild of",
    Relationship.Kind.RELATIVE: "Other relative of",
}


def age_on(date_of_birth: date | None, day: date) -> int | None:
    """Whole years on `day` (None without a date of birth)."""
    if date_of_birth is None:
        return None
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def person_duplicates(
    *, first_name: str, last_name: str, date_of_birth: date | None
) -> QuerySet[Person]:
    """People anywhere in the agency with the same name (ignoring case and spaces around
    it) and the same date of birth: one human should have one record. Without a date of
    birth there is nothing to compare, so no match."""
    if date_of_birth is None or not first_name.strip() or not last_name.strip():
        return Person.objects.none()
    return Person.objects.filter(
        first_name__iexact=first_name.strip(),
        last_name__iexact=last_name.strip(),
        date_of_birth=date_of_birth,
    ).order_by("pk")


def duplicates_for_user(
    duplicates: QuerySet[Person], user: Any, *, case: Case | None = None
) -> list[dict]:
    """The duplicate warning's rows: each match, whether the user can open it, the
    case numbers they can see it on, and whether it is on `case` already (two queries)."""
    matches = list(
        duplicates.prefetch_related(
            Prefetch(
                "case_memberships",
                queryset=CaseMember.objects.filter(case__in=visible_cases(user))
                .select_related("case")
                .order_by("case__number"),
                to_attr="visible_memberships",
            )
        )
    )
    return [
        {
            "person": person,
            "visible": bool(person.visible_memberships),
            "cases": [m.case.number for m in person.visible_memberships],
            "on_case": case is not None
            and any(m.case_id == case.pk and m.active for m in person.visible_memberships),
        }
        for person in matches
    ]


def case_members(case: Case) -> list[CaseMember]:
    """The case's active members with their person and races, children first, then
    parents, then the others (two queries)."""
    members = list(
        CaseMember.objects.filter(case=case, active=True)
        .select_related("person")
        .prefetch_related("person__races")
    )
    members.sort(
        key=lambda m: (
            ROLE_ORDER.get(m.role, 99),
            m.person.date_of_birth is None,
            m.person.date_of_birth or date.min,
            m.person.last_name,
            m.person.first_name,
            m.pk,
        )
    )
    return members


def case_people_context(case: Case, *, today: date | None = None) -> dict:
    """Everything the case page's people section shows, in three queries: the active
    members (with age), the relationships among them, the genogram and its text."""
    today = today or clock.today()
    members = case_members(case)
    for member in members:
        member.age = age_on(member.person.date_of_birth, today)
    people = {m.person_id: m.person for m in members}
    relationships = list(
        Relationship.objects.filter(person_id__in=people, relative_id__in=people).order_by("pk")
    )
    for relationship in relationships:  # attach the persons already loaded
        relationship.person = people[relationship.person_id]
        relationship.relative = people[relationship.relative_id]
    drawing = genogram.layout(
        [
            genogram.GenoPerson(
                id=m.person_id,
                name=m.person.full_name,
                sex=m.person.sex,
                role=m.get_role_display(),
                alleged_victim=m.alleged_victim,
            )
            for m in members
        ],
        [
            genogram.GenoLink(person=r.person_id, relative=r.relative_id, kind=r.kind, note=r.note)
            for r in relationships
        ],
    )
    return {
        "members": members,
        "relationships": relationships,
        "genogram_svg": genogram.render_svg(
            drawing, title=f"Genogram of {case.name}", id_prefix=f"genogram-{case.pk}"
        ),
        "genogram_text": genogram.describe(drawing),
    }


def people_list(user: Any, *, case_id: Any = None, query: str = "") -> QuerySet[Person]:
    """People the user may see, optionally only those on one (visible) case and whose
    names contain every word of `query`; races and visible memberships prefetched."""
    people = visible_people(user)
    if case_id not in (None, ""):
        try:
            case_id = int(case_id)
        except (TypeError, ValueError):
            return Person.objects.none()
        people = people.filter(
            Exists(
                CaseMember.objects.filter(
                    person=OuterRef("pk"),
                    case_id=case_id,
                    case__in=visible_cases(user).values("pk"),
                )
            )
        )
    for word in query.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return people.order_by("last_name", "first_name", "pk").prefetch_related(
        "races",
        Prefetch(
            "case_memberships",
            queryset=CaseMember.objects.filter(case__in=visible_cases(user).values("pk"))
            .select_related("case")
            .order_by("case__number"),
            to_attr="visible_memberships",
        ),
    )


def person_relationships(person: Person, user: Any) -> list[dict]:
    """The person's relationships with people the user may also see, each read from
    the person's side: {"label": "Parent of", "other": Person, "relationship": ...}."""
    seen = visible_people(user).values("pk")
    rows = (
        Relationship.objects.filter(
            Q(person=person, relative__in=seen) | Q(relative=person, person__in=seen)
        )
        .select_related("person", "relative")
        .order_by("pk")
    )
    result = []
    for relationship in rows:
        if relationship.person_id == person.pk:
            label, other = relationship.get_kind_display(), relationship.relative
        else:
            label, other = INVERSE[relationship.kind], relationship.person
        result.append({"label": label, "other": other, "relationship": relationship})
    return result


def diligent_searches(person: Person) -> QuerySet[DiligentSearchEntry]:
    return person.diligent_searches.select_related("recorded_by").order_by("-searched_on", "-pk")


def person_history(person: Person, *, limit: int = 50) -> list[dict]:
    """The latest changes to the record, newest first, each saying which fields
    changed: {"record": historical row, "what": "Changed: Preferred language"}."""
    rows = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    labels = {f.attname: f.verbose_name for f in Person._meta.concrete_fields}
    changes = []
    for record, older in zip(rows[:limit], [*rows[1:], None], strict=False):
        if record.history_type == "+":
            what = "Created"
        elif record.history_type == "-":
            what = "Deleted"
        elif older is None:
            what = "Changed"
        else:
            fields = [labels.get(c.field, c.field) for c in record.diff_against(older).changes]
            what = f"Changed: {', '.join(fields).capitalize()}" if fields else "Saved, no change"
        changes.append({"record": record, "what": what})
    return changes


def person_page(person: Person, user: Any, *, today: date | None = None) -> dict:
    """The person page: who they are, their memberships on cases the user may see,
    relationships, diligent searches and the last 50 changes (six queries)."""
    today = today or clock.today()
    memberships = list(
        CaseMember.objects.filter(person=person, case__in=visible_cases(user).values("pk"))
        .select_related("case", "case__unit", "case__primary_worker")
        .order_by("-active", "case__number")
    )
    return {
        "person": person,
        "age": age_on(person.date_of_birth, today),
        "races": list(person.races.all()),
        "memberships": memberships,
        "relationships": person_relationships(person, user),
        "diligent_searches": list(diligent_searches(person)),
        "history": person_history(person),
    }
