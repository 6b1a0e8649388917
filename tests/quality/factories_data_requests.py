"""Builders for ORE data-request tests."""

import itertools

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from agency import clock
from agency.roles import Role
from quality.models import DataRequest
from quality.services import data_requests as services
from tests.factories import make_user

_n = itertools.count(1)
Status = DataRequest.Status

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_ore(lead: bool = False, **fields):
    """An ORE analyst (the role's group); with `lead`, also the ORE lead's permission."""
    user = make_user(Role.ORE_ANALYST, **fields)
    if lead:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="quality", codename="lead_datarequest")
        )
    return type(user).objects.get(pk=user.pk)  # a fresh object: no stale permission cache


def request_fields(**fields) -> dict:
    n = next(_n)
    return {
        "title": f"Children entering care by region {n}",
        "purpose": "Plan placement capacity for next year.",
        "questions": "How many children entered care in each region, by age group?",
        "data_elements": "Entry date, region, age",
        "population": "Children entering care",
        "time_period": "SFY 2025",
        "geography": "Statewide",
        **fields,
    }


def submit(requester, attachments=(), **fields) -> DataRequest:
    """A request a member of staff submits through the service."""
    return services.data_request_submit(
        actor=requester, attachments=attachments, **request_fields(**fields)
    )


def enter_external(ore, attachments=(), **fields) -> DataRequest:
    """A request from outside the agency, entered by ORE."""
    defaults = {
        "requester_name": "Dana Whitaker",
        "organization": "University of Connecticut",
        "requester_email": "dana@uconn.example",
        "channel": DataRequest.Channel.EMAIL,
        "received_at": clock.now(),
    }
    return services.data_request_enter(
        actor=ore, attachments=attachments, **request_fields(**(defaults | fields))
    )


def csv_file(name: str = "answer.csv", content: bytes = b"region,children\nR1,12\n"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def pdf_file(name: str = "letter.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fresh(data_request: DataRequest) -> DataRequest:
    return DataRequest.objects.get(pk=data_request.pk)


def advance(data_request: DataRequest, ore, to: str, *, category: str = "ad_hoc") -> DataRequest:
    """Take a request through the services up to status `to` (ORE's `ore` does each
    step; `ore` should be the ORE lead to assign)."""
    steps = [
        Status.CATALOGED,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.DELIVERED,
        Status.CLOSED,
    ]
    r = fresh(data_request)
    done = steps.index(r.status) + 1 if r.status in steps else 0
    for status in steps[done:]:
        if r.status == to:
            break
        if status == Status.CATALOGED:
            r = services.data_request_catalog(
                data_request=r, actor=ore, version=r.version, category=category
            )
        elif status == Status.APPROVED:
            r = services.data_request_approve(data_request=r, actor=ore, version=r.version)
        elif status == Status.ASSIGNED:
            r = services.data_request_assign(
                data_request=r, actor=ore, version=r.version, analyst=ore
            )
        elif status == Status.IN_PROGRESS:
            r = services.data_request_start(data_request=r, actor=ore, version=r.version)
        elif status == Status.DELIVERED:
            r = services.data_request_deliver(
                data_request=r,
                actor=ore,
                version=r.version,
                note="Tables by region attached.",
                files=[csv_file()],
            )
        elif status == Status.CLOSED:
            r = services.data_request_close(data_request=r, actor=ore, version=r.version)
    assert r.status == to, (r.status, to)
    return fresh(r)


def make_request(requester=None, **fields) -> DataRequest:
    """A request written directly (lists and query counts)."""
    n = next(_n)
    now = clock.now()
    return DataRequest.objects.create(
        **{
            "reference": f"ORE-TEST-{n:06d}",
            "requester": requester,
            "requester_name": "Test Requester",
            "organization": "Hartford Area Office",
            "entered_by": requester or fields.get("analyst"),
            "received_at": now,
            "title": f"Request {n}",
            "purpose": "Planning.",
            "questions": "How many?",
            "due_on": clock.today(),
        }
        | fields
    )
