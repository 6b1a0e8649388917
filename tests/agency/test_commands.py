"""manage.py seed, closure_day and sync_roles."""

import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from agency.demo import DEMO_LOGINS, DEMO_PASSWORD
from agency.models import ClosureDay, Notification, Region, StaffProfile, Unit, WorkLocation
from agency.roles import ROLE_PERMISSIONS, Role
from coop.models import CoopPlan, QuarterlyDuties
from quality.models import DataRequest

User = get_user_model()


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def wipe_organisation() -> None:
    """Empty the tables `seed` fills, as a fresh database would have them."""
    DataRequest.objects.all().delete()
    QuarterlyDuties.objects.all().delete()  # before the plan documents they name
    CoopPlan.objects.all().delete()
    Notification.objects.all().delete()
    ClosureDay.objects.all().delete()
    StaffProfile.objects.all().delete()
    Unit.objects.all().delete()
    User.objects.all().delete()
    WorkLocation.objects.all().delete()
    Region.objects.all().delete()


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def debug(settings, fast_hasher):
    settings.DEBUG = True


# --- seed --------------------------------------------------------------------------------


def test_seed_builds_connecticuts_organisation(db, debug):
    output = run("seed", families=False)

    assert "Demo data loaded (seed 1, scale demo)." in output
    assert Region.objects.count() == 6
    assert WorkLocation.objects.filter(kind=WorkLocation.Kind.AREA_OFFICE).count() == 14
    central = WorkLocation.objects.get(kind=WorkLocation.Kind.CENTRAL_OFFICE)
    assert central.name == "Central Office" and central.region is None
    assert WorkLocation.objects.filter(kind=WorkLocation.Kind.FACILITY).count() == 3
    # Demo scale: two intake and two ongoing units per office, each with a supervisor.
    assert Unit.objects.count() == 14 * 4
    assert not Unit.objects.filter(supervisor=None).exists()


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_seed_creates_every_demo_login_with_the_demo_password_and_role(db, debug, login):
    run("seed", families=False)

    user = User.objects.get(username=login.username)
    assert user.check_password(DEMO_PASSWORD)
    assert user.staff.role == login.role
    assert set(user.groups.values_list("name", flat=True)) == {login.role.group_name}
    assert user.is_staff == (login.role == Role.SYSTEM_ADMINISTRATOR)
    assert Notification.objects.filter(recipient=user, kind="welcome").count() == 1


def test_seed_demo_logins_sit_where_the_login_page_says(db, debug):
    run("seed", families=False)

    caseworker = User.objects.get(username="caseworker").staff
    supervisor = User.objects.get(username="supervisor")
    assert str(caseworker.unit) == "Hartford Area Office: Intake Unit 1"
    assert caseworker.unit.supervisor == supervisor
    assert str(User.objects.get(username="caseworker2").staff.unit) == (
        "New Haven Area Office: Intake Unit 1"
    )
    assert User.objects.get(username="areaadmin").staff.work_location.name == (
        "Hartford Area Office"
    )


def test_seed_staff_other_than_demo_logins_cannot_log_in(db, debug):
    run("seed", families=False)

    demo = {login.username for login in DEMO_LOGINS}
    others = User.objects.exclude(username__in=demo)
    assert others.count() > 300
    assert not any(user.has_usable_password() for user in others)


def test_seed_every_person_is_in_their_roles_group(db, debug):
    run("seed", families=False)

    for role in Role:
        profiles = StaffProfile.objects.filter(role=role)
        assert profiles.exists(), role
        in_group = User.objects.filter(groups__name=role.group_name)
        assert set(in_group) == {profile.user for profile in profiles}


def test_seed_is_deterministic_for_a_seed(db, debug):
    run("seed", seed=7, families=False)
    first = list(User.objects.order_by("username").values_list("username", "first_name"))
    first_streets = list(WorkLocation.objects.order_by("name").values_list("street", flat=True))
    wipe_organisation()

    run("seed", seed=7, families=False)

    assert list(User.objects.order_by("username").values_list("username", "first_name")) == first
    assert list(WorkLocation.objects.order_by("name").values_list("street", flat=True)) == (
        first_streets
    )


def test_seed_differs_with_another_seed(db, debug):
    run("seed", seed=1, families=False)
    first = set(User.objects.values_list("username", flat=True))
    wipe_organisation()

    run("seed", seed=2, families=False)

    assert set(User.objects.values_list("username", flat=True)) != first


def test_seed_if_empty_does_nothing_the_second_time(db, debug):
    run("seed", if_empty=True, families=False)
    users = User.objects.count()

    output = run("seed", if_empty=True, families=False)

    assert "already has data; no demo data loaded" in output
    assert User.objects.count() == users
    assert Region.objects.count() == 6


def test_seed_twice_without_if_empty_refuses(db, debug):
    run("seed", families=False)

    with pytest.raises(CommandError, match="already has data"):
        run("seed", families=False)
    assert Region.objects.count() == 6


def test_seed_refuses_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG off"):
        run("seed", families=False)
    assert not Region.objects.exists()
    assert not User.objects.exists()


def test_seed_with_debug_off_runs_when_forced(db, settings, fast_hasher):
    settings.DEBUG = False

    run("seed", force=True, families=False)

    assert Region.objects.count() == 6


def test_seed_state_scale_builds_more_units(db, debug):
    run("seed", scale="state", families=False)

    assert Unit.objects.count() == 14 * 10


# --- closure_day -------------------------------------------------------------------------


def test_closure_day_add_list_and_remove(db):
    added = run("closure_day", "add", "2027-02-16", "--reason", "Snow storm")
    assert "Added closure day 2027-02-16: Snow storm." in added
    assert ClosureDay.objects.get().date == date(2027, 2, 16)

    assert run("closure_day", "list").strip() == "2027-02-16: Snow storm"

    removed = run("closure_day", "remove", "2027-02-16")
    assert "Removed closure day 2027-02-16." in removed
    assert not ClosureDay.objects.exists()
    assert run("closure_day", "list") == ""


@pytest.mark.parametrize("action", ["add", "remove"])
def test_closure_day_refuses_a_bad_date(db, action):
    args = ["closure_day", action, "2027-13-01"]
    if action == "add":
        args += ["--reason", "Snow"]

    with pytest.raises(
        CommandError, match=re.escape("'2027-13-01' is not a date: use YYYY-MM-DD.")
    ):
        run(*args)
    assert not ClosureDay.objects.exists()


def test_closure_day_refuses_a_duplicate(db):
    run("closure_day", "add", "2027-02-16", "--reason", "Snow storm")

    with pytest.raises(CommandError, match="already a closure day"):
        run("closure_day", "add", "2027-02-16", "--reason", "Again")
    assert ClosureDay.objects.get().reason == "Snow storm"


def test_closure_day_refuses_a_blank_reason(db):
    with pytest.raises(CommandError, match="Say why"):
        run("closure_day", "add", "2027-02-16", "--reason", " ")


def test_closure_day_refuses_to_remove_a_day_that_is_not_closed(db):
    with pytest.raises(CommandError, match="is not a closure day"):
        run("closure_day", "remove", "2027-02-16")


# --- sync_roles --------------------------------------------------------------------------


def group_permissions(role: Role) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_sync_roles_makes_a_group_for_every_role(db):
    Group.objects.filter(name__in=[role.group_name for role in Role]).delete()

    output = run("sync_roles")

    assert f"{len(Role)} role groups in step." in output
    assert set(Group.objects.values_list("name", flat=True)) >= {role.group_name for role in Role}


def test_only_the_system_administrator_group_may_add_closure_days(db):
    run("sync_roles")

    assert "agency.add_closureday" in group_permissions(Role.SYSTEM_ADMINISTRATOR)
    assert "agency.delete_closureday" in group_permissions(Role.SYSTEM_ADMINISTRATOR)
    for role in Role:
        if role != Role.SYSTEM_ADMINISTRATOR:
            assert "agency.add_closureday" not in group_permissions(role), role
    assert "agency.view_closureday" in group_permissions(Role.CASEWORKER)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_sync_roles_gives_each_group_exactly_its_listed_permissions(db, role):
    group = Group.objects.get(name=role.group_name)
    group.permissions.add(Permission.objects.get(codename="delete_region"))
    group.permissions.remove(*group.permissions.filter(codename="view_closureday"))

    run("sync_roles")

    assert group_permissions(role) == set(ROLE_PERMISSIONS[role])


def test_seed_builds_families_with_something_due_for_every_caseworker(db, debug):
    from casework.models import Case, IffContact, IffExtension, Visit

    output = run("seed")

    assert re.search(r"Casework: [\d,]+ cases", output)
    caseworkers = User.objects.filter(staff__role=Role.CASEWORKER)
    assert Case.objects.values("primary_worker").distinct().count() == caseworkers.count()
    casey = User.objects.get(username="caseworker")
    assert Case.objects.filter(primary_worker=casey).count() == 4
    assert IffContact.objects.filter(seen_at__isnull=True).exists()
    assert IffExtension.objects.filter(status=IffExtension.Status.PENDING).exists()
    assert Visit.objects.filter(status=Visit.Status.COMPLETED).count() > Case.objects.count()
