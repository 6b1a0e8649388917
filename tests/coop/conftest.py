"""COOP fixtures: a plan at the personas' Hartford office kept by its area administrator,
OPM at Central Office, and uploads kept in a temporary folder."""

import pytest

from agency.roles import Role
from tests.coop.factories import fill_plan, make_opm, make_plan
from tests.factories import make_user

NOW = "2026-11-23 10:00:00-05:00"  # 2026 Q4, due 31 Dec 2026


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def area_admin(personas):
    return make_user(Role.AREA_ADMINISTRATOR, location=personas.office, username="areaadmin")


@pytest.fixture
def other_admin(personas):
    """The area administrator of the other office (keeps its plan)."""
    return make_user(Role.AREA_ADMINISTRATOR, location=personas.other_office, username="nhadmin")


@pytest.fixture
def opm(personas):
    return make_opm(personas.central, username="opm")


@pytest.fixture
def plan(personas, area_admin):
    return fill_plan(make_plan(personas.office, area_admin))


@pytest.fixture
def other_plan(personas, other_admin):
    return fill_plan(make_plan(personas.other_office, other_admin))
