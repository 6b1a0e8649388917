"""Builders for Ombudsman tests. `make_inquiry` goes through the service, so the due
time, reference and timeline are the real ones."""

import itertools

from agency import clock
from agency.roles import Role
from ombudsman import services
from ombudsman.models import Inquiry
from tests.factories import make_location, make_user

_n = itertools.count(1)


def make_ombudsman(lead: bool = False, **fields):
    role = Role.OMBUDSMAN_LEAD if lead else Role.OMBUDSMAN_STAFF
    return make_user(role, location=fields.pop("location", None) or make_location(), **fields)


def make_inquiry(actor=None, **fields) -> Inquiry:
    n = next(_n)
    return services.inquiry_create(
        actor=actor,
        **{
            "channel": Inquiry.Channel.PHONE,
            "source_type": Inquiry.SourceType.CLIENT,
            "subject": f"Question about visits {n}",
            "description": "The caller asks when the next family visit will be.",
            "received_at": clock.now(),
            **fields,
        },
    )
