"""Reads for Special Qualitative Reviews: the gatekeeper, the screens, and the learning
page's de-identified counts.

The gatekeeper is the heart of the feature. A review is confidential and privileged:
nobody reaches it by role, model permission or superuser status. `visible_reviews`
returns exactly the reviews on which the user holds the django-guardian object
permission `quality.view_specialqualitativereview` (granted one by one by the
Commissioner's office, and to whoever opened the review); `access_review` returns one
of them or raises Http404 for missing and forbidden alike, and writes a line in the
review's access log for every reach (and for every refused reach of a review that
exists, so the grantors see who tried).
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from agency.permissions import access_object, can_use_workspace, user_role
from agency.roles import Role
from agency.selectors import granted_ids, request_cache
from quality.models import (
    SignificantEvent,
    SpecialQualitativeReview,
    SqrAccessLog,
    SqrExternalShare,
    SqrFinding,
    SqrGrant,
    SqrInterview,
    SqrRecommendation,
)

VIEW_PERM = "quality.view_specialqualitativereview"
OPEN_PERM = "quality.add_specialqualitativereview"
GRANT_PERM = "quality.grant_specialqualitativereview"
WORKSPACE = "reviews"

# The learning page shows nothing until this many reviews have final findings, and
# groups a theme under "Other themes" unless it comes from at least this many reviews:
# a count that stands for one review could point to it.
MIN_REVIEWS = 3
MIN_REVIEWS_PER_THEME = 2
OTHER_THEMES = "Other themes"


# --- the gatekeeper --------------------------------------------------------------------------


def reachable_ids(user: Any) -> list[int]:
    """Ids of the reviews granted to the user one by one (directly or through a group).
    Model-wide permissions and superuser status do not count. One small query, kept for
    the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    return granted_ids(user, (VIEW_PERM, SpecialQualitativeReview))[VIEW_PERM]


def visible_reviews(user: Any) -> QuerySet[SpecialQualitativeReview]:
    """The reviews the user may reach: only those granted to them."""
    return SpecialQualitativeReview.objects.filter(pk__in=reachable_ids(user))


def forget_grants(user: Any) -> None:
    """Drop the grants read for this request, after a grant or revocation changed them."""
    cache = request_cache(user)
    cache.pop("grants", None)
    cache.pop("sqr_grantor", None)


def access_review(
    user: Any, pk: Any, *, action: str = "view", what: str = ""
) -> SpecialQualitativeReview:
    """One review the user may reach, or Http404 (missing and forbidden alike). Every
    reach is written to the review's access log with `action` ("view", "print",
    "export", "api", "admin", "change", ...) and `what` was reached."""
    from quality.services.sqr import access_log_record

    reviews = visible_reviews(user).select_related(
        "event__work_location", "event__case", "opened_by"
    )
    try:
        review = access_object(reviews, pk)
    except Http404:
        if user.is_authenticated:
            try:
                refused = SpecialQualitativeReview.objects.filter(pk=pk).first()
            except (ValueError, TypeError):
                refused = None
            if refused is not None:
                access_log_record(
                    review=refused, user=user, action="refused", what=f"{action}: {what}"
                )
        raise
    access_log_record(review=review, user=user, action=action, what=what)
    return review


def can_open_reviews(user: Any) -> bool:
    """Quality reviewers and the Commissioner's office (the model permission to add)."""
    return user.is_authenticated and user.is_active and user.has_perm(OPEN_PERM)


def can_work(user: Any) -> bool:
    """Who may write on a review they reach (interviews, findings, the report): the review
    team, i.e. those who may open reviews. Others granted access read."""
    return can_open_reviews(user)


def is_grantor(user: Any) -> bool:
    """Holds the grant permission through their role or their own permissions: the
    Commissioner's office (or a designee). Superuser status alone does not make a
    grantor. One query, kept for the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    cache = request_cache(user)
    if "sqr_grantor" not in cache:
        app_label, codename = GRANT_PERM.split(".")
        cache["sqr_grantor"] = (
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .filter(Q(group__user=user) | Q(user=user))
            .exists()
        )
    return cache["sqr_grantor"]


def can_grant(user: Any, review: SpecialQualitativeReview) -> bool:
    """A grantor who holds access to this review grants others and reads its log."""
    return is_grantor(user) and review.pk in reachable_ids(user)


def can_list(user: Any) -> bool:
    """The list of reviews is for the reviews workspace, and for anyone granted one."""
    return can_use_workspace(user, WORKSPACE) or bool(reachable_ids(user))


def can_read_learning(user: Any) -> bool:
    return can_use_workspace(user, WORKSPACE)


def is_commissioners_office(user: Any) -> bool:
    return user.is_active and user_role(user) == Role.COMMISSIONERS_OFFICE


# --- the screens -----------------------------------------------------------------------------


def review_list(user: Any, *, query: str = "", status: str = "") -> QuerySet:
    """The reviews the user reaches, newest first; `query` searches the review's and the
    event's reference among them only."""
    reviews = visible_reviews(user)
    query = (query or "").strip()
    if query:
        reviews = reviews.filter(
            Q(reference__icontains=query) | Q(event__reference__icontains=query)
        )
    if status:
        reviews = reviews.filter(status=status)
    return (
        reviews.select_related("event", "opened_by")
        .annotate(finding_count=Count("findings", distinct=True))
        .order_by("-opened_at", "-pk")
    )


def review_sections(review: SpecialQualitativeReview) -> dict[str, Any]:
    """Everything the review page and its print view show, in four queries: interviews
    by kind, findings by core area with their recommendations and owners, external
    shares."""
    interviews = list(review.interviews.select_related("recorded_by"))
    findings = list(
        review.findings.prefetch_related(
            Prefetch(
                "recommendations",
                queryset=SqrRecommendation.objects.select_related("owner").order_by("due_on", "pk"),
            )
        )
    )
    by_area = [
        (value, label, [f for f in findings if f.area == value])
        for value, label in SqrFinding.Area.choices
    ]
    by_kind = [
        (value, label, [i for i in interviews if i.kind == value])
        for value, label in SqrInterview.Kind.choices
    ]
    shares = list(review.external_shares.select_related("authorized_by", "recorded_by"))
    return {
        "interviews": interviews,
        "interviews_by_kind": by_kind,
        "findings": findings,
        "findings_by_area": by_area,
        "recommendations": [r for f in findings for r in f.recommendations.all()],
        "shares": shares,
    }


def review_grants(review: SpecialQualitativeReview) -> QuerySet[SqrGrant]:
    """Every grant of the review, current first, with who granted and revoked it."""
    return review.grants.select_related("user__staff", "granted_by", "revoked_by").order_by(
        "revoked_at", "-granted_at", "-pk"
    )


def access_log(review: SpecialQualitativeReview) -> QuerySet[SqrAccessLog]:
    return review.access_log.select_related("user").order_by("-at", "-pk")


def external_shares(review: SpecialQualitativeReview) -> QuerySet[SqrExternalShare]:
    return review.external_shares.select_related("authorized_by", "recorded_by")


def grantable_users(review: SpecialQualitativeReview) -> QuerySet:
    """Active staff with a role (or administrators) not holding access to the review yet."""
    from django.contrib.auth import get_user_model

    current = SqrGrant.objects.filter(review=review, revoked_at__isnull=True).values("user_id")
    return (
        get_user_model()
        .objects.filter(Q(staff__isnull=False) | Q(is_superuser=True), is_active=True)
        .exclude(pk__in=current)
        .select_related("staff")
        .order_by("last_name", "first_name", "username")
    )


def commissioners_office_users() -> QuerySet:
    """Who may authorize sharing a review outside the agency."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, staff__role=Role.COMMISSIONERS_OFFICE)
        .order_by("last_name", "first_name", "username")
    )


def recommendation_owners() -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, staff__isnull=False)
        .order_by("last_name", "first_name", "username")
    )


def openable_event(user: Any, pk: Any) -> SignificantEvent:
    """The event a review is opened from: one the user may see (quality.selectors.events),
    or 404."""
    from quality.selectors.events import access_event

    return access_event(user, pk)


def my_reviews_of_event(user: Any, event: SignificantEvent) -> QuerySet:
    """Reviews of the event the user already reaches (others stay unseen)."""
    return visible_reviews(user).filter(event=event).order_by("-opened_at")


def due_recommendations(*, today, within_days: int) -> QuerySet[SqrRecommendation]:
    """Recommendations still open or in progress, due within `within_days` or overdue,
    with their owner (for the reminders)."""
    from datetime import timedelta

    return (
        SqrRecommendation.objects.filter(
            status__in=[SqrRecommendation.Status.OPEN, SqrRecommendation.Status.IN_PROGRESS],
            due_on__lte=today + timedelta(days=within_days),
            owner__is_active=True,
        )
        .select_related("owner", "finding")
        .order_by("due_on", "pk")
    )


# --- the learning page -----------------------------------------------------------------------


@dataclass
class AreaRow:
    area: str
    label: str
    internal: int = 0
    external: int = 0

    @property
    def total(self) -> int:
        return self.internal + self.external


@dataclass
class ThemeRow:
    theme: str
    area_label: str
    findings: int
    reviews: int
    internal: int = 0
    external: int = 0


@dataclass
class Learning:
    """Counts only: no reference, name, event, date or text of any review."""

    reviews: int
    enough: bool
    areas: list[AreaRow] = field(default_factory=list)
    themes: list[ThemeRow] = field(default_factory=list)
    recommendations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return sum(row.total for row in self.areas)

    @property
    def summary(self) -> str:
        if not self.enough:
            return (
                f"Fewer than {MIN_REVIEWS} reviews have a final report, so no counts are "
                "shown yet: with so few, a count could point to one review."
            )
        top = max(self.areas, key=lambda row: row.total)
        return (
            f"{self.findings} findings from {self.reviews} reviews with a final report; the "
            f"most in {top.label.lower()} ({top.total})."
        )


def _theme_key(theme: str) -> str:
    return " ".join(theme.split()).lower()


def _spelling(spellings: Counter) -> str:
    """The spelling used most; on a tie the capitalised one, then by the text itself,
    so the choice never depends on the order the database returned the rows in."""
    return max(spellings.items(), key=lambda item: (item[1], item[0][:1].isupper(), item[0]))[0]


def learning(*, year: int | None = None) -> Learning:
    """De-identified findings across every review whose report is final: counts by core
    area and internal or external, by theme (themes from fewer than two reviews are
    counted together as "Other themes"), and recommendations by status. Nothing is
    shown until at least MIN_REVIEWS reviews contribute. Three GROUP BY queries."""
    final = SpecialQualitativeReview.objects.filter(report_finalized_at__isnull=False)
    if year:
        final = final.filter(report_finalized_at__year=year)
    contributing = final.filter(findings__isnull=False).distinct().count()
    result = Learning(reviews=contributing, enough=contributing >= MIN_REVIEWS)
    if not result.enough:
        return result
    findings = SqrFinding.objects.filter(review__in=final)
    areas = {value: AreaRow(value, label) for value, label in SqrFinding.Area.choices}
    for row in findings.values("area", "scope").annotate(n=Count("pk")).order_by():
        target = areas[row["area"]]
        if row["scope"] == SqrFinding.Scope.EXTERNAL:
            target.external += row["n"]
        else:
            target.internal += row["n"]
    result.areas = list(areas.values())

    # Themes as typed differ in case and spacing: grouped by their lower-case form, shown
    # in the spelling used most.
    rows = (
        findings.annotate(key=Lower("theme"))
        .values("area", "key", "theme", "scope", "review_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["area"], _theme_key(row["key"]))
        entry = grouped.setdefault(
            key, {"spellings": Counter(), "reviews": set(), "internal": 0, "external": 0}
        )
        entry["spellings"][" ".join(row["theme"].split())] += row["n"]
        entry["reviews"].add(row["review_id"])
        entry["external" if row["scope"] == SqrFinding.Scope.EXTERNAL else "internal"] += row["n"]
    labels = dict(SqrFinding.Area.choices)
    themes: list[ThemeRow] = []
    other: dict[str, dict] = {}
    for (area, _), entry in grouped.items():
        total = entry["internal"] + entry["external"]
        if len(entry["reviews"]) >= MIN_REVIEWS_PER_THEME:
            themes.append(
                ThemeRow(
                    theme=_spelling(entry["spellings"]),
                    area_label=labels[area],
                    findings=total,
                    reviews=len(entry["reviews"]),
                    internal=entry["internal"],
                    external=entry["external"],
                )
            )
        else:
            bucket = other.setdefault(
                area, {"findings": 0, "reviews": set(), "internal": 0, "external": 0}
            )
            bucket["findings"] += total
            bucket["reviews"] |= entry["reviews"]
            bucket["internal"] += entry["internal"]
            bucket["external"] += entry["external"]
    themes.sort(key=lambda t: (list(labels.values()).index(t.area_label), -t.findings, t.theme))
    for area, bucket in other.items():
        themes.append(
            ThemeRow(
                theme=OTHER_THEMES,
                area_label=labels[area],
                findings=bucket["findings"],
                reviews=len(bucket["reviews"]),
                internal=bucket["internal"],
                external=bucket["external"],
            )
        )
    result.themes = themes
    statuses = dict(
        SqrRecommendation.objects.filter(finding__review__in=final)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    result.recommendations = [
        (label, statuses.get(value, 0)) for value, label in SqrRecommendation.Status.choices
    ]
    return result
