from rest_framework.permissions import BasePermission

from agency.permissions import user_role


class HasRole(BasePermission):
    """The API's default: a logged-in, active member of staff with a role (or a
    superuser). Endpoints narrow it further; objects go through the gatekeeper."""

    message = "Your account has no role in Hearth yet; ask a system administrator."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or user_role(user) is not None


class HasModelPermission(BasePermission):
    """Requires the model permission named by the view's `required_permissions`
    mapping of HTTP method to "app_label.codename" (methods not listed: allowed)."""

    def has_permission(self, request, view) -> bool:
        perm = getattr(view, "required_permissions", {}).get(request.method)
        return perm is None or request.user.has_perm(perm)
