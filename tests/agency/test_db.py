"""planned_for_each_search: the queries of a search are planned for their own words."""

import pytest
from django.db import connection

from agency.db import planned_for_each_search

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a Postgres setting")


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # the block's own transaction, as in a view
def test_the_block_plans_each_query_and_the_setting_ends_with_it():
    assert plan_cache_mode() == "auto"
    with planned_for_each_search():
        assert plan_cache_mode() == "force_custom_plan"
    assert plan_cache_mode() == "auto"


def test_without_a_search_nothing_changes(db):
    with planned_for_each_search(active=False):
        assert plan_cache_mode() == "auto"
