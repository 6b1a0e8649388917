"""Writes for the organisation, closure days and notifications.

Each function is one business action: keyword-only, atomic, and the only place its rule
lives. Views, the API, admin, management commands and Celery tasks all call these.
"""

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model

from agency import clock
from agency.models import (
    ClosureDay,
    Notification,
    ReferenceCounter,
    StaffProfile,
    Unit,
    WorkLocation,
)
from agency.roles import Role

logger = logging.getLogger(__name__)


@transaction.atomic
def staff_profile_save(
    *,
    user: Any,
    role: Role | str,
    work_location: WorkLocation,
    unit: Unit | None = None,
    job_title: str = "",
    phone: str = "",
) -> StaffProfile:
    """Create or update a person's staff profile and put them in exactly their role's
    group, so model permissions always follow the role shown on the profile."""
    role = Role(role)
    profile = StaffProfile.objects.filter(user=user).first() or StaffProfile(user=user)
    profile.role = role
    profile.work_location = work_location
    profile.unit = unit
    profile.job_title = job_title
    profile.phone = phone
    profile.full_clean()
    profile.save()
    role_group_sync(user=user, role=role)
    return profile


def role_group_sync(*, user: Any, role: Role) -> None:
    role_groups = Group.objects.filter(name__in=[r.group_name for r in Role])
    user.groups.remove(*role_groups.exclude(name=role.group_name))
    user.groups.add(Group.objects.get(name=role.group_name))


@transaction.atomic
def closure_day_add(*, day: date, reason: str, actor: Any = None) -> ClosureDay:
    """Make `day` a non-business day. Deadlines computed later skip it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the agency is closed (e.g. a snow storm)."})
    if ClosureDay.objects.filter(date=day).exists():
        raise ValidationError({"date": f"{day:%Y-%m-%d} is already a closure day."})
    closure = ClosureDay.objects.create(date=day, reason=reason, created_by=actor)
    _recompute_business_deadlines(actor=actor, why=f"closure day {day:%d %b %Y} added")
    return closure


@transaction.atomic
def closure_day_remove(*, day: date, actor: Any = None) -> None:
    deleted, _ = ClosureDay.objects.filter(date=day).delete()
    if not deleted:
        raise ValidationError({"date": f"{day:%Y-%m-%d} is not a closure day."})
    logger.info("Closure day %s removed by %s", day, actor)
    _recompute_business_deadlines(actor=actor, why=f"closure day {day:%d %b %Y} removed")


def _recompute_business_deadlines(*, actor: Any, why: str) -> None:
    """Stored due times counted in business days move with the calendar: the
    Ombudsman's initial-response clocks and ORE's data-request due dates are recomputed
    in the same transaction."""
    from ombudsman.services import due_times_recompute
    from quality.services.data_requests import data_request_due_dates_recompute

    due_times_recompute(actor=actor, reason=why)
    data_request_due_dates_recompute(actor=actor, reason=why)


def reminder_key(obj: Model, kind: str, threshold: str) -> str:
    """The claim key of one reminder: one object, one kind, one threshold."""
    return f"{obj._meta.label_lower}:{obj.pk}:{kind}:{threshold}"


def notification_send(
    *,
    recipient: Any,
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> Notification | None:
    """Put a notification in the recipient's inbox and queue its email.

    With a `dedupe_key` (see `reminder_key`) the notice is claimed through a unique
    index: a second call with the same key, from the same sweep run twice or from two
    workers at once, returns None and sends nothing.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return None
    if recipient.email:
        from agency.tasks import deliver_notification_email

        transaction.on_commit(lambda: deliver_notification_email.delay(notification.pk))
    return notification


def notification_email_deliver(*, notification_id: int) -> bool:
    """Email one notification, at most once: claim it with a conditional update first
    (healthchecks' pattern); only the caller whose update matched a row sends."""
    claimed = Notification.objects.filter(
        pk=notification_id, emailed_at__isnull=True, recipient__email__gt=""
    ).update(emailed_at=clock.now())
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{settings.HEARTH_SITE_URL}{notification.link}".strip()
    try:
        send_mail(
            subject=f"[Hearth] {notification.subject}",
            message=body,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        # Release the claim so the retry (or the next sweep) can send it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=clock.now()
    )


def reference_next(*, prefix: str) -> str:
    """The next reference for `prefix` this year, e.g. "INT-2026-000123". Numbers are
    handed out under a row lock, so two requests at once never share one."""
    year = clock.today().year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(prefix=prefix, year=year)
        counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
