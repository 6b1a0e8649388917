"""The Ombudsman's gatekeeper (see agency/permissions.py for the pattern).

- `access_inquiry(user, pk)`: an inquiry the user may see, or 404 (missing or not
  theirs to see alike). Ombudsman staff and the lead see every inquiry; the
  Commissioner's office the correspondence handled on the Commissioner's behalf.
- `access_inquiry(user, pk, "work")`: the same, then 403 for a user who sees it but
  does not work inquiries (the Commissioner's office reads, it does not act).
- `access_consultation(user, pk)`: a consultation addressed to the user (the
  Ombudsman's office sees them all), or 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

from agency.permissions import access_object
from ombudsman import selectors
from ombudsman.models import Consultation, Inquiry, InquiryAttachment


def require_work(user: Any) -> None:
    """403 unless the user works inquiries (Ombudsman staff, the lead)."""
    if not selectors.can_work(user):
        raise PermissionDenied("Only the Ombudsman's office works on inquiries.")


def require_lead(user: Any) -> None:
    """403 unless the user leads the office (assigns inquiries to others)."""
    if not selectors.is_lead(user):
        raise PermissionDenied("Only the Ombudsman lead assigns inquiries to others.")


def access_inquiry(user: Any, pk: Any, perm: str = "view") -> Inquiry:
    inquiry = access_object(
        selectors.visible_inquiries(user).select_related(
            "assignee", "region", "work_location", "case", "initial_response_by", "created_by"
        ),
        pk,
    )
    if perm == "work":
        require_work(user)
    elif perm != "view":
        raise ValueError(f"Unknown permission {perm!r} for an inquiry.")
    return inquiry


def access_attachment(user: Any, inquiry_pk: Any, pk: Any) -> InquiryAttachment:
    """A file of an inquiry the user may see, or 404."""
    inquiry = access_inquiry(user, inquiry_pk)
    return access_object(InquiryAttachment.objects.filter(inquiry=inquiry), pk)


def access_consultation(user: Any, pk: Any) -> Consultation:
    return access_object(selectors.visible_consultations(user), pk)
