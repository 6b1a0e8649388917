"""Reads for the provider directory: the searchable list of providers with the services
they offer, one provider, and the directory's services a case plan may choose from.

The directory is read by every casework role (`casework.view_provider`); system
administrators keep it in Django admin. A page of the directory runs a fixed number of
queries: the count, the page of providers, their matching services, and the languages
offered (for the filter).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from agency.permissions import access_object
from casework.models import PlanService, Provider, ProviderService

VIEW_PERM = "casework.view_provider"
ACTIVE_CHOICES = (
    ("active", "Active only"),
    ("inactive", "No longer offered"),
    ("all", "All"),
)


def may_read_directory(user: Any) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_PERM)


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is searched and filtered by. `q` matches a provider's name, a
    service's type or its evidence-based model; language and location match the words
    a service lists; `active`: "active" (the default: active services of active
    providers), "inactive" or "all"."""

    q: str = ""
    evidence_based: bool = False
    language: str = ""
    location: str = ""
    active: str = "active"


def _service_condition(filters: DirectoryFilters) -> Q:
    condition = Q()
    available = Q(active=True, provider__active=True)
    if filters.active == "inactive":
        condition &= ~available
    elif filters.active != "all":
        condition &= available
    if filters.q:
        condition &= (
            Q(provider__name__icontains=filters.q)
            | Q(service_type__icontains=filters.q)
            | Q(model_name__icontains=filters.q)
        )
    if filters.evidence_based:
        condition &= Q(evidence_based=True)
    if filters.language:
        condition &= Q(languages__icontains=filters.language)
    if filters.location:
        condition &= Q(locations__icontains=filters.location)
    return condition


def directory_services(filters: DirectoryFilters) -> QuerySet[ProviderService]:
    """The services matching the filters, with their provider."""
    return (
        ProviderService.objects.filter(_service_condition(filters))
        .select_related("provider")
        .order_by("provider__name", "service_type", "pk")
    )


def provider_directory(filters: DirectoryFilters) -> QuerySet[Provider]:
    """Providers with at least one service matching the filters, by name; each with
    `matched_services` (those services only, by type)."""
    services = ProviderService.objects.filter(_service_condition(filters)).order_by(
        "service_type", "pk"
    )
    return (
        Provider.objects.filter(pk__in=services.values("provider_id"))
        .order_by("name", "pk")
        .prefetch_related(Prefetch("services", queryset=services, to_attr="matched_services"))
    )


def directory_languages() -> list[str]:
    """Every language a service lists (comma-separated in the directory), sorted. One
    query over the services (a directory holds hundreds, not millions)."""
    found: dict[str, str] = {}
    for text in ProviderService.objects.exclude(languages="").values_list("languages", flat=True):
        for word in text.split(","):
            word = word.strip()
            if word:
                found.setdefault(word.lower(), word)
    return sorted(found.values(), key=str.lower)


def access_provider(user: Any, provider_id: Any) -> Provider:
    """One provider (active or not) with every service, or 404."""
    providers = Provider.objects.prefetch_related(
        Prefetch("services", queryset=ProviderService.objects.order_by("service_type", "pk"))
    )
    return access_object(providers, provider_id)


def plan_service_choices() -> QuerySet[ProviderService]:
    """The directory's services a plan may add: active services of active providers."""
    return directory_services(DirectoryFilters())


def referral_queryset(referrals: QuerySet[PlanService]) -> QuerySet[PlanService]:
    """Plan services (referrals) with their plan, case, goal and directory entry."""
    return referrals.select_related("plan__case__unit", "goal", "provider_service__provider")
