"""Database helpers shared by the apps."""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def planned_for_each_search(active: bool = True):
    """Plan every query of the block for its own parameters.

    Hearth keeps its repeated statements prepared (DATABASE_PREPARED_STATEMENTS), and
    after a few runs Postgres may reuse one generic plan whatever the parameters. For
    a text search ("contains" on a trigram-indexed document) that generic plan cannot
    know how selective the words are and reads far more than it needs: the queue's
    search took three times as long. Wrap the queries of a search in this block (it
    opens a transaction and sets `plan_cache_mode` for it alone). `active=False` (no
    search asked for) and other databases leave the queries as they are. Inside an
    enclosing transaction the setting lasts until that transaction ends.
    """
    if not active or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
