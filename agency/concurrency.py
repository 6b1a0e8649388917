"""Refusing conflicting edits (optimistic concurrency) for records with history.

Every save of a record with django-simple-history adds a history row, so the id of the
latest one identifies the version a user saw. An edit form carries it as a hidden
`edit_token`; the API returns it and accepts it back. The service locks the row and
refuses the edit when the record changed since:

    person = lock_for_edit(person, edit_token)   # in the service's transaction
    ... validate, set fields, save ...

A missing token (an older API client) skips the check; the pages always send one.
Lists and nested API answers read every row's token in their own query with
`with_edit_tokens(queryset)`.
"""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, OuterRef, QuerySet, Subquery

M = TypeVar("M", bound=Model)

# The annotation with_edit_tokens adds; edit_token uses it instead of a query.
_ANNOTATION = "edit_token_history_id"

CONFLICT_MESSAGE = (
    "Someone else changed this record after you opened it. Reload the page to see "
    "their changes, then make yours again."
)


def edit_token(obj: Model) -> str:
    """The version of `obj` a form or API response hands out: its latest history row
    (as of the query that loaded `obj`, when that query came from with_edit_tokens)."""
    if _ANNOTATION in obj.__dict__:
        latest = obj.__dict__[_ANNOTATION]
    else:
        latest = obj.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or 0)


def with_edit_tokens(queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` with each row's edit token read in the same query (a subquery on the
    history table's indexed id), so a list hands out tokens without a query per row."""
    model = queryset.model
    history = model.history.model  # type: ignore[attr-defined]
    pk_name = model._meta.pk.name  # type: ignore[union-attr]
    latest = (
        history._default_manager.filter(**{pk_name: OuterRef("pk")})
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return queryset.annotate(**{_ANNOTATION: Subquery(latest)})


def lock_for_edit(obj: M, token: Any) -> M:
    """`obj`'s row locked for the current transaction, re-read from the database.
    Raises ValidationError({"edit_token": ...}) when `token` is given and the record
    has changed since it was handed out."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if token not in (None, "") and str(token) != edit_token(locked):
        raise ValidationError({"edit_token": [CONFLICT_MESSAGE]})
    return locked
