"""Load synthetic demo data: an agency shaped like Connecticut's.

Deterministic for a given --seed. Bulk inserts throughout, so `--scale state` stays fast
as later apps add families and records on top of the organisation built here.
"""

import argparse
import random
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agency import clock
from agency.demo import DEMO_LOGINS, DEMO_PASSWORD
from agency.models import ClosureDay, Notification, Region, StaffProfile, Unit, WorkLocation
from agency.roles import Role
from casework import demo as casework_demo
from casework import demo_files as casework_files_demo
from casework import demo_meetings as casework_meetings_demo
from casework import demo_supervision as casework_supervision_demo
from coop import demo as coop_demo
from ombudsman import demo as ombudsman_demo
from quality import demo_data_requests as quality_data_requests_demo
from quality import demo_equity as quality_demo_equity
from quality import demo_events as quality_events_demo
from quality import demo_reviews as quality_demo_reviews
from quality import demo_sqr as quality_sqr_demo
from quality import facts as quality_facts

User = get_user_model()

# Six regions and fourteen area offices, as in Connecticut; street addresses are made up.
REGIONS = {
    "R1": ("Region 1: Southwest", ["Bridgeport", "Norwalk"]),
    "R2": ("Region 2: South Central", ["New Haven", "Milford"]),
    "R3": ("Region 3: Eastern", ["Middletown", "Norwich", "Willimantic"]),
    "R4": ("Region 4: North Central", ["Hartford", "Manchester"]),
    "R5": ("Region 5: Western", ["Danbury", "Torrington", "Waterbury"]),
    "R6": ("Region 6: Central", ["Meriden", "New Britain"]),
}
FACILITIES = [
    ("Solnit Children's Center, South Campus", "R3", "Middletown"),
    ("Solnit Children's Center, North Campus", "R4", "East Windsor"),
    ("Wilderness School", "R4", "East Hartford"),
]
POSTAL = {
    "Bridgeport": "06604", "Norwalk": "06850", "New Haven": "06511", "Milford": "06460",
    "Middletown": "06457", "Norwich": "06360", "Willimantic": "06226", "Hartford": "06106",
    "Manchester": "06040", "Danbury": "06810", "Torrington": "06790", "Waterbury": "06702",
    "Meriden": "06450", "New Britain": "06051", "East Windsor": "06088",
    "East Hartford": "06108",
}  # fmt: skip
STREETS = [
    "Main Street", "State Street", "Church Street", "Elm Street", "Bank Street",
    "Washington Avenue", "Park Road", "Asylum Avenue", "Hudson Street",
]  # fmt: skip
FIRST = (
    "Alex Amara Ana Ben Carmen Chris Dee Eli Fatima Gabe Grace Hector Ines Jamal Jess Kim "
    "Lena Luis Maya Nia Omar Priya Quinn Rosa Sean Tara Uma Victor Wen Yusuf"
).split()
LAST = (
    "Adams Baptiste Castillo Doyle Evans Fernandez Garcia Hughes Ibrahim Jensen Kaur Lopez "
    "Murphy Nowak Ortiz Perez Quinlan Reyes Silva Thompson Usman Vargas Walsh Xu Young Zhang"
).split()


@dataclass(frozen=True)
class Scale:
    intake_units: int
    ongoing_units: int
    caseworkers_per_unit: int


SCALES = {
    "demo": Scale(intake_units=2, ongoing_units=2, caseworkers_per_unit=5),
    "state": Scale(intake_units=4, ongoing_units=6, caseworkers_per_unit=7),
}

CENTRAL_OFFICE_STAFF = [
    (Role.OMBUDSMAN_STAFF, "Ombudsman Program Specialist", 4),
    (Role.OMBUDSMAN_LEAD, "Ombudsman", 0),
    (Role.ORE_ANALYST, "Research Analyst", 3),
    (Role.PERFORMANCE_MANAGEMENT, "Performance Management Analyst", 2),
    (Role.QUALITY_REVIEWER, "Quality Improvement Reviewer", 4),
    (Role.COMMISSIONERS_OFFICE, "Executive Assistant to the Commissioner", 1),
]


class Command(BaseCommand):
    help = "Load synthetic demo data (organisation, staff and demo logins)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has data."
        )
        parser.add_argument(
            "--families",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Also build synthetic families and their records, and Ombudsman inquiries "
            "(default: yes).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow seeding with DEBUG off (never in production).",
        )

    def handle(self, *args, seed, scale, if_empty, families, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off (demo passwords are public)."
            )
        if Region.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; no demo data loaded.")
                return
            raise CommandError(
                "The database already has data. Use a fresh database, or --if-empty."
            )
        rng = random.Random(seed)
        with transaction.atomic():
            Builder(rng, SCALES[scale]).build()
            built = casework_demo.build(rng, scale) if families else None
            supervision = casework_supervision_demo.seed_supervision(rng) if families else None
            meetings = casework_meetings_demo.seed_meetings(rng) if families else None
            files = casework_files_demo.seed_files(rng) if families else None
            inquiries = ombudsman_demo.build(rng, scale) if families else None
            events = quality_events_demo.seed_events(rng) if families else None
            sqrs = quality_sqr_demo.seed_sqr(rng) if families else None
            reviews = quality_demo_reviews.seed_reviews(rng) if families else None
            if families:
                quality_demo_equity.seed_exits_and_findings(rng)
            quality_demo_equity.seed_child_population(rng)
            coop = coop_demo.seed_coop(rng)
            data_requests = quality_data_requests_demo.seed_data_requests(rng)
        if families:
            # The dashboards read facts Celery keeps current; compute them once now.
            refresh = quality_facts.facts_refresh_window()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded (seed {seed}, scale {scale})."))
        if built:
            self.stdout.write(
                "Casework: {cases:,} cases, {people:,} people, {intakes:,} intakes, "
                "{visits:,} visits.".format(**built)
            )
        if built:
            self.stdout.write(
                f"Key indicators: {refresh.member_months:,} member-months, "
                f"{refresh.tallies:,} tallies."
            )
        if supervision:
            self.stdout.write(
                "Supervision: {reviews:,} supervisory reviews, {open_steps:,} next steps "
                "open, {notes} unit supervision notes.".format(**supervision)
            )
        if meetings:
            self.stdout.write(
                "Family meetings and court: {meetings:,} meetings, {petitions:,} petitions, "
                "{hearings:,} hearings.".format(**meetings)
            )
        if files:
            self.stdout.write(
                "Documents, transfers and providers: {documents} documents, {transfers} "
                "transfers, {providers} providers with {services} services.".format(**files)
            )
        if inquiries:
            self.stdout.write(
                "Ombudsman: {inquiries:,} inquiries ({open:,} open, {overdue:,} overdue), "
                "{consultations:,} consultations.".format(**inquiries)
            )
        if events:
            self.stdout.write(
                "Significant events: {events} events, {rules} notification rules.".format(**events)
            )
        if sqrs:
            self.stdout.write(
                "Special Qualitative Reviews: {reviews} ({final} final), "
                "{findings} findings.".format(**sqrs)
            )
        if reviews:
            self.stdout.write(
                "Case reviews: {samples} samples, {reviews} reviews ({completed} completed); "
                "{acrs} Administrative Case Reviews.".format(**reviews)
            )
        if coop:
            self.stdout.write(
                "COOP plans: {plans} plans ({without} locations without one), "
                "{duties} quarters of duties.".format(**coop)
            )
        if data_requests:
            self.stdout.write(
                "ORE data requests: {requests} ({open} open, {delivered} delivered).".format(
                    **data_requests
                )
            )
        self.stdout.write(f"Demo logins, all with the password {DEMO_PASSWORD!r}:")
        for login in DEMO_LOGINS:
            note = f" ({login.note})" if login.note else ""
            self.stdout.write(f"  {login.username:<15} {login.role.label}{note}")


class Builder:
    def __init__(self, rng: random.Random, scale: Scale):
        self.rng = rng
        self.scale = scale
        self.demo_hash = make_password(DEMO_PASSWORD)
        self.unusable = make_password(None)
        self.users: list = []
        self.profiles: list[tuple] = []  # (username, role, location, unit_key, title)
        self.counter = 0

    def build(self) -> None:
        regions = Region.objects.bulk_create(
            Region(code=code, name=name) for code, (name, _) in REGIONS.items()
        )
        by_code = {region.code: region for region in regions}
        locations = [
            self.location(f"{city} Area Office", WorkLocation.Kind.AREA_OFFICE, by_code[code], city)
            for code, (_, cities) in REGIONS.items()
            for city in cities
        ]
        locations += [
            self.location(name, WorkLocation.Kind.FACILITY, by_code[code], city)
            for name, code, city in FACILITIES
        ]
        central = self.location(
            "Central Office", WorkLocation.Kind.CENTRAL_OFFICE, None, "Hartford"
        )
        locations.append(central)
        locations = WorkLocation.objects.bulk_create(locations)
        offices = [loc for loc in locations if loc.kind == WorkLocation.Kind.AREA_OFFICE]

        units = []
        for office in offices:
            names = [f"Intake Unit {n}" for n in range(1, self.scale.intake_units + 1)]
            names += [f"Ongoing Services Unit {n}" for n in range(1, self.scale.ongoing_units + 1)]
            units += [Unit(name=name, work_location=office) for name in names]
        units = Unit.objects.bulk_create(units)

        demo = {login.username: login for login in DEMO_LOGINS}
        hartford = next(o for o in offices if o.name == "Hartford Area Office")
        new_haven = next(o for o in offices if o.name == "New Haven Area Office")
        for office in offices:
            username = "areaadmin" if office == hartford else None
            self.person(Role.AREA_ADMINISTRATOR, "Area Director", office, None, username)
        for unit in units:
            first_unit = unit.name == "Intake Unit 1"
            sup = "supervisor" if first_unit and unit.work_location == hartford else None
            unit.supervisor_username = self.person(
                Role.SUPERVISOR, "Social Work Supervisor", unit.work_location, unit, sup
            )
            for n in range(self.scale.caseworkers_per_unit):
                name = None
                if first_unit and n == 0 and unit.work_location == hartford:
                    name = "caseworker"
                elif first_unit and n == 0 and unit.work_location == new_haven:
                    name = "caseworker2"
                self.person(Role.CASEWORKER, "Social Worker", unit.work_location, unit, name)
        for role, title, count in CENTRAL_OFFICE_STAFF:
            named = next((u for u, login in demo.items() if login.role == role), None)
            self.person(role, title, central, None, named)
            for _ in range(count):
                self.person(role, title, central, None, None)
        self.person(Role.SYSTEM_ADMINISTRATOR, "Systems Administrator", central, None, "sysadmin")

        created = {user.username: user for user in User.objects.bulk_create(self.users)}
        StaffProfile.objects.bulk_create(
            StaffProfile(
                user=created[username],
                role=role,
                job_title=title,
                work_location=location,
                unit=unit,
            )
            for username, role, location, unit, title in self.profiles
        )
        for unit in units:
            unit.supervisor = created[unit.supervisor_username]
        Unit.objects.bulk_update(units, ["supervisor"])
        groups = {group.name: group for group in Group.objects.all()}
        User.groups.through.objects.bulk_create(
            User.groups.through(
                user_id=created[username].pk, group_id=groups[Role(role).group_name].pk
            )
            for username, role, *_ in self.profiles
        )
        self.extras(created)

    def location(self, name, kind, region, city) -> WorkLocation:
        return WorkLocation(
            name=name,
            kind=kind,
            region=region,
            street=f"{self.rng.randint(10, 999)} {self.rng.choice(STREETS)}",
            city=city,
            postal_code=POSTAL[city],
            phone=f"860-555-{self.rng.randint(1000, 9999)}",
        )

    def person(self, role, title, location, unit, username) -> str:
        login = next((d for d in DEMO_LOGINS if d.username == username), None)
        if login:
            first, last = login.first_name, login.last_name
        else:
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            self.counter += 1
            username = f"{first[0]}{last}{self.counter}".lower()
        self.users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@hearth.example",
                password=self.demo_hash if login else self.unusable,
                is_staff=role == Role.SYSTEM_ADMINISTRATOR,
            )
        )
        self.profiles.append((username, role, location, unit, title))
        return username

    def extras(self, users: dict) -> None:
        """A sample closure day and a welcome notice in each demo inbox."""
        ClosureDay.objects.create(date=date(2027, 2, 16), reason="Winter storm (demo closure)")
        now = clock.now()
        Notification.objects.bulk_create(
            Notification(
                recipient=users[login.username],
                kind="welcome",
                subject="Welcome to Hearth",
                body=f"You are signed in as {login.role.label}. Reminders about your deadlines "
                "will arrive here and by email.",
                link="/calendar/",
                created_at=now,
                emailed_at=now,
            )
            for login in DEMO_LOGINS
        )
