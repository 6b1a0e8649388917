"""The gatekeeper: every protected read in Hearth goes through two kinds of function.

- `visible_<things>(user)` (in each app's selectors.py): the queryset of rows the user
  may see, built from the unit hierarchy and django-guardian grants. Lists use it.
- `access_<thing>(user, id, perm)` (here and in each app's permissions.py): one row,
  or Http404 when it is missing *or* forbidden, so nobody can probe which ids exist.

Views, API views and exports never call `Model.objects.get(pk=...)` themselves.
Role checks for whole pages (workspaces) answer 403: the page exists, the user may not
use it; object checks answer 404.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from agency import selectors
from agency.models import Notification, Unit
from agency.roles import Role
from agency.workspaces import BY_KEY

M = TypeVar("M", bound=Model)


def user_role(user: Any) -> Role | None:
    """The user's role from their staff profile, or None (no profile, anonymous)."""
    if not user.is_authenticated:
        return None
    # A missing profile raises RelatedObjectDoesNotExist, an AttributeError.
    profile = getattr(user, "staff", None)
    return Role(profile.role) if profile else None


def has_role(user: Any, *roles: Role) -> bool:
    return user_role(user) in roles


def can_use_workspace(user: Any, key: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_role(user) in BY_KEY[key].roles


def workspace_required(key: str) -> Callable:
    """Decorate a view that belongs to a workspace: login first, then the role."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can_use_workspace(request.user, key):
                raise PermissionDenied(f"Your role does not use {BY_KEY[key].label}.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def access_object(queryset: QuerySet[M], pk: Any) -> M:
    """The row `pk` of an already-filtered queryset, or 404 (also for malformed ids)."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_unit(user: Any, unit_id: Any, perm: str = "view") -> Unit:
    """A unit the user may view, or manage when `perm="change"` (its supervisor, the
    office's area administrator, a system administrator)."""
    if perm == "view":
        return access_object(selectors.visible_units(user), unit_id)
    if perm == "change":
        return access_object(selectors.managed_units(user), unit_id)
    raise ValueError(f"Unknown permission {perm!r} for a unit.")


def access_notification(user: Any, notification_id: Any, perm: str = "view") -> Notification:
    """A notification is its recipient's alone, whatever `perm` asks for."""
    return access_object(selectors.visible_notifications(user), notification_id)
