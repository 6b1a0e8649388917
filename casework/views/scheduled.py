"""What the meeting and hearing pages share: a scheduled record is changed, a held,
continued or cancelled one is only read."""

from django.contrib import messages
from django.shortcuts import redirect


def refuse_unless_scheduled(request, record, *, noun: str, detail: str):
    """None while `record` (a family meeting or a court hearing) is scheduled; otherwise
    a redirect to its page (`detail`, a URL name) saying why nothing can be changed."""
    if record.status == "scheduled":
        return None
    messages.info(
        request,
        f"This {noun} is {record.get_status_display().lower()}; it can no longer be changed.",
    )
    return redirect(detail, pk=record.pk)
