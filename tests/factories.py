"""Builders shared by every app's tests. Plain functions: each makes what it names."""

import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agency import services
from agency.models import Region, Unit, WorkLocation
from agency.roles import Role

User = get_user_model()
_n = itertools.count(1)


def make_region(**fields) -> Region:
    n = next(_n)
    return Region.objects.create(**{"code": f"R{n}", "name": f"Region {n}", **fields})


def make_location(region: Region | None = None, **fields) -> WorkLocation:
    n = next(_n)
    kind = fields.pop("kind", WorkLocation.Kind.AREA_OFFICE)
    if region is None and kind != WorkLocation.Kind.CENTRAL_OFFICE:
        region = make_region()
    return WorkLocation.objects.create(
        **{
            "name": f"Office {n}",
            "kind": kind,
            "region": region,
            "street": f"{n} Main Street",
            "city": "Hartford",
            "postal_code": "06106",
            **fields,
        }
    )


def make_unit(location: WorkLocation | None = None, **fields) -> Unit:
    return Unit.objects.create(
        **{"name": f"Unit {next(_n)}", "work_location": location or make_location(), **fields}
    )


def make_user(
    role: Role | None = None,
    *,
    unit: Unit | None = None,
    location: WorkLocation | None = None,
    username: str | None = None,
    **fields,
):
    """A user; with a role, also their staff profile and role group."""
    n = next(_n)
    user = User.objects.create_user(
        username=username or f"user{n}",
        email=fields.pop("email", f"user{n}@hearth.example"),
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", f"Person{n}"),
        **fields,
    )
    if role is not None:
        if location is None:
            location = unit.work_location if unit else make_location()
        services.staff_profile_save(user=user, role=role, work_location=location, unit=unit)
    return user


@dataclass
class Personas:
    """The people every permission test tries (healthchecks' alice, bob and charlie)."""

    region: Region
    office: WorkLocation
    other_office: WorkLocation
    central: WorkLocation
    unit: Unit
    other_unit: Unit
    caseworker: User  # in `unit`
    other_caseworker: User  # in `other_unit`, another office
    supervisor: User  # supervises `unit`
    ombudsman: User
    outsider: User  # logged in, no role


def make_personas() -> Personas:
    region = make_region()
    office = make_location(region, name="Hartford Area Office")
    other_office = make_location(make_region(), name="New Haven Area Office")
    central = make_location(None, kind=WorkLocation.Kind.CENTRAL_OFFICE, name="Central Office")
    unit = make_unit(office, name="Intake Unit 1")
    other_unit = make_unit(other_office, name="Intake Unit 1")
    supervisor = make_user(Role.SUPERVISOR, unit=unit, username="supervisor")
    unit.supervisor = supervisor
    unit.save(update_fields=["supervisor"])
    return Personas(
        region=region,
        office=office,
        other_office=other_office,
        central=central,
        unit=unit,
        other_unit=other_unit,
        caseworker=make_user(Role.CASEWORKER, unit=unit, username="caseworker"),
        other_caseworker=make_user(Role.CASEWORKER, unit=other_unit, username="other_caseworker"),
        supervisor=supervisor,
        ombudsman=make_user(Role.OMBUDSMAN_STAFF, location=central, username="ombudsman"),
        outsider=make_user(None, username="outsider"),
    )
