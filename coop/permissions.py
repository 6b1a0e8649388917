"""The gatekeeper of the COOP registry: who reads, keeps and reviews which plan.

- OPM (the Performance Management role, which holds `coop.review_quarterlyduties`), system
  administrators and superusers read every plan, create plans, name each plan's senior
  administrator, and accept or return quarterly submissions.
- A plan's senior administrator (any user) keeps it: its content, its document versions
  and its quarterly duties. Nobody else edits a plan on the pages or in the API; any
  other plan's edit pages answer 404.
- An area administrator working at a location without a plan may create it, and becomes
  its senior administrator.
- Every member of staff reads the plan of the location they work at; any other plan
  answers 404.
"""

from typing import Any

from django.db.models import Q, QuerySet

from agency.models import WorkLocation
from agency.permissions import access_object, user_role
from agency.roles import Role
from coop.models import CoopPlan, PlanDocument, QuarterlyDuties

REVIEW_PERMISSION = "coop.review_quarterlyduties"


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_opm(user: Any) -> bool:
    """OPM, a system administrator or a superuser: sees every plan, reviews submissions."""
    return _active(user) and user.has_perm(REVIEW_PERMISSION)


def work_location_id(user: Any) -> int | None:
    profile = getattr(user, "staff", None) if _active(user) else None
    return profile.work_location_id if profile else None


def visible_plans(user: Any) -> QuerySet[CoopPlan]:
    """The plans the user may read: every plan for OPM; otherwise the plan of the
    location they work at and the plans they administer."""
    plans = CoopPlan.objects.all()
    if not _active(user):
        return plans.none()
    if is_opm(user):
        return plans
    mine = Q(senior_administrator=user)
    location = work_location_id(user)
    return plans.filter(mine | Q(work_location_id=location) if location else mine)


def administered_plans(user: Any) -> QuerySet[CoopPlan]:
    """The plans the user keeps (they are its senior administrator)."""
    if not _active(user):
        return CoopPlan.objects.none()
    return CoopPlan.objects.filter(senior_administrator=user)


def access_plan(user: Any, pk: Any) -> CoopPlan:
    """A plan the user may read, or 404 (missing and forbidden alike)."""
    plans = visible_plans(user).select_related(
        "work_location__region", "senior_administrator__staff"
    )
    return access_object(plans, pk)


def access_administered_plan(user: Any, pk: Any) -> CoopPlan:
    """A plan the user keeps, or 404: every edit page and action goes through here."""
    plans = administered_plans(user).select_related(
        "work_location__region", "senior_administrator__staff"
    )
    return access_object(plans, pk)


def access_document(user: Any, plan_pk: Any, document_pk: Any) -> PlanDocument:
    """A version of a plan document the user may read (whoever reads the plan), or 404."""
    plan = access_plan(user, plan_pk)
    return access_object(plan.documents.select_related("uploaded_by"), document_pk)


def visible_duties(user: Any) -> QuerySet[QuarterlyDuties]:
    """The quarterly duties of the plans the user may read."""
    duties = QuarterlyDuties.objects.all()
    if is_opm(user):
        return duties
    return duties.filter(plan__in=visible_plans(user).values("pk"))


def access_duties(user: Any, pk: Any) -> QuarterlyDuties:
    return access_object(
        visible_duties(user).select_related("plan__work_location", "plan__senior_administrator"),
        pk,
    )


def is_administrator(user: Any, plan: CoopPlan) -> bool:
    return _active(user) and plan.senior_administrator_id == user.pk


def may_create_own_plan(user: Any) -> bool:
    """An area administrator whose location has no plan yet."""
    if not _active(user) or user_role(user) != Role.AREA_ADMINISTRATOR:
        return False
    location = work_location_id(user)
    return bool(location) and not CoopPlan.objects.filter(work_location_id=location).exists()


def plan_creatable_locations(user: Any) -> QuerySet[WorkLocation]:
    """The active locations without a plan that the user may create one for: any of them
    for OPM, their own for an area administrator, none for anyone else."""
    locations = WorkLocation.objects.filter(active=True, coop_plan__isnull=True)
    if is_opm(user):
        return locations
    if may_create_own_plan(user):
        return locations.filter(pk=work_location_id(user))
    return locations.none()
