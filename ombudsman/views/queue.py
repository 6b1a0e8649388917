"""The inquiry queue: my inquiries, unassigned, all; filters, search, sort; the lead's
bulk assignment.

The page runs a fixed number of queries whatever the number of inquiries: the queue is
filtered and sorted in SQL on the stored due time (ombudsman.selectors.queue), the
tab counts are one aggregate, and the SLA state and time left of the 25 rows on the
page are computed in Python from the stored due time (selectors.decorate).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agency.db import planned_for_each_search
from agency.models import Region
from agency.permissions import workspace_required
from agency.selectors import business_calendar
from ombudsman import selectors, services
from ombudsman.forms import QUEUE_SORT_CHOICES, BulkAssignForm, QueueFilterForm
from ombudsman.models import Inquiry
from ombudsman.permissions import require_lead

PAGE_SIZE = 25
TABS = (
    ("mine", "My inquiries"),
    ("unassigned", "Unassigned"),
    ("all", "All"),
)


def _tabs(user) -> list[dict]:
    """The tabs with the number of open inquiries on each, in one query."""
    counts = (
        selectors.visible_inquiries(user)
        .filter(status__in=Inquiry.OPEN_STATUSES)
        # Counting `status` (not the id) lets Postgres answer from the (status, assignee)
        # index alone.
        .aggregate(
            mine=Count("status", filter=Q(assignee=user)),
            unassigned=Count("status", filter=Q(assignee__isnull=True)),
            all=Count("status"),
        )
    )
    return [{"key": key, "label": label, "count": counts[key]} for key, label in TABS]


@workspace_required("ombudsman")
def queue(request):
    """Every inquiry the user may see, most urgent first. Staff start on their own, the
    lead on all of them; the Commissioner's office reads its correspondence only."""
    user = request.user
    works = selectors.can_work(user)
    lead = selectors.is_lead(user)
    if works:
        view = request.GET.get("view") or ("all" if lead else "mine")
        if view not in selectors.QUEUE_VIEWS:
            view = "all"
    else:
        view = "all"  # the Commissioner's office: its correspondence, no tabs
    regions = list(Region.objects.order_by("name"))
    staff = list(selectors.ombudsman_staff())
    form = QueueFilterForm(request.GET or None, regions=regions, staff=staff)
    filters = form.filters()
    inquiries = selectors.queue(user, view=view, **filters).only(*selectors.QUEUE_ROW_FIELDS)
    with planned_for_each_search(bool(filters.get("query"))):
        page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
        selectors.decorate(page.object_list, cal=business_calendar())
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "ombudsman/queue.html",
        {
            "form": form,
            "page": page,
            "view": view,
            "tabs": _tabs(user) if works else [],
            "works": works,
            "lead": lead,
            "staff": staff,
            "querystring": querystring.urlencode(),
            "filtered": _is_filtered(filters),
            "sort_label": dict(QUEUE_SORT_CHOICES).get(filters.get("sort", "due")),
        },
    )


def _is_filtered(filters: dict) -> bool:
    """Whether the user narrowed the list (sorting does not count)."""
    if not filters:
        return False
    return filters["open_only"] is False or any(
        value for name, value in filters.items() if name not in ("sort", "open_only")
    )


def _back_to_queue(request):
    """The queue page the form was sent from (its tab, filters and page)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("ombudsman:queue")


@workspace_required("ombudsman")
@require_POST
def bulk_assign(request):
    """The lead assigns the ticked inquiries to one member of staff. Resolved and closed
    ones are skipped, and the message says which."""
    require_lead(request.user)
    staff = list(selectors.ombudsman_staff())
    form = BulkAssignForm(request.POST, staff=staff)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_queue(request)
    ids = form.cleaned_data["inquiries"]
    assignee = next(u for u in staff if u.pk == form.cleaned_data["assignee"])
    chosen = list(
        selectors.visible_inquiries(request.user).filter(pk__in=ids).order_by("reference")
    )
    if not chosen:
        messages.error(request, "None of the ticked inquiries can be found.")
        return _back_to_queue(request)
    try:
        result = services.inquiries_assign(inquiries=chosen, assignee=assignee, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back_to_queue(request)
    name = assignee.get_full_name() or assignee.get_username()
    if result.assigned:
        count = len(result.assigned)
        messages.success(
            request, f"Assigned {count} inquir{'y' if count == 1 else 'ies'} to {name}."
        )
    if result.skipped:
        skipped = "; ".join(f"{inquiry.reference} ({why})" for inquiry, why in result.skipped)
        messages.warning(request, f"Not assigned, because they are no longer open: {skipped}.")
    return _back_to_queue(request)


urlpatterns: list = [
    path("", queue, name="queue"),
    path("assign/", bulk_assign, name="queue_assign"),
]
