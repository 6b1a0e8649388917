"""Casework pages: people on a case, their record, relationships and diligent searches.

People are opened through `access_person` (on a case the user may see, else 404) and
case actions through `access_case(..., "change")`; roles that only read get 403 on
every write page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.urls import path, reverse

from agency.concurrency import edit_token
from agency.forms import show_service_errors
from agency.permissions import access_object
from casework import audit
from casework.forms.people import (
    DiligentSearchForm,
    MemberEditForm,
    MemberForm,
    PersonAddForm,
    PersonEditForm,
    RelationshipForm,
)
from casework.models import Case, CaseMember, Person
from casework.permissions import access_case, access_person
from casework.selectors import people as selectors
from casework.selectors import visible_cases, visible_people
from casework.services import people as services


def case_url(case: Case) -> str:
    """Where people's changes show: the people section of the case page."""
    return reverse("casework:case_detail", args=[case.pk]) + "#people"


def _is_duplicate(exc: ValidationError) -> bool:
    return any(
        error.code == services.DUPLICATE_PERSON
        for error in getattr(exc, "error_dict", {}).get("__all__", [])
    )


def _chosen_person(user, form: PersonAddForm, person_id: str) -> Person:
    """The existing person picked in the duplicate warning: one the user may see, or
    one whose name and date of birth they have just typed (the same human, recorded
    by another office: a second record would split their history)."""
    duplicates = Person.objects.none()
    if form.is_valid():
        duplicates = selectors.person_duplicates(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
    choices = Person.objects.filter(
        Q(pk__in=duplicates.values("pk")) | Q(pk__in=visible_people(user).values("pk"))
    )
    return access_object(choices, person_id)


@login_required
def person_add(request, case_id: int):
    """Add a new or existing person to a case, warning about possible duplicates."""
    user = request.user
    case = access_case(user, case_id, "change")
    person_form = PersonAddForm(request.POST or None)
    member_form = MemberForm(request.POST or None)
    duplicate = None  # {"message": ..., "matches": [...]} once the service warned
    if request.method == "POST":
        chosen = request.POST.get("use_person")
        if chosen:  # "Add this person" in the duplicate warning
            person = _chosen_person(user, person_form, chosen)
            ready, fields = member_form.is_valid(), {"person": person}
        else:
            ready = person_form.is_valid() & member_form.is_valid()
            fields = dict(person_form.cleaned_data) if ready else {}
        if ready:
            try:
                member = services.person_add_to_case(
                    case=case, actor=user, **member_form.cleaned_data, **fields
                )
            except ValidationError as exc:
                if _is_duplicate(exc):
                    duplicate = {
                        "message": " ".join(exc.message_dict["__all__"]),
                        "matches": selectors.duplicates_for_user(
                            selectors.person_duplicates(
                                first_name=fields["first_name"],
                                last_name=fields["last_name"],
                                date_of_birth=fields["date_of_birth"],
                            ),
                            user,
                            case=case,
                        ),
                    }
                else:
                    show_service_errors(exc, person_form, member_form)
            else:
                messages.success(
                    request,
                    f"{member.person.full_name} added to case {case.number} as "
                    f"{member.get_role_display().lower()}.",
                )
                return redirect(case_url(case))
    return render(
        request,
        "casework/people/add.html",
        {
            "case": case,
            "form": person_form,
            "member_form": member_form,
            "duplicate": duplicate,
            "case_url": case_url(case),
        },
    )


@login_required
def person_detail(request, pk: int):
    user = request.user
    person = access_person(user, pk)
    audit.record_view(user=user, person=person, channel="page")
    context = selectors.person_page(person, user)
    for membership in context["memberships"]:
        membership.case_url = case_url(membership.case)
    context["can_change"] = user.has_perm("casework.change_person")
    return render(request, "casework/people/detail.html", context)


@login_required
def person_edit(request, pk: int):
    user = request.user
    person = access_person(user, pk, "change")
    initial = model_to_dict(person, fields=PersonEditForm.Meta.fields)
    if request.method != "POST":
        initial["edit_token"] = edit_token(person)
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_update(person=person, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{person.full_name}'s record saved.")
            return redirect("casework:person_detail", pk=person.pk)
    return render(request, "casework/people/edit.html", {"person": person, "form": form})


@login_required
def member_edit(request, pk: int):
    """A person's role on one case, and taking them off it."""
    user = request.user
    member = access_object(
        CaseMember.objects.filter(case__in=visible_cases(user).values("pk")).select_related(
            "person"
        ),
        pk,
    )
    member.case = case = access_case(user, member.case_id, "change")
    initial = model_to_dict(
        member,
        fields=["role", "alleged_victim", "custodial", "in_household", "natural_support_kind"],
    )
    if request.method == "POST" and "deactivate" in request.POST:
        services.member_deactivate(member=member, actor=user)
        messages.success(request, f"{member.person.full_name} taken off case {case.number}.")
        return redirect(case_url(case))
    if request.method != "POST":
        initial["edit_token"] = edit_token(member)
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{member.person.full_name}'s role saved.")
            return redirect(case_url(case))
    return render(
        request,
        "casework/people/member_edit.html",
        {"member": member, "case": case, "form": form, "case_url": case_url(case)},
    )


@login_required
def relationship_add(request, case_id: int):
    user = request.user
    case = access_case(user, case_id, "change")
    members = selectors.case_members(case)
    form = RelationshipForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        people = {m.person_id: m.person for m in members}
        data = form.cleaned_data
        try:
            relationship = services.relationship_add(
                person=people[data["person"]],
                relative=people[data["relative"]],
                kind=data["kind"],
                note=data["note"],
                actor=user,
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Recorded: {relationship}.")
            return redirect(case_url(case))
    return render(
        request,
        "casework/people/relationship_add.html",
        {"case": case, "form": form, "members": members, "case_url": case_url(case)},
    )


@login_required
def diligent_search_add(request, pk: int):
    """Log an effort to find a person whose whereabouts are unknown."""
    user = request.user
    person = access_person(user, pk, "change")
    form = DiligentSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.diligent_search_record(person=person, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            if entry.found:
                messages.success(request, f"{person.full_name} found: the search is closed.")
            else:
                messages.success(request, "Search logged.")
            return redirect("casework:person_detail", pk=person.pk)
    return render(
        request,
        "casework/people/diligent_search.html",
        {
            "person": person,
            "form": form,
            "searches": list(selectors.diligent_searches(person)[:10]),
        },
    )


urlpatterns = [
    path("cases/<int:case_id>/people/add/", person_add, name="person_add"),
    path("cases/<int:case_id>/relationships/add/", relationship_add, name="relationship_add"),
    path("people/<int:pk>/", person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", person_edit, name="person_edit"),
    path("people/<int:pk>/diligent-search/", diligent_search_add, name="diligent_search_add"),
    path("members/<int:pk>/edit/", member_edit, name="member_edit"),
]
