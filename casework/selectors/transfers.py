"""Reads for case transfers: who sees which transfer, the incoming and outgoing lists,
the case page's part, and what the receiving supervisor sees of a case before it is
theirs.

Who sees a transfer (`visible_transfers`):
- anyone who can open its case (casework.selectors.visible_cases: access follows the
  case, so after an accepted transfer the old unit's workers no longer see it);
- the supervisors of the sending and of the receiving unit, the area administrators of
  their offices, and whoever requested it (they keep their record of it);
- statewide roles and superusers: every transfer.
A pending transfer lets the receiving unit's supervisor read a summary of its case
(`pending_transfer_for`) without opening the case itself: casework.selectors.
visible_cases is unchanged, and the case page still answers 404 to them until they
accept.
"""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from agency.permissions import access_object, user_role
from agency.roles import Role
from agency.selectors import sees_every_unit
from casework.models import Case, CaseMember, CasePlan, CaseTransfer, Placement
from casework.selectors import supervises, visible_cases

Status = CaseTransfer.Status
APPROVE_PERM = "casework.approve_casework"


def _unit_scope(user: Any, field: str) -> Q | None:
    """The condition on `field` (a unit) for the units the user supervises (their
    office's, for an area administrator); None when they supervise none."""
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return Q(**{f"{field}__supervisor": user})
    if role == Role.AREA_ADMINISTRATOR:
        return Q(**{f"{field}__work_location_id": user.staff.work_location_id})
    return None


def visible_transfers(user: Any) -> QuerySet[CaseTransfer]:
    """The transfers the user may see (see the module's docstring)."""
    if not user.is_authenticated or not user.is_active:
        return CaseTransfer.objects.none()
    if sees_every_unit(user):
        return CaseTransfer.objects.all()
    condition = Q(case__in=visible_cases(user).values("pk")) | Q(requested_by=user)
    for field in ("from_unit", "to_unit"):
        scope = _unit_scope(user, field)
        if scope is not None:
            condition |= scope
    return CaseTransfer.objects.filter(condition)


def transfer_queryset(transfers: QuerySet[CaseTransfer]) -> QuerySet[CaseTransfer]:
    """Transfers with what their pages and the API show."""
    return transfers.select_related(
        "case__unit",
        "from_unit__work_location",
        "to_unit__work_location",
        "to_unit__supervisor",
        "requested_by",
        "decided_by",
        "new_primary_worker",
    )


def access_transfer(user: Any, transfer_id: Any) -> CaseTransfer:
    """One transfer the user may see, or 404."""
    return access_object(transfer_queryset(visible_transfers(user)), transfer_id)


def receives(user: Any, transfer: CaseTransfer) -> bool:
    """Whether the user decides the transfer: the receiving unit's supervisor (with the
    approval permission), or a superuser."""
    if user.is_superuser:
        return True
    return user.has_perm(APPROVE_PERM) and transfer.to_unit.supervisor_id == user.pk


def may_withdraw(user: Any, transfer: CaseTransfer) -> bool:
    """The sender withdraws a pending request: whoever asked, or a supervisor of the
    case (with the approval permission)."""
    if transfer.status != Status.REQUESTED:
        return False
    if transfer.requested_by_id == user.pk or user.is_superuser:
        return True
    return user.has_perm(APPROVE_PERM) and supervises(user, transfer.case)


def may_request(user: Any, case: Case) -> bool:
    """The case's supervisor (with the approval permission) asks for a transfer."""
    return user.has_perm(APPROVE_PERM) and supervises(user, case)


def pending_transfer_for(user: Any, case_pk: Any) -> CaseTransfer | None:
    """The transfer of case `case_pk` waiting for the user's decision (they supervise the
    receiving unit), or None. The transfer pages use it to show the receiving
    supervisor the case before it is theirs."""
    if not user.is_authenticated or not user.is_active:
        return None
    transfers = CaseTransfer.objects.filter(case_id=case_pk, status=Status.REQUESTED)
    if not user.is_superuser:
        if not user.has_perm(APPROVE_PERM):
            return None
        transfers = transfers.filter(to_unit__supervisor=user)
    try:
        return transfer_queryset(transfers).first()
    except (ValueError, TypeError):
        return None


def transfer_case_summary(case: Case) -> dict:
    """What the receiving supervisor reads about a case before accepting it: the people
    on it, the children's open placements and the approved plan's goals and services.
    Three queries."""
    members = list(
        CaseMember.objects.filter(case=case, active=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )
    placements = list(
        Placement.objects.filter(case=case, end_date__isnull=True, entered_in_error=False)
        .select_related("child")
        .order_by("start_date", "pk")
    )
    plan = (
        CasePlan.objects.filter(case=case, status=CasePlan.Status.APPROVED)
        .prefetch_related("goals", "services")
        .first()
    )
    return {"members": members, "placements": placements, "plan": plan}


def _box(user: Any, box: str) -> QuerySet[CaseTransfer]:
    transfers = visible_transfers(user)
    if user.is_superuser or sees_every_unit(user):
        return transfers
    field = "to_unit" if box == "incoming" else "from_unit"
    scope = _unit_scope(user, field)
    if box == "outgoing":
        scope = Q(requested_by=user) if scope is None else scope | Q(requested_by=user)
    return transfers.filter(scope) if scope is not None else transfers.none()


def transfer_list(user: Any, *, box: str = "incoming", status: str = "") -> QuerySet[CaseTransfer]:
    """Incoming transfers (to the units the user supervises) or outgoing ones (from
    them, or asked by the user); pending first, then the newest. Statewide roles see
    every transfer in both."""
    transfers = _box(user, box)
    if status in Status.values:
        transfers = transfers.filter(status=status)
    return transfer_queryset(transfers).order_by("-requested_at", "-pk")


def transfer_counts(user: Any) -> dict[str, int]:
    """How many transfers wait for a decision, incoming and outgoing. Two queries."""
    return {
        box: _box(user, box).filter(status=Status.REQUESTED).count()
        for box in ("incoming", "outgoing")
    }


def case_transfers_context(case: Case, *, user: Any, today: date) -> dict:
    """What the case page shows about transfers, one query:

    - case_transfers: every transfer of the case, newest first (its history);
    - transfer_pending: the one waiting for a decision, or None;
    - can_request_transfer: the user may ask for a transfer now;
    - can_withdraw_transfer: the user may withdraw the pending one."""
    transfers = list(
        CaseTransfer.objects.filter(case=case)
        .select_related(
            "from_unit__work_location",
            "to_unit__work_location",
            "requested_by",
            "decided_by",
            "new_primary_worker",
        )
        .order_by("-requested_at", "-pk")
    )
    for transfer in transfers:
        transfer.case = case  # the page's case, its unit already read
    pending = next((t for t in transfers if t.status == Status.REQUESTED), None)
    return {
        "case_transfers": transfers,
        "transfer_pending": pending,
        "can_request_transfer": case.status == Case.Status.OPEN
        and pending is None
        and may_request(user, case),
        "can_withdraw_transfer": pending is not None and may_withdraw(user, pending),
    }
