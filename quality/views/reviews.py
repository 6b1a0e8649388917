"""Case-review pages: the reviews home (my reviews, the samples), draw a sample, a
sample's reviews with their reviewers, the review itself (rate every item, complete),
and the results per state and office with their drill-down and CSV export.

Every page is in the "reviews" workspace (quality reviewers and the Commissioner's
office; others 403). Writes also need the quality reviewer's permissions: the
Commissioner's office reads everything and changes nothing (403).
"""

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from agency import clock
from agency.forms import show_service_errors
from agency.models import WorkLocation
from agency.permissions import access_object, workspace_required
from casework.models import Case
from quality import reviews as rules_
from quality.models import CaseReview, ItemRating, ReviewInstrument
from quality.selectors import reviews as selectors
from quality.selectors import rules
from quality.services import reviews as services

PAGE_SIZE = 25
WORKSPACE = "reviews"


# --- forms ----------------------------------------------------------------------------------


class SampleDrawForm(forms.Form):
    instrument = forms.ModelChoiceField(
        queryset=ReviewInstrument.objects.filter(active=True), empty_label=None
    )
    work_location = forms.ModelChoiceField(
        label="Office",
        queryset=WorkLocation.objects.filter(
            active=True, kind=WorkLocation.Kind.AREA_OFFICE
        ).order_by("name"),
    )
    case_type = forms.ChoiceField(choices=Case.Type.choices)
    size = forms.IntegerField(label="Number of cases", min_value=1, max_value=500, initial=10)
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=rules_.MAX_SEED,
        help_text="Leave empty for a new random draw. Give the seed of an earlier sample to "
        "draw the same cases again (as long as the eligible cases are the same).",
    )
    label = forms.CharField(
        required=False, max_length=100, help_text='A name for the sample, e.g. "Spring 2026".'
    )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=selectors.reviewers(), empty_label="Choose")
    version = forms.IntegerField(widget=forms.HiddenInput)


class RatingForm(forms.Form):
    """One field pair per item of the instrument: `rating_<id>` and `rationale_<id>`.
    An item left with neither is not sent to the service (rated later)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, sheet: list[selectors.OutcomeRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids = []
        for outcome in sheet:
            for row in outcome.items:
                pk = row.item.pk
                self.item_ids.append(pk)
                self.fields[f"rating_{pk}"] = forms.ChoiceField(
                    label=f"Item {row.item.number} rating",
                    choices=ItemRating.Rating.choices,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=row.rating.rating if row.rating else None,
                )
                self.fields[f"rationale_{pk}"] = forms.CharField(
                    label=f"Item {row.item.number} rationale",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=row.rating.rationale if row.rating else "",
                )

    def ratings(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            pk: (data.get(f"rating_{pk}") or "", data.get(f"rationale_{pk}") or "")
            for pk in self.item_ids
            if data.get(f"rating_{pk}") or (data.get(f"rationale_{pk}") or "").strip()
        }


class ResultsFilterForm(forms.Form):
    instrument = forms.ModelChoiceField(
        queryset=ReviewInstrument.objects.order_by("name"), required=False, empty_label=None
    )
    office = forms.ModelChoiceField(
        queryset=WorkLocation.objects.none(), required=False, empty_label="Whole state"
    )
    completed_from = forms.DateField(
        required=False, label="Completed from", widget=forms.DateInput(attrs={"type": "date"})
    )
    completed_to = forms.DateField(
        required=False, label="Completed to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = selectors.results_offices(user)


# --- helpers --------------------------------------------------------------------------------


def _require_work(user) -> None:
    if not selectors.can_work_reviews(user):
        raise PermissionDenied(
            "The Commissioner's office reads case reviews; it does not change them."
        )


def _posted(request):
    return request.POST if request.method == "POST" else None


# --- pages ----------------------------------------------------------------------------------


@workspace_required(WORKSPACE)
def reviews_home(request):
    """The reviewer's reviews still to finish, and every sample drawn, newest first."""
    mine = selectors.my_reviews(request.user)
    page = Paginator(selectors.sample_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    mine_page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("mine_page"))
    return render(
        request,
        "quality/reviews/home.html",
        {
            "mine": mine_page,
            "page": page,
            "samples": page.object_list,
            "can_work": selectors.can_work_reviews(request.user),
        },
    )


@workspace_required(WORKSPACE)
def sample_new(request):
    """Draw a reproducible random sample of open cases of one office and type."""
    _require_work(request.user)
    form = SampleDrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.sample_draw(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request, f"{sample.size} cases drawn (seed {sample.seed}); assign their reviewers."
            )
            return redirect("quality:review_sample", pk=sample.pk)
    return render(
        request,
        "quality/reviews/sample_new.html",
        {"form": form, "lookback": rules().review_lookback_months},
    )


@workspace_required(WORKSPACE)
def sample_detail(request, pk: int):
    """A sample's cases and their reviews, with the reviewer of each."""
    sample = selectors.access_sample(request.user, pk)
    page = Paginator(selectors.sample_reviews(sample), PAGE_SIZE).get_page(request.GET.get("page"))
    can_work = selectors.can_work_reviews(request.user)
    return render(
        request,
        "quality/reviews/sample.html",
        {
            "sample": sample,
            "page": page,
            "reviews": page.object_list,
            "can_work": can_work,
            "reviewers": list(selectors.reviewers()) if can_work else [],
        },
    )


@require_POST
@workspace_required(WORKSPACE)
def review_assign(request, pk: int):
    review = selectors.access_review(request.user, pk)
    _require_work(request.user)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.review_assign(
                review=review,
                reviewer=form.cleaned_data["reviewer"],
                actor=request.user,
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            reviewer = form.cleaned_data["reviewer"]
            messages.success(
                request, f"Review of {review.case.number} assigned to {reviewer.get_full_name()}."
            )
    else:
        messages.error(request, "Choose a quality reviewer.")
    if review.sample_id:
        return redirect("quality:review_sample", pk=review.sample_id)
    return redirect("quality:review_detail", pk=review.pk)


@workspace_required(WORKSPACE)
def review_detail(request, pk: int):
    """The review: every item of the instrument grouped by outcome, with its questions,
    the rating and its rationale, and each outcome's roll-up. The assigned reviewer
    saves ratings as they go and completes the review once every item is rated."""
    review = selectors.access_review(request.user, pk)
    sheet = selectors.review_sheet(review)
    editable = (
        selectors.can_work_reviews(request.user)
        and review.status != CaseReview.Status.COMPLETED
        and review.reviewer_id in (None, request.user.pk)
    )
    form = RatingForm(_posted(request), sheet=sheet, initial={"version": review.version})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Only the review's reviewer rates it, until it is completed.")
        if form.is_valid():
            version = form.cleaned_data["version"]
            ratings = form.ratings()
            try:
                if ratings:
                    review = services.review_rate(
                        review=review, actor=request.user, version=version, ratings=ratings
                    )
                    version = review.version
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                if "complete" not in request.POST:
                    messages.success(request, "Ratings saved.")
                    return redirect("quality:review_detail", pk=review.pk)
                try:
                    services.review_complete(review=review, actor=request.user, version=version)
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                    if ratings:
                        messages.info(request, "Your ratings were saved.")
                else:
                    messages.success(
                        request, "Review completed: its outcomes count in the results."
                    )
                return redirect("quality:review_detail", pk=review.pk)
    for outcome in sheet:
        for row in outcome.items:
            row.rating_field = form[f"rating_{row.item.pk}"]
            row.rationale_field = form[f"rationale_{row.item.pk}"]
    rated = sum(1 for outcome in sheet for row in outcome.items if row.rating)
    total = sum(len(outcome.items) for outcome in sheet)
    return render(
        request,
        "quality/reviews/review.html",
        {
            "review": review,
            "case": review.case,
            "sheet": sheet,
            "form": form,
            "editable": editable,
            "rated": rated,
            "total": total,
            "can_assign": selectors.can_work_reviews(request.user)
            and review.status != CaseReview.Status.COMPLETED,
            "reviewers": list(selectors.reviewers())
            if selectors.can_work_reviews(request.user)
            else [],
        },
    )


def _results(request):
    form = ResultsFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    instrument = data.get("instrument") or selectors.default_instrument()
    office = data.get("office")
    if office is None and request.GET.get("office"):
        # An office with no reviews (or a bad id) is not in the filter's choices.
        office = access_object(WorkLocation.objects.all(), request.GET["office"])
    page = selectors.review_results(
        request.user,
        instrument=instrument,
        office=office,
        completed_from=data.get("completed_from"),
        completed_to=data.get("completed_to"),
    )
    return form, page


@workspace_required(WORKSPACE)
def review_results(request):
    """Per outcome, how many cases substantially achieved it (of those where it
    applied), and per item the share of strengths: the state with a row per office,
    or one office (?office=) with a row per review, each opening the review."""
    form, results = _results(request)
    query = request.GET.copy()
    query.pop("office", None)
    return render(
        request,
        "quality/reviews/results.html",
        {
            "form": form,
            "results": results,
            "query": query.urlencode(),
            "csv_query": request.GET.urlencode(),
        },
    )


@workspace_required(WORKSPACE)
def review_results_csv(request):
    """The results page's numbers as CSV: one line per level and outcome, then one per
    level and item."""
    _form, results = _results(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    scope = f"office-{results.office.pk}" if results.office else "state"
    response["Content-Disposition"] = (
        f'attachment; filename="case-review-results-{scope}-{clock.today():%Y%m%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["level", "name", "reviews", "outcome", "substantially_achieved", "partially_achieved",
         "not_achieved", "not_applicable", "applicable", "percent_substantially_achieved"]
    )  # fmt: skip
    level = "review" if results.office else "office"
    for kind, row in [("total", results.total), *((level, r) for r in results.rows)]:
        for outcome in row.outcomes:
            writer.writerow(
                [kind, row.label, row.reviews, outcome.outcome.code,
                 *(outcome.counts[key] for key in rules_.OUTCOME_RATINGS),
                 outcome.applicable, "" if outcome.percent is None else outcome.percent]
            )  # fmt: skip
    writer.writerow([])
    writer.writerow(
        ["level", "name", "reviews", "item", "strengths", "areas_needing_improvement",
         "not_applicable", "applicable", "percent_strengths"]
    )  # fmt: skip
    for kind, row in [("total", results.total), *((level, r) for r in results.rows)]:
        for item in row.items:
            writer.writerow(
                [kind, row.label, row.reviews, item.item.number, item.strengths,
                 item.improvements, item.not_applicable, item.applicable,
                 "" if item.percent is None else item.percent]
            )  # fmt: skip
    return response


urlpatterns: list = [
    path("reviews/", reviews_home, name="reviews"),
    path("reviews/samples/new/", sample_new, name="review_sample_new"),
    path("reviews/samples/<int:pk>/", sample_detail, name="review_sample"),
    path("reviews/results/", review_results, name="review_results"),
    path("reviews/results/csv/", review_results_csv, name="review_results_csv"),
    path("reviews/<int:pk>/", review_detail, name="review_detail"),
    path("reviews/<int:pk>/assign/", review_assign, name="review_assign"),
]
