"""Significant events: the list, recording one (from the list or from a case page),
the event page with its history, correcting it, and the aggregate report.

Who may do what (quality.selectors.events):
- record: users with `quality.add_significantevent` (casework roles, quality staff, the
  Commissioner's office); others get 403;
- the list: users with `quality.view_significantevent`; each sees the events
  `visible_events` lets them see; others get 403;
- one event: `access_event`, 404 for an event the user may not see; correcting it needs
  `quality.change_significantevent` or to have recorded it (403 otherwise);
- the report: quality reviewers, the Commissioner's office (statewide) and area
  administrators (their office); 403 for others.
"""

import csv
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from agency import clock, periods
from agency.forms import FastFilterForm, show_service_errors
from agency.models import Region, WorkLocation
from casework.models import Case, Person
from casework.permissions import access_case
from casework.selectors import visible_cases
from quality.models import SignificantEvent
from quality.selectors import events as selectors
from quality.services import events as services

PAGE_SIZE = 25
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
_DATETIME_FORMATS = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _choices(choices, blank: str = "- Choose -") -> list[tuple[str, str]]:
    return [("", blank), *choices]


class _LocationField(forms.ModelChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class _PersonsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person) -> str:
        return person.full_name


# --- forms -----------------------------------------------------------------------------------


class EventForm(forms.Form):
    """An event's details. The people concerned are chosen among those on the case the
    form was opened for (`case`); a case typed by number links it, and its people can be
    named on the edit page."""

    kind = forms.ChoiceField(label="Kind of event", choices=_choices(SignificantEvent.Kind.choices))
    occurred_at = forms.DateTimeField(
        label="When it happened",
        help_text="Eastern time; it cannot be in the future.",
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    work_location = _LocationField(
        label="Agency location concerned",
        queryset=WorkLocation.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="- None -",
        help_text="The office or facility of the agency, if any.",
    )
    facility = forms.CharField(
        label="Facility, home or place",
        max_length=200,
        required=False,
        help_text="Where it happened, when it is not an agency location or to say more "
        "precisely (e.g. the hospital, the foster home).",
    )
    case_number = forms.CharField(
        label="Case number",
        max_length=20,
        required=False,
        help_text="Optional. Only a case you may see can be linked.",
    )
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 8}))
    reporter = forms.CharField(
        label="Reported by",
        max_length=200,
        help_text="Who reported it, and their role or relationship (e.g. hospital social "
        "worker, foster parent).",
    )

    def __init__(self, *args, user, case: Case | None = None, fixed_case: bool = False, **kw):
        """`case`: the case whose people may be named. `fixed_case`: the case comes from
        the page (?case=) and is not typed."""
        super().__init__(*args, **kw)
        self.user = user
        self.case = case
        if fixed_case:
            del self.fields["case_number"]
        if case is not None:
            self.fields["persons"] = _PersonsField(
                label="People concerned",
                help_text=f"People on case {case.number} whom the event concerns.",
                queryset=Person.objects.filter(case_memberships__case=case)
                .distinct()
                .order_by("last_name", "first_name", "pk"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean_case_number(self) -> Case | None:
        number = self.cleaned_data["case_number"].strip()
        if not number:
            return None
        if self.case is not None and number.lower() == self.case.number.lower():
            return self.case  # the linked case stays linked, seen or not
        case = visible_cases(self.user).filter(number__iexact=number).first()
        if case is None:
            raise ValidationError("No case you may see has this number.")
        return case

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["case"] = data.pop("case_number") if "case_number" in data else self.case
        if "persons" in data:
            data["persons"] = list(data["persons"])
        data.pop("version", None)
        return data


class EventEditForm(EventForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, event: SignificantEvent, **kwargs):
        super().__init__(*args, case=event.case, **kwargs)
        self.event = event

    def clean_occurred_at(self):
        # The input shows minutes; an untouched value keeps the stored seconds.
        value = self.cleaned_data["occurred_at"]
        stored = self.event.occurred_at
        return stored if value == stored.replace(second=0, microsecond=0) else value

    @staticmethod
    def initial_for(event: SignificantEvent) -> dict[str, Any]:
        return {
            "kind": event.kind,
            "occurred_at": timezone.localtime(event.occurred_at).strftime(LOCAL_INPUT),
            "work_location": event.work_location_id,
            "facility": event.facility,
            "case_number": event.case.number if event.case else "",
            "persons": [p.pk for p in event.persons.all()],
            "description": event.description,
            "reporter": event.reporter,
            "version": event.version,
        }


class EventFilterForm(FastFilterForm):
    q = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Reference or description."
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=_choices(SignificantEvent.Kind.choices, "Any")
    )
    region = forms.TypedChoiceField(label="Region", required=False, coerce=int, empty_value=None)
    location = forms.TypedChoiceField(
        label="Agency location", required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label="Happened from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Happened until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, regions=(), locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any"), *((r.pk, r.name) for r in regions)]
        self.fields["location"].choices = [("", "Any"), *((loc.pk, loc.name) for loc in locations)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date comes after the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "location": data["location"],
            "region": data["region"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "query": data["q"],
        }


# --- the list --------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@login_required
def event_list(request):
    """The events the user may see, newest first, 25 a page: a fixed number of queries
    whatever the number of events."""
    user = request.user
    _require(selectors.can_list_events(user), "Your role does not read significant events.")
    regions = list(Region.objects.order_by("name"))
    locations = list(WorkLocation.objects.order_by("name").only("pk", "name"))
    form = EventFilterForm(request.GET or None, regions=regions, locations=locations)
    filters = form.filters()
    events = selectors.event_list(user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "quality/events/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "querystring": querystring.urlencode(),
            "can_record": selectors.can_record_events(user),
            "can_report": selectors.can_read_report(user),
        },
    )


# --- recording and correcting ----------------------------------------------------------------


@login_required
def event_new(request):
    """Record an event. From a case page (?case=<id>) the case is fixed and its people
    can be named; otherwise a case may be typed by number."""
    user = request.user
    _require(selectors.can_record_events(user), "Your role does not record significant events.")
    case = None
    if request.GET.get("case"):
        case = access_case(user, request.GET["case"])
    form = EventForm(request.POST or None, user=user, case=case, fixed_case=case is not None)
    if not form.is_bound:
        form.initial.setdefault("occurred_at", timezone.localtime().strftime(LOCAL_INPUT))
        if case is not None:
            form.initial.setdefault("work_location", case.unit.work_location_id)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_record(actor=user, **form.service_fields())
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"{event.get_kind_display()} recorded as {event.reference}. The officials "
                "designated for this kind of event are notified.",
            )
            return redirect("quality:event", pk=event.pk)
    return render(request, "quality/events/form.html", {"form": form, "event": None, "case": case})


@login_required
def event_detail(request, pk: int):
    user = request.user
    event = selectors.access_event(user, pk)
    case_visible = bool(event.case_id and visible_cases(user).filter(pk=event.case_id).exists())
    return render(
        request,
        "quality/events/detail.html",
        {
            "event": event,
            "persons": list(event.persons.order_by("last_name", "first_name")),
            "history": selectors.event_history(event),
            "can_change": selectors.can_change_event(user, event),
            "case_visible": case_visible,
        },
    )


@login_required
def event_edit(request, pk: int):
    """Correct an event. The form carries the version the user opened; if someone else
    changed the event since, the service refuses and the input stays on the page."""
    user = request.user
    event = selectors.access_event(user, pk)
    _require(
        selectors.can_change_event(user, event),
        "Quality staff, or whoever recorded the event, correct it.",
    )
    form = EventEditForm(
        request.POST or None, user=user, event=event, initial=EventEditForm.initial_for(event)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event,
                actor=user,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{event.reference} updated.")
            return redirect("quality:event", pk=event.pk)
    return render(
        request, "quality/events/form.html", {"form": form, "event": event, "case": event.case}
    )


# --- the report ------------------------------------------------------------------------------


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(report: selectors.EventReport, table: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "months" if table == "months" else "places"
    response["Content-Disposition"] = (
        f'attachment; filename="significant-events-{name}-{report.period.slug}.csv"'
    )
    writer = csv.writer(response)
    labels = [label for _, label in report.kinds]
    if table == "months":
        writer.writerow(["Month", *labels, "Total"])
        for month in report.months:
            writer.writerow([f"{month.month:%Y-%m}", *month.counts, month.total])
    else:
        writer.writerow(["Place", *labels, "Total"])
        for place in report.places:
            writer.writerow([_cell(place.label), *place.counts, place.total])
        writer.writerow(["Total", *report.totals, report.total])
    return response


@login_required
def event_report(request):
    """Events by kind and place for a month or a calendar year, with the 12 months
    ending with it; CSV with ?format=csv (&table=months for the trend)."""
    user = request.user
    _require(
        selectors.can_read_report(user),
        "The report is for quality staff, the Commissioner's office and area administrators.",
    )
    today = clock.today()
    period, error = periods.period_from(request.GET, today)
    report = selectors.event_report(user, period)
    if request.GET.get("format") == "csv":
        return _csv(report, request.GET.get("table", ""))
    return render(
        request,
        "quality/events/report.html",
        {
            "report": report,
            "period": period,
            "period_error": error,
            "years": list(range(today.year, today.year - 10, -1)),
            "this_month": f"{today:%Y-%m}",
            "list_url": reverse("quality:events"),
        },
    )


urlpatterns = [
    path("events/", event_list, name="events"),
    path("events/new/", event_new, name="event_new"),
    path("events/report/", event_report, name="event_report"),
    path("events/<int:pk>/", event_detail, name="event"),
    path("events/<int:pk>/edit/", event_edit, name="event_edit"),
]
