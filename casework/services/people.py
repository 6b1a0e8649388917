"""Writes for people, their place on cases, relationships and diligent searches.

Callers pass objects they have already authorised (views and the API go through
`access_case` / `access_person` first). Every rule raises a ValidationError keyed by
field before anything is saved.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agency import clock
from agency.concurrency import lock_for_edit
from casework.audit import with_actor
from casework.models import Case, CaseMember, DiligentSearchEntry, Person, Race, Relationship
from casework.selectors.people import person_duplicates

# The code of the error person_add_to_case raises for a possible duplicate: forms and
# the API recognise it and offer "use the existing person" or "create anyway".
DUPLICATE_PERSON = "duplicate_person"

PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "date_of_birth_estimated",
    "sex",
    "races",
    "ethnicity",
    "preferred_language",
    "interpreter_needed",
    "communication_needs",
    "tribal_affiliation",
    "whereabouts_unknown",
    "incarcerated",
    "facility",
    "facility_contact",
)
_TEXT_FIELDS = {
    "first_name",
    "middle_name",
    "last_name",
    "preferred_language",
    "communication_needs",
    "tribal_affiliation",
    "facility",
    "facility_contact",
}
# Answers given instead of a race: they cannot be combined with a race.
_NOT_A_RACE = {"declined", "unknown"}


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def person_check(person: Person, races: Iterable[Race] | None = None) -> None:
    """The rules of a person's record (also used by the admin form). `person` holds
    the new values, unsaved."""
    errors: dict[str, str] = {}
    if not person.first_name:
        errors["first_name"] = "Enter the first name (or a placeholder such as Unknown)."
    if not person.last_name:
        errors["last_name"] = "Enter the last name (or a placeholder such as Unknown)."
    if person.date_of_birth and person.date_of_birth > clock.today():
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    if person.sex not in Person.Sex.values:
        errors["sex"] = f"Choose one of: {', '.join(map(str, Person.Sex.labels))}."
    if person.ethnicity not in Person.Ethnicity.values:
        errors["ethnicity"] = f"Choose one of: {', '.join(map(str, Person.Ethnicity.labels))}."
    if not person.preferred_language:
        errors["preferred_language"] = "Enter the preferred language (e.g. English, Spanish, ASL)."
    if person.incarcerated and not person.facility:
        errors["facility"] = "Name the facility where the person is incarcerated."
    if person.incarcerated and person.whereabouts_unknown:
        errors["whereabouts_unknown"] = (
            "A person known to be incarcerated is not whereabouts unknown: record the facility."
        )
    if races is not None:
        codes = {race.code for race in races}
        if codes & _NOT_A_RACE and len(codes) > 1:
            errors["races"] = '"Declined to answer" and "Unknown" cannot be combined with a race.'
    for name in _TEXT_FIELDS:
        limit = getattr(Person._meta.get_field(name), "max_length", None)
        if limit and len(getattr(person, name)) > limit:
            errors[name] = f"Use at most {limit} characters."
    if errors:
        raise ValidationError(errors)


def _apply_person_fields(person: Person, fields: dict[str, Any]) -> list[Race] | None:
    """Copy `fields` onto the unsaved `person` (text stripped); returns the races."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if name == "races":
            continue
        if name in _TEXT_FIELDS:
            value = (value or "").strip()
        setattr(person, name, value)
    races = fields.get("races")
    return list(races) if races is not None else None


def _member_check(*, role: str, alleged_victim: bool, natural_support_kind: str) -> dict[str, str]:
    errors = {}
    if role not in CaseMember.Role.values:
        errors["role"] = "Choose the person's role on the case."
    elif alleged_victim and role != CaseMember.Role.CHILD:
        errors["alleged_victim"] = "Only a child can be an alleged victim."
    if len(natural_support_kind) > 100:
        errors["natural_support_kind"] = "Use at most 100 characters."
    return errors


def _member_values(member: CaseMember, *, role, alleged_victim, custodial, in_household, kind):
    member.role = role
    member.alleged_victim = alleged_victim
    # Custody only means something for a parent; a natural support's kind only for one.
    member.custodial = custodial if role in CaseMember.PARENT_ROLES else True
    member.in_household = in_household
    member.natural_support_kind = kind if role == CaseMember.Role.NATURAL_SUPPORT else ""


@transaction.atomic
def person_add_to_case(
    *,
    case: Case,
    actor: Any,
    role: str,
    person: Person | None = None,
    alleged_victim: bool = False,
    custodial: bool = True,
    in_household: bool = True,
    natural_support_kind: str = "",
    confirm_new_despite_duplicates: bool = False,
    **person_fields: Any,
) -> CaseMember:
    """Put a person on a case: an existing `person`, or (person=None) a new one made
    from `person_fields`. A new person with the name and date of birth of someone
    already recorded is refused (code DUPLICATE_PERSON) unless the caller confirms it
    is somebody else. A person removed from the case earlier comes back."""
    natural_support_kind = (natural_support_kind or "").strip()
    errors = _member_check(
        role=role, alleged_victim=alleged_victim, natural_support_kind=natural_support_kind
    )
    if case.status != Case.Status.OPEN:
        errors["__all__"] = f"Case {case.number} is closed: people cannot be added."
    races = None
    if person is None:
        person = Person()
        races = _apply_person_fields(person, person_fields)
        try:
            person_check(person, races)
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}  # type: ignore[dict-item]
        if errors:
            raise ValidationError(errors)
        if not confirm_new_despite_duplicates:
            matches = list(
                person_duplicates(
                    first_name=person.first_name,
                    last_name=person.last_name,
                    date_of_birth=person.date_of_birth,
                )[:10]
            )
            if matches:
                records = "1 record" if len(matches) == 1 else f"{len(matches)} records"
                raise ValidationError(
                    {
                        "__all__": ValidationError(
                            f"A person named {matches[0].full_name} born "
                            f"{_long_date(person.date_of_birth)} already exists "  # type: ignore[arg-type]
                            f"({records}). Add the "
                            "existing person, or confirm that this is someone else to "
                            "create a new record.",
                            code=DUPLICATE_PERSON,
                        )
                    }
                )
        with_actor(person, actor).save()
        if races:
            person.races.set(races)
        member = CaseMember(case=case, person=person)
    else:
        if person_fields:
            raise TypeError("Give either an existing person or new person fields, not both.")
        earlier = CaseMember.objects.filter(case=case, person=person).first()
        if earlier is not None and earlier.active:
            errors["person"] = f"{person.full_name} is already on case {case.number}."
        if errors:
            raise ValidationError(errors)
        member = earlier or CaseMember(case=case, person=person)
        member.active = True
    _member_values(
        member,
        role=role,
        alleged_victim=alleged_victim,
        custodial=custodial,
        in_household=in_household,
        kind=natural_support_kind,
    )
    with_actor(member, actor).save()
    return member


@transaction.atomic
def person_update(
    *, person: Person, actor: Any, edit_token: str | None = None, **fields: Any
) -> Person:
    """Change a person's record; `races` (a list of Race) replaces their races. Only the
    fields given change. Refused when `edit_token` is stale (agency.concurrency). Works
    on (and returns) the row re-read under lock: the caller's object is left as it was."""
    person = lock_for_edit(person, edit_token)
    races = _apply_person_fields(person, fields)
    person_check(person, races)
    changed = [name for name in fields if name != "races"]
    if races is not None and not changed:
        # The history does not follow races: a change of races alone still saves the
        # row, so the person's edit token moves and a stale edit of the races is refused.
        before = set(person.races.values_list("pk", flat=True))
        if before != {race.pk for race in races}:
            changed = ["first_name"]
    if changed:
        with_actor(person, actor).save(update_fields=changed)
    if races is not None:
        person.races.set(races)
    return person


@transaction.atomic
def member_update(
    *,
    member: CaseMember,
    actor: Any,
    role: str,
    alleged_victim: bool,
    custodial: bool,
    in_household: bool,
    natural_support_kind: str,
    edit_token: str | None = None,
) -> CaseMember:
    """Change a person's role on a case and its flags. Refused when `edit_token` is
    stale (agency.concurrency); returns the row re-read under lock."""
    member = lock_for_edit(member, edit_token)
    natural_support_kind = (natural_support_kind or "").strip()
    errors = _member_check(
        role=role, alleged_victim=alleged_victim, natural_support_kind=natural_support_kind
    )
    if not member.active:
        errors["__all__"] = "This person has been removed from the case; add them again instead."
    if errors:
        raise ValidationError(errors)
    _member_values(
        member,
        role=role,
        alleged_victim=alleged_victim,
        custodial=custodial,
        in_household=in_household,
        kind=natural_support_kind,
    )
    with_actor(member, actor).save(
        update_fields=[
            "role",
            "alleged_victim",
            "custodial",
            "in_household",
            "natural_support_kind",
        ]
    )
    return member


@transaction.atomic
def member_deactivate(*, member: CaseMember, actor: Any) -> CaseMember:
    """Take a person off a case. The row stays (visits and history refer to it)."""
    if member.active:
        member.active = False
        with_actor(member, actor).save(update_fields=["active"])
    return member


@transaction.atomic
def relationship_add(
    *, person: Person, relative: Person, kind: str, actor: Any, note: str = ""
) -> Relationship:
    """Record that `person` is `kind` of `relative`. Both must be active on a common
    case (the caller has checked that the actor may see and change it)."""
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if kind not in Relationship.Kind.values:
        errors["kind"] = "Choose how the two people are related."
    if person.pk == relative.pk:
        errors["relative"] = "A person cannot be related to themselves."
    if len(note) > 200:
        errors["note"] = "Use at most 200 characters."
    if errors:
        raise ValidationError(errors)
    common = CaseMember.objects.filter(person=relative, active=True).values("case_id")
    if not CaseMember.objects.filter(person=person, active=True, case_id__in=common).exists():
        raise ValidationError(
            {"relative": f"{person.full_name} and {relative.full_name} are not on a case together."}
        )
    symmetric = kind in (
        Relationship.Kind.PARTNER,
        Relationship.Kind.FORMER_PARTNER,
        Relationship.Kind.SIBLING,
        Relationship.Kind.RELATIVE,
    )
    existing = Relationship.objects.filter(person=person, relative=relative, kind=kind)
    if symmetric:
        existing = existing | Relationship.objects.filter(
            person=relative, relative=person, kind=kind
        )
    if existing.exists():
        raise ValidationError({"kind": "This relationship is already recorded."})
    if kind in (Relationship.Kind.PARENT, Relationship.Kind.GRANDPARENT) and (
        Relationship.objects.filter(
            person=relative,
            relative=person,
            kind__in=[Relationship.Kind.PARENT, Relationship.Kind.GRANDPARENT],
        ).exists()
    ):
        raise ValidationError(
            {"kind": f"{relative.full_name} is already recorded as {person.full_name}'s ancestor."}
        )
    relationship = Relationship(person=person, relative=relative, kind=kind, note=note)
    with_actor(relationship, actor).save()
    return relationship


@transaction.atomic
def relationship_remove(*, relationship: Relationship, actor: Any) -> None:
    """Correct an entry error (Django admin only; the pages and API keep relationships).
    The history table keeps the removed row and who removed it."""
    with_actor(relationship, actor).delete()


@transaction.atomic
def diligent_search_record(
    *,
    person: Person,
    actor: Any,
    searched_on: date,
    method: str,
    result: str,
    found: bool = False,
) -> DiligentSearchEntry:
    """Log one effort to find a person whose whereabouts are unknown. Finding them
    ends the search: the person is no longer whereabouts unknown."""
    method, result = (method or "").strip(), (result or "").strip()
    errors: dict[str, str] = {}
    if not person.whereabouts_unknown:
        errors["__all__"] = (
            f"{person.full_name}'s whereabouts are known: diligent searches are logged only "
            "while a person's whereabouts are unknown."
        )
    if searched_on is None:
        errors["searched_on"] = "Enter the date of the search."
    elif searched_on > clock.today():
        errors["searched_on"] = "The search date cannot be in the future."
    if not method:
        errors["method"] = "Say how you searched (e.g. relative contact, DMV, DOC lookup)."
    elif len(method) > 200:
        errors["method"] = "Use at most 200 characters."
    if not result:
        errors["result"] = "Say what the search found (or that it found nothing)."
    if errors:
        raise ValidationError(errors)
    entry = DiligentSearchEntry(
        person=person,
        searched_on=searched_on,
        method=method,
        result=result,
        found=found,
        recorded_by=actor,
    )
    with_actor(entry, actor).save()
    if found:
        person.whereabouts_unknown = False
        with_actor(person, actor).save(update_fields=["whereabouts_unknown"])
    return entry
