"""A plan's pages: the plan of my location (every member of staff, printable), the plan
page, creating a plan, editing its sections, naming its senior administrator, and its
document versions.

Who may do what (coop.permissions):
- read a plan (its page, its documents): OPM, its senior administrator, and the staff of
  its location; 404 for anyone else;
- edit its content, upload a version: its senior administrator only; 404 for anyone else;
- create a plan: OPM for any location without one; an area administrator for their own
  location (they become its senior administrator); 403 for anyone else;
- name another senior administrator: OPM (403 for others who read the plan).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from agency import clock
from agency.forms import show_service_errors
from coop import forms as coop_forms
from coop import permissions, selectors, services
from coop.models import CoopPlan

User = get_user_model()


def _content_context(plan: CoopPlan) -> dict:
    selectors.load_content(plan)
    documents = list(plan.documents.all())
    return {
        "plan": plan,
        "key_roles": selectors.key_roles(plan),
        "procedures": list(plan.procedures.all()),
        "notifications": list(plan.notifications.all()),
        "documents": documents,
        "current_document": documents[0] if documents else None,
        "missing": selectors.missing_content(plan),
    }


# --- reading ---------------------------------------------------------------------------------


@login_required
def my_plan(request):
    """The plan of the location the user works at, read-only and printable. Without a
    plan, the page says so and names who to ask."""
    user = request.user
    profile = getattr(user, "staff", None)
    location = profile.work_location if profile else None
    plan = selectors.plan_for_location(location.pk if location else None)
    context = {
        "location": location,
        "plan": plan,
        "is_administrator": bool(plan and permissions.is_administrator(user, plan)),
        "can_create": permissions.may_create_own_plan(user),
        "is_opm": permissions.is_opm(user),
    }
    if plan is not None:
        context |= _content_context(plan)
    elif location is not None:
        context["ask"], context["ask_opm"] = selectors.whom_to_ask(location)
    return render(request, "coop/my_plan.html", context)


@login_required
def plan_detail(request, pk: int):
    """The plan page: its content and documents for everyone who reads it; the quarterly
    duties with the senior administrator's actions, and OPM's review."""
    user = request.user
    plan = permissions.access_plan(user, pk)
    is_admin = permissions.is_administrator(user, plan)
    is_opm = permissions.is_opm(user)
    context = _content_context(plan) | {
        "is_administrator": is_admin,
        "is_opm": is_opm,
        "quarters": selectors.plan_quarters(plan, today=clock.today()),
        "rules": selectors.rules(),
    }
    return render(request, "coop/plan_detail.html", context)


@login_required
def document_download(request, pk: int, document_pk: int):
    """Stream a version of the plan document after the access check (never from a
    public URL): whoever reads the plan may download it; 404 for anyone else."""
    document = permissions.access_document(request.user, pk, document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- creating and naming the administrator ---------------------------------------------------


@login_required
def plan_new(request):
    """OPM: a plan for any active location without one, naming its senior administrator
    (?location=<id> preselects it). An area administrator: their own location's plan,
    which they keep."""
    user = request.user
    opm = permissions.is_opm(user)
    if not opm and not permissions.may_create_own_plan(user):
        raise PermissionDenied(
            "OPM creates COOP plans; an area administrator creates their location's when it "
            "has none."
        )
    locations = permissions.plan_creatable_locations(user).order_by("name")
    form = coop_forms.PlanCreateForm(
        request.POST if request.method == "POST" else None, locations=locations, fixed=not opm
    )
    if not form.is_bound and request.GET.get("location", "").isdigit():
        form.initial["work_location"] = int(request.GET["location"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if opm:
            location, admin = data["work_location"], data["senior_administrator"]
        else:
            location, admin = user.staff.work_location, user
        try:
            plan = services.plan_create(
                actor=user,
                work_location=location,
                senior_administrator=admin,
                hard_copy_location=data["hard_copy_location"],
                assembly_point=data["assembly_point"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            who = "You keep it" if admin.pk == user.pk else f"{admin.get_full_name()} keeps it"
            messages.success(
                request,
                f"COOP plan of {location.name} created. {who}: next, name the key staff, the "
                "emergency procedures and whom to notify, and upload the plan document.",
            )
            return redirect("coop:plan", pk=plan.pk)
    own = None if opm else user.staff.work_location
    return render(request, "coop/plan_new.html", {"form": form, "own_location": own})


@login_required
def plan_administrator(request, pk: int):
    """OPM names another senior administrator."""
    user = request.user
    plan = permissions.access_plan(user, pk)
    if not permissions.is_opm(user):
        raise PermissionDenied("OPM names the senior administrator of a plan.")
    form = coop_forms.AdministratorForm(
        request.POST or None,
        initial={"senior_administrator": plan.senior_administrator_id, "version": plan.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_administrator_change(
                plan=plan,
                actor=user,
                senior_administrator=form.cleaned_data["senior_administrator"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            admin = plan.senior_administrator
            messages.success(
                request,
                f"{admin.get_full_name() or admin.get_username()} is now the senior "
                f"administrator of the COOP plan of {plan.work_location.name}.",
            )
            return redirect("coop:plan", pk=plan.pk)
    return render(request, "coop/plan_administrator.html", {"form": form, "plan": plan})


# --- editing the content (the senior administrator) ------------------------------------------


@login_required
def plan_edit(request, pk: int):
    """Where the hard copy is kept and the assembly point."""
    user = request.user
    plan = permissions.access_administered_plan(user, pk)
    form = coop_forms.PlanPlacesForm(
        request.POST or None,
        initial={
            "hard_copy_location": plan.hard_copy_location,
            "assembly_point": plan.assembly_point,
            "version": plan.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                plan=plan,
                actor=user,
                version=data["version"],
                hard_copy_location=data["hard_copy_location"],
                assembly_point=data["assembly_point"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Plan saved.")
            return redirect("coop:plan", pk=plan.pk)
    return render(request, "coop/plan_edit.html", {"form": form, "plan": plan})


SECTIONS = {
    "key_staff": {
        "title": "Key staff",
        "intro": "Who manages the overall response, and who represents the location at "
        "COOP meetings called by Central Office; each with alternates who stand in.",
        "formset": coop_forms.KeyStaffFormSet,
        "template": "coop/section_key_staff.html",
    },
    "procedures": {
        "title": "Emergency procedures",
        "intro": "What staff do in each emergency. Every plan covers the five standard ones; "
        "add others the location faces (clear an added one's name and steps to remove it).",
        "formset": coop_forms.ProcedureFormSet,
        "template": "coop/section_procedures.html",
    },
    "notifications": {
        "title": "Notification criteria",
        "intro": "Which agency officials and which outside emergency services to notify, how "
        "to reach them, and under what conditions.",
        "formset": coop_forms.NotificationFormSet,
        "template": "coop/section_notifications.html",
    },
}


def _section_initial(plan: CoopPlan, section: str) -> list[dict]:
    if section == "procedures":
        return coop_forms.procedure_initial(plan)
    if section == "key_staff":
        return [
            {
                "duty": p.duty,
                "alternate": p.alternate,
                "user": p.user_id,
                "name": p.name,
                "title": p.title,
                "phone": p.phone,
                "email": p.email,
            }
            for p in plan.key_staff.order_by("duty", "alternate", "pk")
        ]
    return [
        {"audience": n.audience, "who": n.who, "contact": n.contact, "conditions": n.conditions}
        for n in plan.notifications.order_by("audience", "pk")
    ]


def _section_view(section: str):
    spec = SECTIONS[section]

    @login_required
    def view(request, pk: int):
        user = request.user
        plan = permissions.access_administered_plan(user, pk)
        posted = request.method == "POST"
        version_form = coop_forms.VersionForm(
            request.POST if posted else None, initial={"version": plan.version}
        )
        formset = spec["formset"](
            request.POST if posted else None,
            initial=_section_initial(plan, section),
            prefix=section,
        )
        if posted and version_form.is_valid() and formset.is_valid():
            try:
                services.plan_update(
                    plan=plan,
                    actor=user,
                    version=version_form.cleaned_data["version"],
                    **{section: formset.rows()},
                )
            except ValidationError as exc:
                show_service_errors(exc, version_form)
            else:
                messages.success(request, f"{spec['title']} saved.")
                return redirect("coop:plan", pk=plan.pk)
        return render(
            request,
            spec["template"],
            {
                "plan": plan,
                "formset": formset,
                "version_form": version_form,
                "title": spec["title"],
                "intro": spec["intro"],
            },
        )

    view.__name__ = f"plan_{section}"
    view.__doc__ = f"Edit the plan's {spec['title'].lower()} (its senior administrator)."
    return view


plan_key_staff = _section_view("key_staff")
plan_procedures = _section_view("procedures")
plan_notifications = _section_view("notifications")


@login_required
def document_new(request, pk: int):
    """Upload a new version of the plan document (outside the quarterly revision too)."""
    user = request.user
    plan = permissions.access_administered_plan(user, pk)
    form = coop_forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                plan=plan,
                actor=user,
                upload=form.cleaned_data["file"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Version {document.number} of the plan document uploaded. To count it as "
                "this quarter's revision, record the revision.",
            )
            return redirect(reverse("coop:plan", args=[plan.pk]) + "#documents-heading")
    return render(request, "coop/document_new.html", {"form": form, "plan": plan})


urlpatterns = [
    path("my-location/", my_plan, name="my_plan"),
    path("plans/new/", plan_new, name="plan_new"),
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:pk>/key-staff/", plan_key_staff, name="plan_key_staff"),
    path("plans/<int:pk>/procedures/", plan_procedures, name="plan_procedures"),
    path("plans/<int:pk>/notifications/", plan_notifications, name="plan_notifications"),
    path("plans/<int:pk>/administrator/", plan_administrator, name="plan_administrator"),
    path("plans/<int:pk>/documents/new/", document_new, name="document_new"),
    path("plans/<int:pk>/documents/<int:document_pk>/", document_download, name="document"),
]
