"""Casework pages: case transfers between units or offices.

- `transfers`: incoming and outgoing transfers, for supervisors and area administrators
  (403 for other roles).
- `transfer_request`: the case's supervisor asks another unit to take the case
  (access_case "approve": 404 outside their cases, 403 for a worker).
- `transfer_detail`: the transfer, its history, and the decision forms; while it waits,
  the receiving supervisor also reads a summary of the case here
  (casework.selectors.transfers.pending_transfer_for), logged as a view of the case.
  Transfers the user may not see answer 404.
- `transfer_accept`, `transfer_decline`, `transfer_withdraw`: the decisions (403 for
  anyone but the receiving supervisor, or the sender for a withdrawal).
Writes go through casework.services.transfers.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from agency.forms import show_service_errors
from agency.permissions import user_role
from agency.roles import Role
from casework.audit import record_view
from casework.forms.transfers import (
    TransferAcceptForm,
    TransferDeclineForm,
    TransferRequestForm,
    TransferWithdrawForm,
)
from casework.models import CaseTransfer
from casework.permissions import access_case
from casework.selectors import transfers as selectors
from casework.selectors import visible_cases
from casework.services import transfers as services

PAGE_SIZE = 25
LIST_ROLES = (Role.SUPERVISOR, Role.AREA_ADMINISTRATOR)
BOXES = {"incoming": "Incoming", "outgoing": "Outgoing"}


@login_required
def transfer_list(request):
    """Transfers to the units the user supervises (incoming) or from them (outgoing),
    newest first, with a status filter."""
    user = request.user
    if not (user.is_superuser or user_role(user) in LIST_ROLES):
        raise PermissionDenied("Transfers are for supervisors and area administrators.")
    box = request.GET.get("box", "incoming")
    if box not in BOXES:
        box = "incoming"
    status = request.GET.get("status", "")
    if status not in CaseTransfer.Status.values:
        status = ""
    transfers = selectors.transfer_list(user, box=box, status=status)
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/transfers/list.html",
        {
            "page": page,
            "box": box,
            "box_label": BOXES[box],
            "boxes": BOXES,
            "query": urlencode({"box": box, "status": status}),
            "status": status,
            "statuses": CaseTransfer.Status.choices,
            "counts": selectors.transfer_counts(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_request(request, case_id: int):
    """The case's supervisor asks another unit to take the case."""
    case = access_case(request.user, case_id, "approve")
    pending = CaseTransfer.objects.filter(case=case, status=CaseTransfer.Status.REQUESTED).first()
    form = TransferRequestForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_request(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Transfer of case {case.number} to {transfer.to_unit} requested; "
                "its supervisor has been told.",
            )
            return redirect("casework:transfer_detail", pk=transfer.pk)
    return render(
        request,
        "casework/transfers/request.html",
        {"case": case, "form": form, "pending": pending},
        status=400 if request.method == "POST" else 200,
    )


def _detail_page(request, transfer: CaseTransfer, **forms):
    user = request.user
    pending = transfer.status == CaseTransfer.Status.REQUESTED
    deciding = pending and selectors.receives(user, transfer)
    summary = None
    if deciding and selectors.pending_transfer_for(user, transfer.case_id) is not None:
        # The receiving supervisor reads the case before it is theirs: a case view.
        record_view(user=user, channel="page", case=transfer.case)
        summary = selectors.transfer_case_summary(transfer.case)
    initial = {"version": transfer.version}
    context = {
        "transfer": transfer,
        "case": transfer.case,
        "case_visible": visible_cases(user).filter(pk=transfer.case_id).exists(),
        "show_list": user.is_superuser or user_role(user) in LIST_ROLES,
        "history": list(
            transfer.history.select_related("history_user").order_by("-history_date", "-pk")
        ),
        "summary": summary,
        "deciding": deciding,
        "may_withdraw": selectors.may_withdraw(user, transfer),
        "accept_form": TransferAcceptForm(prefix="accept", initial=initial, unit=transfer.to_unit),
        "decline_form": TransferDeclineForm(prefix="decline", initial=initial),
        "withdraw_form": TransferWithdrawForm(prefix="withdraw", initial=initial),
    } | forms
    return render(
        request,
        "casework/transfers/detail.html",
        context,
        status=400 if forms else 200,
    )


@login_required
def transfer_detail(request, pk: int):
    return _detail_page(request, selectors.access_transfer(request.user, pk))


def _decision(request, pk: int, *, check, form_class, name: str, prefix: str, act, done: str):
    user = request.user
    transfer = selectors.access_transfer(user, pk)
    if transfer.status == CaseTransfer.Status.REQUESTED and not check(user, transfer):
        raise PermissionDenied("You cannot decide this transfer.")
    kwargs = {"unit": transfer.to_unit} if form_class is TransferAcceptForm else {}
    form = form_class(request.POST, prefix=prefix, **kwargs)
    if form.is_valid():
        try:
            act(transfer, user, form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, done.format(number=transfer.case.number))
            return redirect("casework:transfer_detail", pk=transfer.pk)
    return _detail_page(request, transfer, **{name: form})


@login_required
@require_POST
def transfer_accept(request, pk: int):
    def act(transfer, user, data):
        services.transfer_accept(
            transfer=transfer,
            actor=user,
            version=data["version"],
            new_primary_worker=data["new_primary_worker"],
            comment=data["comment"],
        )

    return _decision(
        request, pk, check=selectors.receives, form_class=TransferAcceptForm,
        name="accept_form", prefix="accept", act=act,
        done="Transfer accepted: case {number} is now your unit's.",
    )  # fmt: skip


@login_required
@require_POST
def transfer_decline(request, pk: int):
    def act(transfer, user, data):
        services.transfer_decline(
            transfer=transfer, actor=user, version=data["version"], comment=data["comment"]
        )

    return _decision(
        request, pk, check=selectors.receives, form_class=TransferDeclineForm,
        name="decline_form", prefix="decline", act=act,
        done="Transfer of case {number} declined; the sending supervisor has been told.",
    )  # fmt: skip


@login_required
@require_POST
def transfer_withdraw(request, pk: int):
    def act(transfer, user, data):
        services.transfer_withdraw(transfer=transfer, actor=user, version=data["version"])

    return _decision(
        request, pk, check=selectors.may_withdraw, form_class=TransferWithdrawForm,
        name="withdraw_form", prefix="withdraw", act=act,
        done="Transfer request for case {number} withdrawn.",
    )  # fmt: skip


urlpatterns: list = [
    path("transfers/", transfer_list, name="transfers"),
    path("cases/<int:case_id>/transfer/", transfer_request, name="transfer_request"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", transfer_decline, name="transfer_decline"),
    path("transfers/<int:pk>/withdraw/", transfer_withdraw, name="transfer_withdraw"),
]
