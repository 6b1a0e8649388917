"""Casework pages: supervision. The monthly supervisory case review with its agreed next
steps, the worker's acknowledgement, next steps marked done, the supervisor's month
(which cases had a review), and reflective and group supervision notes per unit.

Who may do what (casework.services.supervision decides, these pages ask first):
- reading reviews needs `casework.view_supervisoryreview` (403 otherwise: Ombudsman,
  OPM) and a case the user may see (404 otherwise);
- recording and changing a review: the case's supervisor (403 for its workers);
- acknowledging: the review's worker; marking a next step done: its owner (403 others);
- the month: supervisors (their units), area administrators (their office);
- supervision notes: the unit's members, supervisor and area administrator read them
  (404 for anyone else); the unit's supervisor writes them (403 for the others).
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from agency import clock
from agency.forms import show_service_errors
from agency.permissions import access_object, user_role, workspace_required
from agency.roles import Role
from casework.audit import record_view
from casework.forms.supervision import (
    AcknowledgeForm,
    NextStepDoneForm,
    NextStepFormSet,
    ReviewEditForm,
    ReviewForm,
    SupervisionNoteEditForm,
    SupervisionNoteForm,
    show_step_errors,
)
from casework.models import Case, NextStep, SupervisoryReview
from casework.permissions import access_case
from casework.selectors import supervision as selectors
from casework.services import supervision as services

STEPS_PREFIX = "steps"


def _require_reader(user) -> None:
    if not user.has_perm(selectors.VIEW_REVIEWS):
        raise PermissionDenied("Your role does not read supervisory reviews.")


def _review(request, pk) -> SupervisoryReview:
    """A review of a case the user may see, with its case, people and next steps."""
    _require_reader(request.user)
    return access_object(selectors.review_queryset(selectors.visible_reviews(request.user)), pk)


def _case_to_supervise(request, case_id) -> Case:
    _require_reader(request.user)
    case = access_case(request.user, case_id)
    if not selectors.may_supervise(request.user, case):
        raise PermissionDenied("Only the case's supervisor records supervisory reviews.")
    return case


def _form_page(request, *, case, form, formset, review=None, done_steps=(), status=200):
    this_month = None
    if review is None:
        latest = SupervisoryReview.objects.filter(case=case).order_by("-held_on", "-pk").first()
        this_month = latest if selectors.reviewed_in_month(latest, clock.today()) else None
    return render(
        request,
        "casework/supervision/review_form.html",
        {
            "case": case,
            "form": form,
            "formset": formset,
            "review": review,
            "done_steps": done_steps,
            "this_month": this_month,
        },
        status=status,
    )


def _new_rows(formset) -> list:
    """The rows of a new review: nothing to change or remove yet."""
    rows = []
    for form, step in formset.steps():
        if step.get("remove"):
            continue
        rows.append((form, {k: v for k, v in step.items() if k in services.STEP_FIELDS}))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request, case_id: int):
    """The supervisor records this month's review of a case with its next steps."""
    user = request.user
    case = _case_to_supervise(request, case_id)
    if case.status != Case.Status.OPEN:
        messages.info(request, f"Case {case.number} is closed; reviews are for open cases.")
        return redirect("casework:case_detail", pk=case.pk)
    workers = services.case_workers(case)
    owners = services.step_owners(case, user)
    if request.method == "POST":
        form = ReviewForm(request.POST, workers=workers)
        formset = NextStepFormSet(request.POST, owners=owners, prefix=STEPS_PREFIX)
        valid = form.is_valid()
        if formset.is_valid() and valid:
            rows = _new_rows(formset)
            try:
                steps = [step for _, step in rows]
                review = services.review_record(
                    case=case, actor=user, next_steps=steps, **form.cleaned_data
                )
            except ValidationError as exc:
                show_step_errors(exc, [row for row, _ in rows], form)
            else:
                count = len(steps)
                messages.success(
                    request,
                    "Supervisory review recorded"
                    + (f" with {count} next step{'s' if count != 1 else ''}" if count else "")
                    + f"; {services.display_name(review.worker)} is asked to acknowledge it.",
                )
                return redirect("casework:case_detail", pk=case.pk)
        return _form_page(request, case=case, form=form, formset=formset, status=400)
    form = ReviewForm(
        workers=workers, initial={"held_on": clock.today(), "worker": case.primary_worker_id}
    )
    formset = NextStepFormSet(owners=owners, prefix=STEPS_PREFIX)
    return _form_page(request, case=case, form=form, formset=formset)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk: int):
    """The supervisor corrects a review and its next steps not yet done (with the version
    they read: a change made by someone else in between is refused)."""
    user = request.user
    review = _review(request, pk)
    case = _case_to_supervise(request, review.case_id)
    workers = services.case_workers(case)
    if review.worker_id not in {w.pk for w in workers}:
        workers.append(review.worker)
    steps = list(review.next_steps.all())
    open_steps = [s for s in steps if s.done_on is None]
    owners = services.step_owners(case, review.supervisor)
    for person in [user, *(s.owner for s in open_steps)]:
        if person.pk not in {o.pk for o in owners}:
            owners.append(person)
    done_steps = [s for s in steps if s.done_on is not None]
    if request.method == "POST":
        form = ReviewEditForm(request.POST, workers=workers)
        formset = NextStepFormSet(
            request.POST,
            owners=owners,
            prefix=STEPS_PREFIX,
            initial=[_step_initial(s) for s in open_steps],
        )
        valid = form.is_valid()
        if formset.is_valid() and valid:
            rows = formset.steps()
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.review_update(
                    review=review,
                    actor=user,
                    version=version,
                    next_steps=[step for _, step in rows],
                    **data,
                )
            except ValidationError as exc:
                show_step_errors(exc, [row for row, _ in rows], form)
            else:
                messages.success(request, "Supervisory review saved.")
                return redirect("casework:supervision_review", pk=review.pk)
        return _form_page(
            request,
            case=case,
            form=form,
            formset=formset,
            review=review,
            done_steps=done_steps,
            status=400,
        )
    form = ReviewEditForm(
        workers=workers,
        initial={
            "held_on": review.held_on,
            "worker": review.worker_id,
            "focus_areas": review.focus_areas,
            "discussion": review.discussion,
            "clinical_guidance": review.clinical_guidance,
            "version": review.version,
        },
    )
    formset = NextStepFormSet(
        owners=owners, prefix=STEPS_PREFIX, initial=[_step_initial(s) for s in open_steps]
    )
    return _form_page(
        request, case=case, form=form, formset=formset, review=review, done_steps=done_steps
    )


def _step_initial(step: NextStep) -> dict:
    return {
        "id": step.pk,
        "description": step.description,
        "owner": step.owner_id,
        "due_on": step.due_on,
    }


@login_required
def review_detail(request, pk: int):
    """One review: focus, discussion, guidance, next steps with their state, and the
    acknowledgement (the form for the worker, the state for everybody else)."""
    review = _review(request, pk)
    record_view(user=request.user, channel="page", case=review.case)
    return _detail_page(request, review)


def _detail_page(request, review, *, ack_form=None, status=200):
    user = request.user
    selectors.shape_reviews([review], today=clock.today())
    may_acknowledge = user.pk == review.worker_id and review.acknowledged_at is None
    if may_acknowledge and ack_form is None:
        ack_form = AcknowledgeForm(initial={"version": review.version})
    return render(
        request,
        "casework/supervision/review_detail.html",
        {
            "review": review,
            "case": review.case,
            "may_edit": review.case.status == Case.Status.OPEN
            and selectors.may_supervise(user, review.case),
            "may_acknowledge": may_acknowledge,
            "ack_form": ack_form,
        },
        status=status,
    )


@login_required
@require_POST
def review_acknowledge(request, pk: int):
    """The review's worker acknowledges it, with an optional comment."""
    review = _review(request, pk)
    if request.user.pk != review.worker_id:
        raise PermissionDenied("Only the review's worker acknowledges it.")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.review_acknowledge(review=review, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            # Shown at the top: the form comes back with the comment kept and the
            # review as it is now (its current version).
            messages.error(request, "The review was not acknowledged. " + " ".join(exc.messages))
        else:
            messages.success(request, "Review acknowledged; your supervisor sees it.")
            target = request.POST.get("next", "")
            if target == "case":
                return redirect("casework:case_detail", pk=review.case_id)
            if target == "mine":
                return redirect("casework:supervision_mine")
            return redirect("casework:supervision_review", pk=review.pk)
    review = _review(request, pk)
    return _detail_page(request, review, ack_form=form, status=400)


@login_required
def case_reviews(request, case_id: int):
    """Every supervisory review of a case, newest first."""
    _require_reader(request.user)
    case = access_case(request.user, case_id)
    record_view(user=request.user, channel="page", case=case)
    reviews = selectors.case_reviews(case, today=clock.today())
    return render(
        request,
        "casework/supervision/case_reviews.html",
        {
            "case": case,
            "reviews": reviews,
            "may_record": case.status == Case.Status.OPEN
            and selectors.may_supervise(request.user, case),
        },
    )


# --- next steps and the worker's list ------------------------------------------------------------


@workspace_required("casework")
def my_supervision(request):
    """The worker's supervision: reviews of their cases (those to acknowledge first) and
    the next steps they own."""
    user = request.user
    _require_reader(user)
    today = clock.today()
    reviews = selectors.my_reviews(user, today=today)
    return render(
        request,
        "casework/supervision/mine.html",
        {
            "reviews": reviews,
            "to_acknowledge": sum(1 for r in reviews if r.acknowledged_at is None),
            "steps": selectors.my_next_steps(user, today=today),
            "note_units": list(selectors.note_units(user)),
            "oversees": selectors.overseen_units(user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def next_step_done(request, pk: int):
    """The step's owner marks it done (date, optional note)."""
    user = request.user
    _require_reader(user)
    step = access_object(
        selectors.visible_next_steps(user).select_related("review", "case", "owner"), pk
    )
    if step.owner_id != user.pk:
        raise PermissionDenied("Only the step's owner marks it done.")
    if step.done_on is not None:
        messages.info(request, f"This step was marked done on {step.done_on:%-d %b %Y}.")
        return redirect("casework:supervision_review", pk=step.review_id)
    if request.method == "POST":
        form = NextStepDoneForm(request.POST)
        if form.is_valid():
            try:
                services.next_step_complete(step=step, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, f"Next step done: {step.description}")
                if request.POST.get("next") == "mine":
                    return redirect("casework:supervision_mine")
                return redirect("casework:case_detail", pk=step.case_id)
        status = 400
    else:
        form = NextStepDoneForm(initial={"done_on": clock.today(), "version": step.version})
        status = 200
    step.state = selectors.step_state(step, today=clock.today())
    return render(
        request,
        "casework/supervision/step_done.html",
        {"step": step, "case": step.case, "form": form, "next": request.GET.get("next", "")},
        status=status,
    )


# --- the supervisor's month ----------------------------------------------------------------------


def _month(value: str, today: date) -> tuple[date, str]:
    """The first day of the month asked for (?month=YYYY-MM), and an error to show."""
    this_month = today.replace(day=1)
    if not value:
        return this_month, ""
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return this_month, f"“{value}” is not a month (YYYY-MM); showing this month."
    if chosen > this_month:
        return this_month, "That month has not started yet; showing this month."
    return chosen, ""


@workspace_required("casework")
def supervision_reviews(request):
    """The supervisor's month: for each worker of the units they oversee, each case open
    during the month and whether it had a supervisory review (date, acknowledged or
    not), with counts per worker and unit. ?month=YYYY-MM picks the month; ?unit= one
    unit."""
    user = request.user
    if not (user.is_superuser or user_role(user) in (Role.SUPERVISOR, Role.AREA_ADMINISTRATOR)):
        raise PermissionDenied("The month's supervisory reviews are for supervisors.")
    today = clock.today()
    month, month_error = _month(request.GET.get("month", "").strip(), today)
    units = list(selectors.overseen_units(user))
    chosen = request.GET.get("unit", "")
    shown = [u for u in units if str(u.pk) == chosen] or units
    blocks = selectors.supervision_month(shown, month=month)
    last = selectors.month_bounds(month)[1]
    return render(
        request,
        "casework/supervision/month.html",
        {
            "blocks": blocks,
            "units": units,
            "unit_choice": chosen if len(shown) == 1 and len(units) > 1 else "",
            "month": month,
            "month_slug": f"{month:%Y-%m}",
            "this_month_slug": f"{today:%Y-%m}",
            "is_this_month": month == today.replace(day=1),
            "month_error": month_error,
            "last_day": last,
            "reviewed": sum(b.reviewed for b in blocks),
            "total": sum(b.total for b in blocks),
        },
    )


# --- supervision notes ---------------------------------------------------------------------------


@workspace_required("casework")
def notes_index(request):
    """The units whose supervision notes the user reads."""
    units = list(selectors.note_units(request.user))
    if len(units) == 1:
        return redirect("casework:supervision_notes", unit_id=units[0].pk)
    return render(request, "casework/supervision/notes_index.html", {"units": units})


@workspace_required("casework")
def unit_notes(request, unit_id: int):
    """A unit's reflective and group supervision notes, newest first."""
    unit = selectors.access_note_unit(request.user, unit_id)
    notes = selectors.note_queryset(unit.supervision_notes.all()).order_by("-held_on", "-pk")
    return render(
        request,
        "casework/supervision/notes.html",
        {
            "unit": unit,
            "notes": list(notes[:100]),
            "may_write": selectors.may_write_notes(request.user, unit),
        },
    )


def _unit_to_write(request, unit_id):
    unit = selectors.access_note_unit(request.user, unit_id)
    if not selectors.may_write_notes(request.user, unit):
        raise PermissionDenied("Only the unit's supervisor records its supervision notes.")
    return unit


@workspace_required("casework")
@require_http_methods(["GET", "POST"])
def note_new(request, unit_id: int):
    unit = _unit_to_write(request, unit_id)
    members = list(selectors.unit_members(unit))
    form = SupervisionNoteForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_record(unit=unit, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{note.get_kind_display()} notes recorded.")
            return redirect("casework:supervision_note", pk=note.pk)
    return render(
        request,
        "casework/supervision/note_form.html",
        {"unit": unit, "form": form, "note": None},
        status=400 if request.method == "POST" else 200,
    )


@workspace_required("casework")
def note_detail(request, pk: int):
    note = selectors.access_note(request.user, pk)
    return render(
        request,
        "casework/supervision/note_detail.html",
        {
            "note": note,
            "unit": note.unit,
            "may_write": selectors.may_write_notes(request.user, note.unit),
        },
    )


@workspace_required("casework")
@require_http_methods(["GET", "POST"])
def note_edit(request, pk: int):
    note = selectors.access_note(request.user, pk)
    unit = _unit_to_write(request, note.unit_id)
    members = list(selectors.unit_members(unit))
    attendee_ids = [a.pk for a in note.attendees.all()]
    for person in note.attendees.all():  # a former member stays listed
        if person.pk not in {m.pk for m in members}:
            members.append(person)
    if request.method == "POST":
        form = SupervisionNoteEditForm(request.POST, members=members)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.note_update(note=note, actor=request.user, version=version, **data)
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, "Supervision notes saved.")
                return redirect("casework:supervision_note", pk=note.pk)
    else:
        form = SupervisionNoteEditForm(
            members=members,
            initial={
                "kind": note.kind,
                "held_on": note.held_on,
                "attendees": attendee_ids,
                "topics": note.topics,
                "notes": note.notes,
                "version": note.version,
            },
        )
    return render(
        request,
        "casework/supervision/note_form.html",
        {"unit": unit, "form": form, "note": note},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns: list = [
    path("supervision/reviews/", supervision_reviews, name="supervision_reviews"),
    path("supervision/mine/", my_supervision, name="supervision_mine"),
    path("cases/<int:case_id>/supervision/", case_reviews, name="supervision_case_reviews"),
    path("cases/<int:case_id>/supervision/new/", review_new, name="supervision_review_new"),
    path("supervision/reviews/<int:pk>/", review_detail, name="supervision_review"),
    path("supervision/reviews/<int:pk>/edit/", review_edit, name="supervision_review_edit"),
    path(
        "supervision/reviews/<int:pk>/acknowledge/",
        review_acknowledge,
        name="supervision_review_acknowledge",
    ),
    path("supervision/next-steps/<int:pk>/done/", next_step_done, name="next_step_done"),
    path("supervision/notes/", notes_index, name="supervision_notes_index"),
    path("supervision/units/<int:unit_id>/notes/", unit_notes, name="supervision_notes"),
    path("supervision/units/<int:unit_id>/notes/new/", note_new, name="supervision_note_new"),
    path("supervision/notes/<int:pk>/", note_detail, name="supervision_note"),
    path("supervision/notes/<int:pk>/edit/", note_edit, name="supervision_note_edit"),
]
