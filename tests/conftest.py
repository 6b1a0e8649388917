import pytest
from django.apps import apps

from agency.roles import sync_role_groups
from tests.browser import launch_browser, new_page
from tests.factories import make_personas, make_user


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture
def user_with_role(db):
    """Make a user holding `role` (staff profile and group included)."""
    return make_user


@pytest.fixture
def role_groups(transactional_db):
    """The role groups the data migration made. Transactional tests (live server,
    threads) flush every table afterwards, migration data included; this puts them back."""
    sync_role_groups(apps)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (see tests/browser.py)."""
    yield from launch_browser()


@pytest.fixture
def page(browser):
    yield from new_page(browser)
