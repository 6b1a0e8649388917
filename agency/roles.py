"""Hearth's roles: one Django group each, with the model permissions the role needs.

The groups are created by a data migration (agency/migrations/0002_roles.py) and kept in
step with ROLE_PERMISSIONS by `manage.py sync_roles`; later apps add their permissions
here and call `sync_role_groups` from a data migration of their own.
"""

from django.contrib.auth.management import create_permissions
from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    SUPERVISOR = "supervisor", "Supervisor"
    AREA_ADMINISTRATOR = "area_administrator", "Area Administrator"
    OMBUDSMAN_STAFF = "ombudsman_staff", "Ombudsman Staff"
    OMBUDSMAN_LEAD = "ombudsman_lead", "Ombudsman Lead"
    ORE_ANALYST = "ore_analyst", "ORE Analyst"
    PERFORMANCE_MANAGEMENT = "performance_management", "Performance Management"
    QUALITY_REVIEWER = "quality_reviewer", "Quality Reviewer"
    COMMISSIONERS_OFFICE = "commissioners_office", "Commissioner's Office"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System Administrator"

    @property
    def group_name(self) -> str:
        return self.label


# Roles whose work spans the whole agency rather than one office or unit.
STATEWIDE_ROLES = frozenset(
    {
        Role.QUALITY_REVIEWER,
        Role.COMMISSIONERS_OFFICE,
        Role.SYSTEM_ADMINISTRATOR,
        Role.PERFORMANCE_MANAGEMENT,
        Role.ORE_ANALYST,
    }
)

_READ_ORGANISATION = [
    "agency.view_region",
    "agency.view_worklocation",
    "agency.view_unit",
    "agency.view_staffprofile",
    "agency.view_closureday",
]
_MANAGE_ORGANISATION = [
    f"agency.{action}_{model}"
    for model in ("region", "worklocation", "unit", "staffprofile", "closureday")
    for action in ("add", "change", "delete", "view")
]

# Casework records: workers write them, supervisors also approve; object access comes
# from the gatekeeper (the unit hierarchy and grants), never from these alone.
_CASEWORK_MODELS = (
    "intake", "allegation", "iffcontact", "iffextension", "iffattempt", "case", "casemember",
    "person", "relationship", "diligentsearchentry", "visit", "visitparticipant",
    "assessment", "placement", "permanencydecision",
    "caseplan", "plangoal", "planstep", "planservice",
    "supervisoryreview", "nextstep", "supervisionnote", "familymeeting", "meetingparticipant",
    "courthearing", "courtpetition", "casedocument", "casetransfer",
)  # fmt: skip
_PROVIDER_DIRECTORY = ["casework.view_provider", "casework.view_providerservice"]
_READ_CASEWORK = [
    *(f"casework.view_{model}" for model in _CASEWORK_MODELS),
    *_PROVIDER_DIRECTORY,
]
_WRITE_CASEWORK = [
    *(
        f"casework.{action}_{model}"
        for model in _CASEWORK_MODELS
        for action in ("add", "change", "view")
    ),
    *_PROVIDER_DIRECTORY,
]
# The provider directory is kept by system administrators in Django admin.
_MANAGE_PROVIDERS = [
    f"casework.{action}_{model}"
    for model in ("provider", "providerservice")
    for action in ("add", "change", "delete", "view")
]

# Ombudsman records: only the Ombudsman's office works on them; the lead also assigns
# and reports. Who sees which inquiry is decided by ombudsman.selectors.
_OMBUDSMAN_MODELS = ("inquiry", "inquiryevent", "consultation", "inquiryattachment")
_WORK_OMBUDSMAN = [
    f"ombudsman.{action}_{model}"
    for model in _OMBUDSMAN_MODELS
    for action in ("add", "change", "view")
]

# Quality records. Anyone in the field records a significant event; quality staff review
# cases and hold Administrative Case Reviews; who sees which record is decided by
# quality.selectors.
_REPORT_EVENTS = ["quality.add_significantevent", "quality.view_significantevent"]
_QUALITY_MODELS = (
    "significantevent", "reviewsample", "casereview", "itemrating", "administrativecasereview",
)  # fmt: skip
_WORK_QUALITY = [
    *(
        f"quality.{action}_{model}"
        for model in _QUALITY_MODELS
        for action in ("add", "change", "view")
    ),
    "quality.view_reviewinstrument",
    "quality.view_reviewoutcome",
    "quality.view_reviewitem",
]
_READ_QUALITY = [f"quality.view_{model}" for model in _QUALITY_MODELS]
# Special Qualitative Reviews: quality staff and the Commissioner's office open them; only
# the Commissioner's office grants access. Nobody holds the model-wide view permission:
# each review is reached through a grant on that review alone (quality.selectors.sqr).
_OPEN_SQR = ["quality.add_specialqualitativereview"]
_MANAGE_QUALITY = [
    f"quality.{action}_{model}"
    for model in (
        "reviewinstrument",
        "reviewoutcome",
        "reviewitem",
        "eventnotificationrule",
        "childpopulation",
    )
    for action in ("add", "change", "delete", "view")
] + ["quality.view_qualityrules", "quality.change_qualityrules"]

# ORE data requests: any member of staff submits one and follows their own; ORE works
# them all (quality.selectors.data_requests decides who sees which).
_REQUEST_DATA = ["quality.add_datarequest", "quality.view_datarequest"]
_ORE_MODELS = ("datarequest", "projectscope", "datarequestfile", "datarequestevent")
_WORK_ORE = [
    *(f"quality.{action}_{model}" for model in _ORE_MODELS for action in ("add", "change", "view")),
    "quality.work_datarequest",
]

# COOP plans: every member of staff reads their location's plan; its senior administrator
# keeps it (object-level: coop.selectors); OPM keeps the registry and reviews submissions.
_READ_COOP = ["coop.view_coopplan"]
_KEEP_COOP_PLAN = [
    "coop.view_coopplan",
    "coop.change_coopplan",
    "coop.view_quarterlyduties",
    "coop.change_quarterlyduties",
    "coop.view_plandocument",
    "coop.add_plandocument",
]
_COOP_MODELS = (
    "coopplan", "keystaff", "emergencyprocedure", "notificationcriterion", "plandocument",
    "quarterlyduties",
)  # fmt: skip
_MANAGE_COOP = [
    *(
        f"coop.{action}_{model}"
        for model in _COOP_MODELS
        for action in ("add", "change", "delete", "view")
    ),
    "coop.review_quarterlyduties",
    "coop.view_cooprules",
    "coop.change_cooprules",
]

_EVERYONE = [*_READ_ORGANISATION, *_REQUEST_DATA, *_READ_COOP]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CASEWORKER: [*_EVERYONE, *_WRITE_CASEWORK, *_REPORT_EVENTS],
    Role.SUPERVISOR: [
        *_EVERYONE,
        *_WRITE_CASEWORK,
        "casework.approve_casework",
        *_REPORT_EVENTS,
    ],
    Role.AREA_ADMINISTRATOR: [
        *_EVERYONE,
        *_READ_CASEWORK,
        *_REPORT_EVENTS,
        *_KEEP_COOP_PLAN,
    ],
    Role.OMBUDSMAN_STAFF: [*_EVERYONE, *_WORK_OMBUDSMAN],
    Role.OMBUDSMAN_LEAD: [*_EVERYONE, *_WORK_OMBUDSMAN, "ombudsman.lead_ombudsman"],
    Role.ORE_ANALYST: [*_EVERYONE, *_WORK_ORE],
    Role.PERFORMANCE_MANAGEMENT: [*_EVERYONE, *_MANAGE_COOP],
    Role.QUALITY_REVIEWER: [*_EVERYONE, *_READ_CASEWORK, *_WORK_QUALITY, *_OPEN_SQR],
    Role.COMMISSIONERS_OFFICE: [
        *_EVERYONE,
        *_READ_CASEWORK,
        "ombudsman.view_inquiry",
        *_READ_QUALITY,
        "quality.add_significantevent",
        *_OPEN_SQR,
        "quality.grant_specialqualitativereview",
    ],
    Role.SYSTEM_ADMINISTRATOR: [
        *_MANAGE_ORGANISATION,
        "auth.view_user",
        "auth.change_user",
        "auth.add_user",
        "auth.view_group",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "casework.view_exceptionalcircumstance",
        "casework.add_exceptionalcircumstance",
        "casework.change_exceptionalcircumstance",
        *_MANAGE_PROVIDERS,
        "ombudsman.view_ombudsmanrules",
        "ombudsman.change_ombudsmanrules",
        *_MANAGE_QUALITY,
        *_MANAGE_COOP,
    ],
}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create every role's group and give it exactly the permissions listed above.

    Runs inside migrations (with historical `apps`) and from `manage.py sync_roles`.
    Permissions are normally created after migrations; creating them first lets a data
    migration assign permissions of models that were created in the same run.
    """
    for app_config in apps.get_app_configs():
        stub = getattr(app_config, "models_module", None) is None  # historical apps (migrations)
        if stub:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.group_name)
        wanted = set()
        for name in names:
            app_label, codename = name.split(".")
            wanted |= set(
                Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).values_list("pk", flat=True)
            )
        group.permissions.set(wanted)
