from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from agency import calendar, clock, selectors, services
from agency.forms import DeadlineForm
from agency.permissions import access_notification, can_use_workspace, user_role
from agency.workspaces import BY_KEY, HOME


@require_GET
def healthz(request):
    """For load balancers and docker compose: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    """Send each person to their workspace; explain when they have none yet."""
    user = request.user
    role = user_role(user)
    key = HOME.get(role) if role else None
    if key and can_use_workspace(user, key):
        return redirect(BY_KEY[key].url_name)
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "agency/no_workspace.html", {"role": role})


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "agency/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_open(request, notification_id: int):
    """Mark read and follow the notification's link (only to a path inside Hearth)."""
    notification = access_notification(request.user, notification_id)
    services.notification_mark_read(notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("notifications")


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = access_notification(request.user, notification_id, "change")
    services.notification_mark_read(notification=notification)
    if request.htmx:
        return render(request, "agency/_notification_row.html", {"notification": notification})
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications")


@login_required
def calendar_page(request):
    """The agency's non-business days for the coming year, and a deadline calculator
    that explains its answer step by step."""
    cal = selectors.business_calendar()
    today = clock.today()
    closed = [
        (day, reason)
        for day, reason in calendar.skipped_days(
            cal, today - timedelta(days=1), today + timedelta(days=365)
        )
        if reason != "weekend"
    ]
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_valid():
        start, amount = form.cleaned_data["start"], form.cleaned_data["amount"]
        if form.cleaned_data["unit"] == "days":
            due, steps = calendar.deadline(cal, start, business_days=int(amount))
        else:
            due, steps = calendar.deadline(cal, start, business_hours=float(amount))
        result = {"due": due, "steps": steps}
    return render(
        request,
        "agency/calendar.html",
        {
            "closed_days": closed,
            "form": form,
            "result": result,
            "calendar_url": reverse("calendar"),
        },
    )


def workspace_coming_soon(key: str):
    """The landing page of a workspace whose features have not landed yet: it is
    role-protected like the real one and says what will be there."""
    from agency.permissions import workspace_required

    @workspace_required(key)
    def view(request):
        return render(request, "agency/workspace_coming_soon.html", {"workspace": BY_KEY[key]})

    view.__name__ = f"{key}_workspace"
    return view
