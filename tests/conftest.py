import pytest

from tests.factories import make_personas, make_user


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture
def user_with_role(db):
    """Make a user holding `role` (staff profile and group included)."""
    return make_user
