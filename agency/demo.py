"""The demo accounts `manage.py seed` creates (development only; never with DEBUG off)."""

from dataclasses import dataclass

from agency.roles import Role

DEMO_PASSWORD = "hearth-demo"  # noqa: S105 - public by design, development only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    first_name: str
    last_name: str
    note: str = ""


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("caseworker", Role.CASEWORKER, "Casey", "Rivera", "Hartford, Intake Unit 1"),
    DemoLogin("caseworker2", Role.CASEWORKER, "Jordan", "Okafor", "New Haven, Intake Unit 1"),
    DemoLogin("supervisor", Role.SUPERVISOR, "Morgan", "Lee", "supervises Casey's unit"),
    DemoLogin("areaadmin", Role.AREA_ADMINISTRATOR, "Avery", "Santos", "Hartford office"),
    DemoLogin("ombudsman", Role.OMBUDSMAN_STAFF, "Riley", "Chen"),
    DemoLogin("ombudsmanlead", Role.OMBUDSMAN_LEAD, "Dana", "Whitfield"),
    DemoLogin("ore", Role.ORE_ANALYST, "Sam", "Patel"),
    DemoLogin("opm", Role.PERFORMANCE_MANAGEMENT, "Taylor", "Nguyen"),
    DemoLogin("reviewer", Role.QUALITY_REVIEWER, "Jamie", "Brooks"),
    DemoLogin("commissioner", Role.COMMISSIONERS_OFFICE, "Alex", "Morales"),
    DemoLogin(
        "sysadmin",
        Role.SYSTEM_ADMINISTRATOR,
        "Pat",
        "Kowalski",
        "Django admin; no access to confidential records",
    ),
)
