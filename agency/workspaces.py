"""Where each role works. The navigation, the home page and the access checks of the
workspace pages all read this one table, so they cannot disagree."""

from dataclasses import dataclass

from agency.roles import Role


@dataclass(frozen=True)
class Workspace:
    key: str
    label: str
    url_name: str
    roles: frozenset[Role]
    summary: str


WORKSPACES: tuple[Workspace, ...] = (
    Workspace(
        "casework",
        "Caseload",
        "casework:caseload",
        frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.AREA_ADMINISTRATOR}),
        "Your cases and what is due on each: initial face-to-face contacts, monthly visits, "
        "assessments and case-plan reviews.",
    ),
    Workspace(
        "dashboard",
        "Key indicators",
        "quality:dashboard",
        frozenset(
            {
                Role.SUPERVISOR,
                Role.AREA_ADMINISTRATOR,
                Role.QUALITY_REVIEWER,
                Role.COMMISSIONERS_OFFICE,
            }
        ),
        "Monthly visits, IFF timeliness, assessments, plans and permanency, by unit, office, "
        "region and state, with drill-down to the child.",
    ),
    Workspace(
        "reviews",
        "Case reviews",
        "quality:reviews",
        frozenset({Role.QUALITY_REVIEWER, Role.COMMISSIONERS_OFFICE}),
        "CFSR-style case reviews, significant events and Special Qualitative Reviews.",
    ),
    Workspace(
        "data_requests",
        "ORE data requests",
        "quality:data_requests",
        frozenset({Role.ORE_ANALYST}),
        "Requests to the Office for Research and Evaluation, from receipt to delivery.",
    ),
    Workspace(
        "ombudsman",
        "Inquiries",
        "ombudsman:queue",
        # The Commissioner's office reads the correspondence answered on its behalf.
        frozenset({Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD, Role.COMMISSIONERS_OFFICE}),
        "The Ombudsman's inquiry queue, with a two-business-day clock on every inquiry.",
    ),
    Workspace(
        "coop",
        "COOP plans",
        "coop:registry",
        frozenset(
            {Role.PERFORMANCE_MANAGEMENT, Role.AREA_ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR}
        ),
        "Continuity of Operations Plans for every work location and their quarterly duties.",
    ),
)

BY_KEY = {workspace.key: workspace for workspace in WORKSPACES}

# The page each role lands on after logging in.
HOME: dict[Role, str] = {
    Role.CASEWORKER: "casework",
    Role.SUPERVISOR: "casework",
    Role.AREA_ADMINISTRATOR: "dashboard",
    Role.OMBUDSMAN_STAFF: "ombudsman",
    Role.OMBUDSMAN_LEAD: "ombudsman",
    Role.ORE_ANALYST: "data_requests",
    Role.PERFORMANCE_MANAGEMENT: "coop",
    Role.QUALITY_REVIEWER: "reviews",
    Role.COMMISSIONERS_OFFICE: "dashboard",
}
