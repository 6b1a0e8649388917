"""PageFirstPaginator gives the pages Django's Paginator gives, in the same order, and
joins only the page's rows."""

import pytest
from django.core.paginator import Paginator

from agency.pagination import PageFirstPaginator
from casework.models import Case
from tests.casework.factories import make_case


@pytest.fixture
def cases(personas):
    for i in range(23):
        make_case(personas.unit, personas.caseworker, name=f"Family {i % 5}")
    return Case.objects.select_related("primary_worker").order_by("name", "number")


@pytest.mark.parametrize(("per_page", "orphans"), [(5, 0), (10, 3), (25, 0)])
def test_every_page_holds_what_djangos_paginator_puts_there(cases, per_page, orphans):
    ours = PageFirstPaginator(cases, per_page, orphans=orphans)
    django = Paginator(cases, per_page, orphans=orphans)
    assert ours.num_pages == django.num_pages
    for number in django.page_range:
        assert [c.pk for c in ours.page(number)] == [c.pk for c in django.page(number)]


def test_a_page_is_one_query_that_cuts_before_it_joins(cases, django_assert_num_queries):
    paginator = PageFirstPaginator(cases, 5)
    paginator.count  # noqa: B018 (read apart: the count is its own query)
    with django_assert_num_queries(1) as queries:
        rows = list(paginator.page(2))
    assert [c.primary_worker.username for c in rows]  # joined, no query per row
    sql = queries.captured_queries[0]["sql"]
    assert "LIMIT 5 OFFSET 5" in sql and sql.index("LIMIT") > sql.index(" IN (SELECT")


def test_out_of_range_pages_behave_as_djangos(cases):
    ours = PageFirstPaginator(cases, 10)
    assert [c.pk for c in ours.get_page(99)] == [c.pk for c in Paginator(cases, 10).get_page(99)]
