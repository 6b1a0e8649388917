"""What a page reads several times (the grants, the units in scope) is read once a
request, whether the code holds request.user (a lazy wrapper) or the user inside it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from agency.selectors import request_cache, units_in_scope_ids


def test_the_lazy_request_user_and_the_user_share_one_cache(personas):
    user = personas.supervisor
    lazy = SimpleLazyObject(lambda: user)
    request_cache(lazy)["answer"] = 42
    assert request_cache(user) == {"answer": 42}


def test_the_units_in_scope_are_read_once(personas, django_assert_num_queries):
    lazy = SimpleLazyObject(lambda: personas.supervisor)
    with django_assert_num_queries(1):
        first = units_in_scope_ids(lazy)
        again = units_in_scope_ids(lazy)
    assert first == again == {personas.unit.pk}


def test_a_supervisors_page_reads_the_units_in_scope_once(client, personas):
    client.force_login(personas.supervisor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("casework:supervision")).status_code == 200
    scope = [
        q for q in queries if 'FROM "agency_unit" WHERE ("agency_unit"."supervisor_id"' in q["sql"]
    ]
    assert len(scope) == 1
