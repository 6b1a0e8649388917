"""Special Qualitative Reviews (confidential): the list of the reviews the user reaches,
opening one from a significant event, the review page (briefing, records examined,
interviews and expert consultations, findings, recommendations, the report), its print
view and recommendations CSV, the access page for grantors, and the de-identified
learning page.

Who reaches what (quality.selectors.sqr):
- a review, its print view, CSV and access page: only users granted that review; anyone
  else (supervisors, administrators, superusers, the Commissioner's office without a
  grant) gets 404, and every reach, granted or refused, is written to the access log;
- writing on a review: the review team (quality reviewers, the Commissioner's office)
  among those granted (403 otherwise); granting: the Commissioner's office (403);
- the list: the "reviews" workspace and anyone granted a review (403 otherwise);
  opening a review: `quality.add_specialqualitativereview` (403), from an event the
  user may see (404); the learning page: the "reviews" workspace (403).
"""

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from agency import clock
from agency.forms import show_service_errors
from agency.permissions import access_object
from quality.models import (
    SpecialQualitativeReview,
    SqrFinding,
    SqrGrant,
    SqrInterview,
    SqrRecommendation,
)
from quality.selectors import sqr as selectors
from quality.services import sqr as services

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
BANNER = "Confidential and privileged, prepared in anticipation of litigation"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UserField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.get_username()
        profile = getattr(user, "staff", None)
        return f"{name} ({profile.get_role_display()})" if profile else name


# --- forms -----------------------------------------------------------------------------------


class ListFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=40, help_text="Review or event reference."
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any step"), *SpecialQualitativeReview.Status.choices]
    )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Step of the review", choices=[])
    briefing_held_on = forms.DateField(
        label="Briefing meeting held on", required=False, widget=DATE
    )
    briefing_participants = forms.CharField(
        label="Who took part in the briefing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="From the region, office or facility, the Commissioner's office and "
        "Central Office. One per line.",
    )
    records_examined = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Electronic and paper records, one per line.",
    )
    report = forms.CharField(
        label="The report",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="The narrative of the report.",
    )

    def __init__(self, *args, review: SpecialQualitativeReview, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = {review.status, *services.TRANSITIONS[review.status]} - {
            SpecialQualitativeReview.Status.FINAL
        } | {review.status}
        self.fields["status"].choices = [
            (value, label)
            for value, label in SpecialQualitativeReview.Status.choices
            if value in allowed
        ]
        if review.status in services.LOCKED:
            for name in ("briefing_held_on", "briefing_participants", "records_examined", "report"):
                self.fields[name].disabled = True

    @classmethod
    def initial_for(cls, review: SpecialQualitativeReview) -> dict:
        return {name: getattr(review, name) for name in ("version", *services.REVIEW_FIELDS)}


class InterviewForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=SqrInterview.Kind.choices)
    who = forms.CharField(
        label="Who", max_length=200, help_text="Name and role, or the expert's field."
    )
    held_on = forms.DateField(label="Held on", widget=DATE)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class FindingForm(forms.Form):
    area = forms.ChoiceField(label="Core area", choices=SqrFinding.Area.choices)
    scope = forms.ChoiceField(
        label="Internal or external", choices=SqrFinding.Scope.choices, widget=forms.RadioSelect
    )
    theme = forms.CharField(
        max_length=100,
        help_text="A short theme, counted on the learning page for all quality staff: never "
        "a name. Choose one offered, or type a new one.",
        widget=forms.TextInput(attrs={"list": "sqr-themes"}),
    )
    finding = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class RecommendationForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owner = _UserField(queryset=selectors.recommendation_owners(), empty_label="- Choose -")
    due_on = forms.DateField(label="Due on", widget=DATE)


class RecommendationStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=SqrRecommendation.Status.choices)
    completed_on = forms.DateField(
        label="Done on", required=False, widget=DATE, help_text="When done; today if empty."
    )


class FinalizeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class GrantForm(forms.Form):
    user = _UserField(label="Person", queryset=None, empty_label="- Choose -")

    def __init__(self, *args, review: SpecialQualitativeReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.grantable_users(review)


class ShareForm(forms.Form):
    shared_with = forms.CharField(
        label="Shared with", max_length=200, help_text="Person and organisation."
    )
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    authorized_by = _UserField(
        label="Authorized by",
        queryset=selectors.commissioners_office_users(),
        empty_label="- Choose -",
        help_text="The Commissioner or a designee in the Commissioner's office.",
    )
    shared_on = forms.DateField(label="Shared on", widget=DATE)


# --- helpers ---------------------------------------------------------------------------------


READ_ONLY = "Those granted access to read a review do not change it."


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _detail(request, review: SpecialQualitativeReview, status: int = 200, **forms_):
    """The review page, with any bound form that failed in place of its empty one."""
    user = request.user
    can_work = selectors.can_work(user)
    sections = selectors.review_sections(review)
    today = clock.today()
    context = {
        "review": review,
        "event": review.event,
        "banner": BANNER,
        "can_work": can_work,
        "locked": review.status in services.LOCKED,
        "can_grant": selectors.can_grant(user, review),
        "themes": services.THEMES,
        "today": today,
        "review_form": forms_.get("review_form")
        or ReviewForm(review=review, initial=ReviewForm.initial_for(review)),
        "interview_form": forms_.get("interview_form") or InterviewForm(),
        "finding_form": forms_.get("finding_form") or FindingForm(),
        "recommendation_form": forms_.get("recommendation_form"),
        "recommendation_finding": forms_.get("recommendation_finding"),
        "owners": list(selectors.recommendation_owners()) if can_work else [],
        "statuses": SqrRecommendation.Status.choices,
        **sections,
    }
    return render(request, "quality/sqr/detail.html", context, status=status)


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- the list, opening, learning -------------------------------------------------------------


@login_required
def review_list(request):
    """The reviews the user reaches (only those), newest first."""
    user = request.user
    _require(selectors.can_list(user), "Special Qualitative Reviews are quality staff's work.")
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reviews = selectors.review_list(
        user, query=filters.get("q", ""), status=filters.get("status", "")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "quality/sqr/list.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(filters.get("q") or filters.get("status")),
            "querystring": query.urlencode(),
            "can_read_learning": selectors.can_read_learning(user),
        },
    )


@login_required
def review_new(request):
    """Open a review of a significant event (?event=<id>): the opener reaches it at once;
    the Commissioner's office grants everyone else."""
    user = request.user
    _require(
        selectors.can_open_reviews(user),
        "Quality reviewers and the Commissioner's office open reviews.",
    )
    event = selectors.openable_event(user, request.GET.get("event"))
    mine = list(selectors.my_reviews_of_event(user, event))
    error = ""
    if request.method == "POST":
        try:
            review = services.review_open(event=event, actor=user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"{review.reference} opened. Only you reach it until the Commissioner's "
                "office grants others access.",
            )
            return redirect("quality:sqr_detail", pk=review.pk)
    return render(request, "quality/sqr/new.html", {"event": event, "mine": mine, "error": error})


@login_required
def learning(request):
    """Findings across reviews with a final report, counted by core area, internal or
    external, and theme: no reference, name, event or text (CSV with ?format=csv)."""
    _require(
        selectors.can_read_learning(request.user),
        "The learning page is for quality staff and the Commissioner's office.",
    )
    result = selectors.learning()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sqr-learning.csv"'
        writer = csv.writer(response)
        if result.enough:
            writer.writerow(["Core area", "Theme", "Internal", "External", "Findings", "Reviews"])
            for row in result.themes:
                writer.writerow(
                    [
                        row.area_label,
                        _cell(row.theme),
                        row.internal,
                        row.external,
                        row.findings,
                        row.reviews,
                    ]
                )
        else:
            writer.writerow([result.summary])
        return response
    return render(
        request,
        "quality/sqr/learning.html",
        {"learning": result, "min_reviews": selectors.MIN_REVIEWS},
    )


# --- one review ------------------------------------------------------------------------------


@login_required
def review_detail(request, pk: int):
    review = selectors.access_review(request.user, pk, action="view", what="review page")
    return _detail(request, review)


@require_POST
@login_required
def review_edit(request, pk: int):
    user = request.user
    review = selectors.access_review(user, pk, action="change", what="briefing, records, report")
    _require(selectors.can_work(user), READ_ONLY)
    form = ReviewForm(request.POST, review=review, initial=ReviewForm.initial_for(review))
    if form.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in services.REVIEW_FIELDS
            if name in data and not form.fields[name].disabled
        }
        try:
            services.review_update(review=review, actor=user, version=data["version"], **fields)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "The review is saved.")
            return redirect("quality:sqr_detail", pk=review.pk)
    return _detail(request, review, status=400, review_form=form)


@require_POST
@login_required
def review_finalize(request, pk: int):
    user = request.user
    review = selectors.access_review(user, pk, action="change", what="finalized the report")
    _require(selectors.can_work(user), READ_ONLY)
    form = FinalizeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"version": ["Reload the page and try again."]})
        services.review_finalize(review=review, actor=user, version=form.cleaned_data["version"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The report is final.")
    return redirect("quality:sqr_detail", pk=review.pk)


def _section_add(request, pk, *, what, form_class, service, done, anchor, form_name):
    """Add an interview or a finding to a review: the same steps, another form."""
    user = request.user
    review = selectors.access_review(user, pk, action="change", what=what)
    _require(selectors.can_work(user), READ_ONLY)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(review=review, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, done)
            return redirect(f"{review_url(review)}#{anchor}")
    return _detail(request, review, status=400, **{form_name: form})


@require_POST
@login_required
def interview_add(request, pk: int):
    return _section_add(
        request,
        pk,
        what="added an interview",
        form_class=InterviewForm,
        service=services.interview_add,
        done="Interview recorded.",
        anchor="interviews",
        form_name="interview_form",
    )


@require_POST
@login_required
def finding_add(request, pk: int):
    return _section_add(
        request,
        pk,
        what="added a finding",
        form_class=FindingForm,
        service=services.finding_add,
        done="Finding recorded.",
        anchor="findings",
        form_name="finding_form",
    )


@require_POST
@login_required
def recommendation_add(request, pk: int):
    user = request.user
    review = selectors.access_review(user, pk, action="change", what="added a recommendation")
    _require(selectors.can_work(user), READ_ONLY)
    form = RecommendationForm(request.POST)
    finding = None
    if form.is_valid():
        finding = access_object(review.findings.all(), form.cleaned_data["finding"])
        data = {k: v for k, v in form.cleaned_data.items() if k != "finding"}
        try:
            services.recommendation_add(finding=finding, actor=user, **data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Recommendation recorded.")
            return redirect(f"{review_url(review)}#finding-{finding.pk}")
    return _detail(
        request,
        review,
        status=400,
        recommendation_form=form,
        recommendation_finding=finding.pk if finding else form.data.get("finding"),
    )


@require_POST
@login_required
def recommendation_update(request, pk: int, rec: int):
    user = request.user
    review = selectors.access_review(user, pk, action="change", what="recommendation status")
    recommendation = access_object(
        SqrRecommendation.objects.filter(finding__review=review).select_related("finding"), rec
    )
    form = RecommendationStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"status": ["Choose a status."]})
        data = form.cleaned_data
        fields = {"status": data["status"]}
        if data.get("completed_on"):
            fields["completed_on"] = data["completed_on"]
        services.recommendation_update(
            recommendation=recommendation, actor=user, version=data["version"], **fields
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Recommendation updated.")
    return redirect(f"{review_url(review)}#finding-{recommendation.finding_id}")


def review_url(review: SpecialQualitativeReview) -> str:
    return services.review_link(review)


@login_required
def review_print(request, pk: int):
    """The whole review as a document to print or save as PDF, marked confidential and
    privileged on top and bottom."""
    review = selectors.access_review(request.user, pk, action="print", what="print view")
    context = {
        "review": review,
        "event": review.event,
        "banner": BANNER,
        "printed_by": request.user,
        "printed_at": clock.now(),
        **selectors.review_sections(review),
    }
    return render(request, "quality/sqr/print.html", context)


@login_required
def recommendations_csv(request, pk: int):
    """The review's recommendations, for following them up in a spreadsheet."""
    review = selectors.access_review(request.user, pk, action="export", what="recommendations CSV")
    sections = selectors.review_sections(review)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{review.reference}-recommendations.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([f"{review.reference}. {BANNER}."])
    writer.writerow(
        ["Core area", "Internal or external", "Theme", "Recommendation", "Owner", "Due on",
         "Status", "Done on"]
    )  # fmt: skip
    for finding in sections["findings"]:
        for rec in finding.recommendations.all():
            writer.writerow(
                [
                    finding.get_area_display(),
                    finding.get_scope_display(),
                    _cell(finding.theme),
                    _cell(rec.recommendation),
                    rec.owner.get_full_name() or rec.owner.get_username(),
                    rec.due_on.isoformat(),
                    rec.get_status_display(),
                    rec.completed_on.isoformat() if rec.completed_on else "",
                ]
            )
    return response


# --- access ----------------------------------------------------------------------------------


def _access_page(request, review, *, status: int = 200, grant_form=None, share_form=None):
    log = Paginator(selectors.access_log(review), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/sqr/access.html",
        {
            "review": review,
            "banner": BANNER,
            "grants": list(selectors.review_grants(review)),
            "log": log,
            "shares": list(selectors.external_shares(review)),
            "grant_form": grant_form or GrantForm(review=review),
            "share_form": share_form or ShareForm(initial={"shared_on": clock.today()}),
        },
        status=status,
    )


@login_required
def access_page(request, pk: int):
    """For grantors holding access: who has access and who granted it, the access log,
    and the sharing outside the agency."""
    user = request.user
    review = selectors.access_review(user, pk, action="view", what="access page")
    _require(
        selectors.can_grant(user, review),
        "Only the Commissioner's office grants access and reads the access log.",
    )
    return _access_page(request, review)


@require_POST
@login_required
def access_grant(request, pk: int):
    user = request.user
    review = selectors.access_review(user, pk, action="grant", what="access page")
    _require(selectors.can_grant(user, review), "Only the Commissioner's office grants access.")
    form = GrantForm(request.POST, review=review)
    if form.is_valid():
        grantee = form.cleaned_data["user"]
        try:
            services.access_grant(review=review, user=grantee, actor=user)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            name = grantee.get_full_name() or grantee.get_username()
            messages.success(request, f"{name} now has access to {review.reference}.")
            return redirect("quality:sqr_access", pk=review.pk)
    return _access_page(request, review, status=400, grant_form=form)


@require_POST
@login_required
def access_revoke(request, pk: int, grant: int):
    user = request.user
    review = selectors.access_review(user, pk, action="revoke", what="access page")
    _require(selectors.can_grant(user, review), "Only the Commissioner's office revokes access.")
    row = access_object(
        SqrGrant.objects.filter(review=review, revoked_at__isnull=True).select_related("user"),
        grant,
    )
    try:
        services.access_revoke(review=review, user=row.user, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        name = row.user.get_full_name() or row.user.get_username()
        messages.success(request, f"{name} no longer has access to {review.reference}.")
    return redirect("quality:sqr_access", pk=review.pk)


@require_POST
@login_required
def share_record(request, pk: int):
    user = request.user
    review = selectors.access_review(user, pk, action="change", what="recorded a share")
    _require(
        selectors.can_grant(user, review),
        "The Commissioner's office records sharing outside the agency.",
    )
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            services.external_share_record(review=review, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "The sharing outside the agency is recorded.")
            return redirect("quality:sqr_access", pk=review.pk)
    return _access_page(request, review, status=400, share_form=form)


urlpatterns = [
    path("sqr/", review_list, name="sqr_list"),
    path("sqr/new/", review_new, name="sqr_new"),
    path("sqr/learning/", learning, name="sqr_learning"),
    path("sqr/<int:pk>/", review_detail, name="sqr_detail"),
    path("sqr/<int:pk>/edit/", review_edit, name="sqr_edit"),
    path("sqr/<int:pk>/finalize/", review_finalize, name="sqr_finalize"),
    path("sqr/<int:pk>/interviews/", interview_add, name="sqr_interview_add"),
    path("sqr/<int:pk>/findings/", finding_add, name="sqr_finding_add"),
    path("sqr/<int:pk>/recommendations/", recommendation_add, name="sqr_recommendation_add"),
    path(
        "sqr/<int:pk>/recommendations/<int:rec>/",
        recommendation_update,
        name="sqr_recommendation_update",
    ),
    path("sqr/<int:pk>/print/", review_print, name="sqr_print"),
    path("sqr/<int:pk>/recommendations.csv", recommendations_csv, name="sqr_recommendations_csv"),
    path("sqr/<int:pk>/access/", access_page, name="sqr_access"),
    path("sqr/<int:pk>/access/grant/", access_grant, name="sqr_access_grant"),
    path("sqr/<int:pk>/access/<int:grant>/revoke/", access_revoke, name="sqr_access_revoke"),
    path("sqr/<int:pk>/shares/", share_record, name="sqr_share"),
]
