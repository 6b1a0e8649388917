from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from agency import selectors
from agency.demo import DEMO_LOGINS, DEMO_PASSWORD
from agency.permissions import can_use_workspace, user_role
from agency.workspaces import WORKSPACES


def hearth(request):
    """The shell's data: agency name, role-aware navigation, unread notifications."""
    user = request.user
    if not user.is_authenticated:
        return {
            "agency_name": settings.HEARTH_AGENCY_NAME,
            "nav": [],
            # The login page lists the demo accounts, in development only.
            "show_demo_logins": settings.DEBUG,
            "demo_logins": DEMO_LOGINS,
            "demo_password": DEMO_PASSWORD,
        }
    path = request.path
    nav = []
    for workspace in WORKSPACES:
        if can_use_workspace(user, workspace.key):
            url = reverse(workspace.url_name)
            nav.append({"label": workspace.label, "url": url, "current": path.startswith(url)})
    if user.is_staff:
        nav.append({"label": "Administration", "url": reverse("admin:index"), "current": False})
    role = user_role(user)
    return {
        "agency_name": settings.HEARTH_AGENCY_NAME,
        "nav": nav,
        "user_role_label": role.label if role else "No role assigned",
        "unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user)),
    }
