"""Builders for the ORE catalog and report tests: requests and deliverables written
directly with the ORM (dates and numbers built by hand), with the search document the
request services keep (quality.services.data_requests.search_document_for)."""

import itertools
from datetime import datetime

from agency import clock
from agency.calendar import business_days_between
from agency.selectors import business_calendar
from quality.models import DataRequest, DataRequestFile
from quality.services.data_requests import search_document_for

_n = itertools.count(1)
Status = DataRequest.Status


def refresh_search(request: DataRequest) -> DataRequest:
    """The search document as the request services write it."""
    names = request.files.filter(kind=DataRequestFile.Kind.DELIVERABLE).order_by(
        "uploaded_at", "pk"
    )
    request.search_document = search_document_for(request, names.values_list("name", flat=True))
    DataRequest.objects.filter(pk=request.pk).update(search_document=request.search_document)
    return request


def make_request(
    entered_by,
    *,
    received_at: datetime | None = None,
    delivered_at: datetime | None = None,
    hold_business_days: int = 0,
    **fields,
) -> DataRequest:
    """A request written directly. Delivered (with `delivered_at`): cataloged, and its
    business days to delivery counted from receipt like the services do (less the hold),
    unless given."""
    n = next(_n)
    received_at = received_at or clock.now()
    values = {
        "reference": f"ORE-T-{n:05d}",
        "requester_name": "Pat Requester",
        "organization": "Office of Policy",
        "entered_by": entered_by,
        "received_at": received_at,
        "title": f"Request {n}",
        "purpose": "To plan services.",
        "questions": "How many?",
        "due_on": received_at.date(),
        "hold_business_days": hold_business_days,
    }
    if delivered_at is not None:
        taken = business_days_between(business_calendar(), received_at, delivered_at)
        values |= {
            "status": Status.DELIVERED,
            "category": DataRequest.Category.AD_HOC,
            "catalog_number": f"C-T-{n:05d}",
            "delivered_at": delivered_at,
            "business_days_to_delivery": max(0, taken - hold_business_days),
        }
    values |= fields
    if values.get("status", Status.RECEIVED) != Status.RECEIVED and not values.get("category"):
        values["category"] = DataRequest.Category.AD_HOC
    return refresh_search(DataRequest.objects.create(**values))


def add_deliverable(request: DataRequest, name: str, uploaded_by=None) -> DataRequestFile:
    """A deliverable row (no file on disk: the catalog shows names and links only)."""
    item = DataRequestFile.objects.create(
        request=request,
        kind=DataRequestFile.Kind.DELIVERABLE,
        file=f"quality/data-requests/{request.pk}/{name}",
        name=name,
        content_type="text/csv",
        size=2048,
        uploaded_by=uploaded_by or request.entered_by,
    )
    refresh_search(request)
    return item
