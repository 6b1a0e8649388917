"""Who looked at what. Changes themselves are kept by django-simple-history on every
casework model; this logs openings of case and person records (never their content)."""

from typing import Any

from casework.models import Case, Person, RecordView


def record_view(
    *, user: Any, channel: str, case: Case | None = None, person: Person | None = None
) -> None:
    RecordView.objects.create(user=user, case=case, person=person, channel=channel)


def with_actor(instance, actor: Any):
    """Name the user behind the next save in the history table (the request
    middleware does it in views; services called from tasks or commands need this)."""
    if actor is not None:
        instance._history_user = actor
    return instance
