"""Reads for intake and initial face-to-face contacts (IFF), shaped for their screens.

Every query starts from `visible_cases(user)`; each screen runs a fixed number of
queries whatever the number of rows (prefetches, no per-row lookups).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from agency import clock
from agency.permissions import user_role
from agency.roles import Role
from casework.models import (
    Allegation,
    Case,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
)
from casework.selectors import supervises, visible_cases

# --- IFF state (pure) ------------------------------------------------------------------------

STATE_LABELS = {
    "seen_on_time": "Seen on time",
    "seen_late": "Seen late",
    "seen_with_extension": "Seen after an approved extension",
    "extension_pending": "Extension pending",
    "extended": "Extension approved, not yet seen",
    "overdue": "Overdue",
    "due": "Due",
}
UNSEEN_STATES = frozenset({"extension_pending", "extended", "overdue", "due"})


def iff_state(iff: IffContact, now: datetime) -> str:
    """Where one IFF stands at `now`.

    Seen: "seen_on_time" (by due_at), "seen_with_extension" (later, with an approved
    extension), "seen_late". Not seen: "extension_pending" (waiting for the supervisor),
    "due" (time left), "extended" (past due_at with an approved extension), "overdue".
    Reads `iff.extensions.all()`, so prefetch the extensions for lists."""
    statuses = {extension.status for extension in iff.extensions.all()}
    approved = IffExtension.Status.APPROVED in statuses
    if iff.seen_at is not None:
        if iff.seen_at <= iff.due_at:
            return "seen_on_time"
        return "seen_with_extension" if approved else "seen_late"
    if IffExtension.Status.PENDING in statuses:
        return "extension_pending"
    if now <= iff.due_at:
        return "due"
    return "extended" if approved else "overdue"


def iff_time_left(iff: IffContact, now: datetime) -> timedelta | None:
    """Time until the IFF is due (negative once overdue); None once the child is seen."""
    if iff.seen_at is not None:
        return None
    return iff.due_at - now


def duration_text(delta: timedelta) -> str:
    """A duration as staff read it, two units at most: "2 d 3 h", "3 h 20 min", "5 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@dataclass(frozen=True)
class IffStatus:
    state: str
    label: str
    time_left: timedelta | None
    time_text: str  # "3 h 20 min left", "overdue by 1 d 2 h", "" once seen

    @property
    def overdue(self) -> bool:
        return self.time_left is not None and self.time_left < timedelta(0)

    @property
    def seen(self) -> bool:
        return self.state not in UNSEEN_STATES


def iff_status(iff: IffContact, now: datetime) -> IffStatus:
    """The state, its words, and the time left or overdue, for display."""
    state = iff_state(iff, now)
    left = iff_time_left(iff, now)
    if left is None:
        text = ""
    elif left >= timedelta(0):
        text = f"{duration_text(left)} left"
    else:
        text = f"overdue by {duration_text(left)}"
    return IffStatus(state=state, label=STATE_LABELS[state], time_left=left, time_text=text)


# --- querysets -------------------------------------------------------------------------------


def visible_intakes(user: Any) -> QuerySet[Intake]:
    """Intakes of the cases the user may see."""
    return Intake.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_iff(user: Any) -> QuerySet[IffContact]:
    return IffContact.objects.filter(intake__case__in=visible_cases(user).values("pk"))


def visible_iff_extensions(user: Any) -> QuerySet[IffExtension]:
    return IffExtension.objects.filter(iff__intake__case__in=visible_cases(user).values("pk"))


def _iff_rows() -> QuerySet[IffContact]:
    return IffContact.objects.select_related("child", "seen_by").prefetch_related(
        Prefetch(
            "extensions",
            queryset=IffExtension.objects.select_related("requested_by", "decided_by").order_by(
                "requested_at", "pk"
            ),
        ),
        Prefetch(
            "attempts",
            queryset=IffAttempt.objects.select_related("recorded_by").order_by(
                "attempted_at", "pk"
            ),
        ),
    )


def intake_page_queryset(queryset: QuerySet[Intake] | None = None) -> QuerySet[Intake]:
    """Intakes with everything their page and API shows: case, circumstances, allegations
    with their child, IFF rows with extensions and attempts."""
    queryset = Intake.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "case__unit__work_location",
        "case__unit__supervisor",
        "case__primary_worker",
        "created_by",
        "track_overridden_by",
    ).prefetch_related(
        "exceptional_circumstances",
        Prefetch(
            "allegations",
            queryset=Allegation.objects.select_related("child").order_by("child_id", "kind"),
        ),
        Prefetch("iff_contacts", queryset=_iff_rows().order_by("due_at", "child__last_name")),
    )


def decorate_intake(intake: Intake, now: datetime) -> Intake:
    """Attach `status`, `pending_extension` and `attempts_allowed` to each prefetched IFF
    row, and `children_rows` (one per alleged victim: the child, their allegations, their
    IFF) to the intake."""
    kinds: dict[int, list[str]] = {}
    for allegation in intake.allegations.all():
        kinds.setdefault(allegation.child_id, []).append(allegation.get_kind_display())
    rows = []
    for iff in intake.iff_contacts.all():
        iff.status = iff_status(iff, now)
        extensions = list(iff.extensions.all())
        iff.pending_extension = next(
            (e for e in extensions if e.status == IffExtension.Status.PENDING), None
        )
        # Follow-up attempts are recorded once an extension is asked for (or granted).
        iff.attempts_allowed = any(
            e.status in (IffExtension.Status.PENDING, IffExtension.Status.APPROVED)
            for e in extensions
        )
        rows.append({"child": iff.child, "allegations": kinds.get(iff.child_id, []), "iff": iff})
    intake.children_rows = rows
    return intake


def intake_track_history(intake: Intake) -> list[dict]:
    """The track as Hearth recommended it and every change since, from the history
    table: when, which track, who, and why."""
    entries: list[dict] = []
    previous = None
    records = intake.history.select_related("history_user", "track_overridden_by").order_by(
        "history_date", "history_id"
    )
    for record in records:
        if record.track == previous:
            continue
        entries.append(
            {
                "at": record.history_date,
                "track": Intake.Track(record.track).label,
                "recommended": record.track == record.recommended_track,
                "by": record.track_overridden_by or record.history_user,
                "reason": record.track_override_reason,
                "first": previous is None,
            }
        )
        previous = record.track
    return entries


def case_iff_context(case: Case, *, user: Any = None, now: datetime | None = None) -> dict:
    """The case page's IFF section (casework/case/_iff.html): the case's intakes, newest
    first, with their allegations, IFF rows (state, time left), extensions and attempts.
    Five queries whatever the size. Keys start with "iff_" so the case page can merge them
    into its own context. With `user`, also whether they may record (`iff_can_change`)
    and decide (`iff_can_approve`); without, the partial falls back on role permissions."""
    now = now or clock.now()
    intakes = [
        decorate_intake(intake, now)
        for intake in intake_page_queryset(Intake.objects.filter(case=case)).order_by(
            "-accepted_at", "-pk"
        )
    ]
    context = {"iff_intakes": intakes, "iff_now": now}
    if user is not None:
        context["iff_can_change"] = user.has_perm("casework.change_case")
        context["iff_can_approve"] = user.has_perm("casework.approve_casework") and supervises(
            user, case
        )
    return context


def _weekly_cases(user: Any) -> QuerySet[Case]:
    cases = visible_cases(user)
    if not user.is_superuser and user_role(user) == Role.CASEWORKER:
        cases = cases.filter(Q(primary_worker=user) | Q(secondary_worker=user))
    return cases


def iff_weekly(user: Any, *, now: datetime) -> dict:
    """The weekly IFF review: every child not yet seen on the open cases the user looks
    after (a supervisor: their unit; an area administrator: their office; a caseworker:
    their own cases), soonest due first, with time left or overdue; and every extension
    requested in the last 7 days plus every one still pending. Three queries."""
    cases = _weekly_cases(user).values("pk")
    since = now - timedelta(days=7)
    unseen = list(
        IffContact.objects.filter(
            seen_at__isnull=True,
            intake__case__in=cases,
            intake__case__status=Case.Status.OPEN,
        )
        .select_related("child", "intake__case__primary_worker")
        .prefetch_related("extensions")
        .order_by("due_at", "pk")
    )
    for iff in unseen:
        iff.status = iff_status(iff, now)
    extensions = list(
        IffExtension.objects.filter(iff__intake__case__in=cases)
        .filter(Q(status=IffExtension.Status.PENDING) | Q(requested_at__gte=since))
        .select_related("iff__child", "iff__intake__case", "requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    return {
        "now": now,
        "since": since,
        "unseen": unseen,
        "overdue_count": sum(1 for iff in unseen if iff.status.overdue),
        "extensions": extensions,
        "pending_count": sum(1 for e in extensions if e.status == IffExtension.Status.PENDING),
    }


def pending_extensions(user: Any) -> QuerySet[IffExtension]:
    """Extensions waiting for a decision on the cases the user supervises (the
    supervisor's approvals inbox), oldest request first."""
    if not user.is_authenticated or not user.is_active:
        return IffExtension.objects.none()
    extensions = visible_iff_extensions(user).filter(status=IffExtension.Status.PENDING)
    role = user_role(user)
    if user.is_superuser:
        pass
    elif role == Role.SUPERVISOR:
        extensions = extensions.filter(iff__intake__case__unit__supervisor=user)
    elif role == Role.AREA_ADMINISTRATOR:
        extensions = extensions.filter(
            iff__intake__case__unit__work_location_id=user.staff.work_location_id
        )
    else:
        return IffExtension.objects.none()
    return extensions.select_related("iff__child", "iff__intake__case", "requested_by").order_by(
        "requested_at", "pk"
    )
