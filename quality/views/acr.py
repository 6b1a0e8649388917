"""Administrative Case Review pages: the children in care with their next review due
(per office; upcoming and overdue), record a review held for a child, and a review.

In the "reviews" workspace (quality reviewers and the Commissioner's office; others
403). Recording needs the quality reviewer's permission: the Commissioner's office
reads only (403).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from agency import clock
from agency.forms import show_service_errors
from agency.models import WorkLocation
from agency.permissions import workspace_required
from casework.models import CaseMember, Person
from casework.permissions import access_case
from quality import acr as acr_rules
from quality.selectors import acr as selectors
from quality.selectors import rules
from quality.services import acr as services

PAGE_SIZE = 25
WORKSPACE = "reviews"


class DueFilterForm(forms.Form):
    office = forms.ModelChoiceField(
        queryset=WorkLocation.objects.filter(kind=WorkLocation.Kind.AREA_OFFICE).order_by("name"),
        required=False,
        empty_label="Every office",
    )
    show = forms.ChoiceField(choices=selectors.SHOW_CHOICES, required=False)


class AcrForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line, with their role: the child (when of age), the mother and "
        "father, foster parents, the worker, the supervisor, providers.",
    )
    parents_participated = forms.BooleanField(required=False, label="The child's parents took part")
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))


def can_record(user) -> bool:
    return user.has_perm("quality.add_administrativecasereview")


@workspace_required(WORKSPACE)
def acr_due(request):
    """Children in care and when their next review is due: counts per office, then the
    children, soonest first (upcoming and overdue by default)."""
    form = DueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    office = data.get("office")
    show = data.get("show") or "due"
    today = clock.today()
    rows = selectors.acr_due(request.user, today=today, office=office)
    by_office = selectors.acr_due_by_office(rows)
    if show != "all":
        rows = [
            r for r in rows if (r.state != acr_rules.LATER if show == "due" else r.state == show)
        ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "quality/acr/due.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "by_office": by_office,
            "office": office,
            "show": show,
            "today": today,
            "query": query.urlencode(),
            "can_record": can_record(request.user),
            "reminder_days": rules().acr_reminder_days,
            "recent": selectors.acr_list(request.user)[:10],
        },
    )


@workspace_required(WORKSPACE)
def acr_new(request):
    """Record the review held for a child in care (?case=&child=)."""
    if not can_record(request.user):
        raise PermissionDenied("The Commissioner's office reads ACRs; it does not record them.")
    case = access_case(request.user, request.GET.get("case"))
    child = (
        Person.objects.filter(
            pk=request.GET.get("child") if str(request.GET.get("child", "")).isdigit() else None,
            case_memberships__case=case,
            case_memberships__role=CaseMember.Role.CHILD,
        )
        .distinct()
        .first()
    )
    if child is None:
        raise Http404
    form = AcrForm(
        request.POST if request.method == "POST" else None, initial={"held_on": clock.today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.acr_record(
                actor=request.user, case=case, child=child, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Administrative Case Review of {child.full_name} recorded.")
            return redirect("quality:acr_detail", pk=review.pk)
    return render(
        request,
        "quality/acr/new.html",
        {
            "form": form,
            "case": case,
            "child": child,
            "history": selectors.child_acr_history(child)[:10],
        },
    )


@workspace_required(WORKSPACE)
def acr_detail(request, pk: int):
    review = selectors.access_acr(request.user, pk)
    return render(
        request,
        "quality/acr/detail.html",
        {
            "review": review,
            "participants": [line for line in review.participants.splitlines() if line.strip()],
            "history": selectors.child_acr_history(review.child).exclude(pk=review.pk)[:10],
            "can_record": can_record(request.user),
        },
    )


urlpatterns: list = [
    path("acr/", acr_due, name="acr_due"),
    path("acr/new/", acr_new, name="acr_new"),
    path("acr/<int:pk>/", acr_detail, name="acr_detail"),
]
