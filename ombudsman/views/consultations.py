"""Consultations for the agency staff the Ombudsman consults: their list, and one
consultation with its reply form.

Not a workspace page: Regional, facility and Central Office staff of any role open
them. A consultation shows its question and the inquiry's reference and subject,
nothing else of the inquiry; anyone but the person consulted (and the Ombudsman's
office) gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import path

from agency.forms import show_service_errors
from ombudsman import selectors, services
from ombudsman.forms import ReplyForm
from ombudsman.permissions import access_consultation


@login_required
def consultation_list(request):
    """The consultations addressed to the user, unanswered first."""
    consultations = (
        selectors.visible_consultations(request.user)
        .filter(consulted=request.user)
        .order_by(F("replied_at").asc(nulls_first=True), "-requested_at", "-pk")
    )
    page = Paginator(consultations, 25).get_page(request.GET.get("page"))
    return render(request, "ombudsman/consultations.html", {"page": page})


@login_required
def consultation_detail(request, pk: int):
    consultation = access_consultation(request.user, pk)
    is_consulted = consultation.consulted_id == request.user.pk
    form = None
    if is_consulted and consultation.replied_at is None:
        form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the person consulted answers, once.")
        if form.is_valid():
            try:
                services.consultation_reply(
                    consultation=consultation, actor=request.user, reply=form.cleaned_data["reply"]
                )
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, "Thank you: your answer was sent to the Ombudsman.")
                return redirect("ombudsman:consultation", pk=consultation.pk)
    return render(
        request,
        "ombudsman/consultation.html",
        {
            "consultation": consultation,
            "form": form,
            "is_consulted": is_consulted,
            "works": selectors.can_work(request.user),
        },
    )


urlpatterns = [
    path("consultations/", consultation_list, name="consultations"),
    path("consultations/<int:pk>/", consultation_detail, name="consultation"),
]
