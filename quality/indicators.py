"""The key indicators: what each one counts, in words the dashboard shows, and its target.

Numbers come from `Tally` rows (quality/facts.py keeps them current); this module only
says what they mean. Pure data and arithmetic: no queries.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    target: Decimal | None  # a percentage; None when the agency sets none
    numerator_label: str
    denominator_label: str
    # "month": summed over months (a fiscal year adds up its months); "fiscal_year":
    # counted once over the whole year (the federal measures).
    period: str = "month"
    # What the drill-down lists: "member_months" (people not seen in a month), "iff"
    # (initial contacts), "case_facts" (things due on a case).
    rows: str = "member_months"
    # At least (True) or at most the target.
    higher_is_better: bool = True
    # Breakdown keys of `Tally.counts` shown beside the share, with their labels.
    breakdown: tuple[tuple[str, str], ...] = ()
    # What the drill-down says of a case fact not done.
    not_done_label: str = "Not yet done"


_ON_TIME = (("on_time", "on time"), ("late", "done late"), ("not_done", "not yet done"))

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "visits_children",
        "Monthly visits with children",
        "Children on cases open for the whole month who were seen at a completed visit at "
        "least once that month.",
        Decimal(95),
        "children seen",
        "children on cases open all month",
        breakdown=(("private", "seen privately at least once"),),
    ),
    Indicator(
        "visits_mothers",
        "Monthly visits with mothers",
        "Mothers on cases open for the whole month who were seen at a completed visit at "
        "least once that month. Mothers whose whereabouts are unknown are counted apart, "
        "not in the share.",
        Decimal(95),
        "mothers seen",
        "mothers on cases open all month, whereabouts known",
        breakdown=(("whereabouts_unknown", "whereabouts unknown, counted apart"),),
    ),
    Indicator(
        "visits_fathers",
        "Monthly visits with fathers",
        "Fathers on cases open for the whole month who were seen at a completed visit at "
        "least once that month. Fathers whose whereabouts are unknown are counted apart, "
        "not in the share.",
        Decimal(95),
        "fathers seen",
        "fathers on cases open all month, whereabouts known",
        breakdown=(("whereabouts_unknown", "whereabouts unknown, counted apart"),),
    ),
    Indicator(
        "federal_visits",
        "Federal caseworker-visit measure",
        "For a federal fiscal year (1 October to 30 September): children in out-of-home "
        "care for at least one full calendar month of it, and of them those seen at a "
        "completed visit in each and every full month they were in care.",
        Decimal(95),
        "children seen every full month in care",
        "children in care at least one full month",
        period="fiscal_year",
    ),
    Indicator(
        "federal_residence",
        "Federal measure: visits in the child's residence",
        "Of the visits in those full months in care, the share held where the child lives "
        "(the child's residence or foster home). The federal target is more than half.",
        Decimal(50),
        "visits in the residence",
        "visits in full months in care",
        period="fiscal_year",
    ),
    Indicator(
        "supervisory_reviews",
        "Supervisory reviews this month",
        "Cases open for the whole month (open on its first day and not closed before its "
        "last: the cases the visit measures count) with at least one supervisory case "
        "review held in the month. A case counts for its primary worker. In the month under "
        "way, the reviews held so far.",
        Decimal(90),
        "cases reviewed",
        "cases open all month",
        rows="case_facts",
        breakdown=(
            ("guidance", "reviewed, with clinical guidance recorded"),
            ("reviewed", "reviewed, no clinical guidance recorded"),
            ("not_reviewed", "not reviewed"),
        ),
        not_done_label="No review in the month",
    ),
    Indicator(
        "iff_timeliness",
        "Initial face-to-face contacts on time",
        "Alleged victims whose initial face-to-face contact fell due in the period (and is "
        "already due): seen by the due time, or later with an approved extension. Late "
        "and not yet seen are shown apart.",
        Decimal(95),
        "seen on time or with an approved extension",
        "alleged victims whose contact fell due",
        rows="iff",
        breakdown=(
            ("on_time", "seen on time"),
            ("extension", "on time with an approved extension"),
            ("late", "seen late"),
            ("not_seen", "not yet seen"),
        ),
    ),
    Indicator(
        "assessments_on_time",
        "Assessments on time",
        "Safety, risk and family-centered assessments that fell due in the period (on cases "
        "open on the due date), approved by the due date.",
        Decimal(90),
        "approved on time",
        "assessments due",
        rows="case_facts",
        breakdown=_ON_TIME,
    ),
    Indicator(
        "plans_on_time",
        "Case plans approved on time",
        "Cases whose first case plan fell due in the period (60 days after the case opened, "
        "by the casework rules) with a plan approved by then.",
        Decimal(90),
        "first plans approved on time",
        "first plans due",
        rows="case_facts",
        breakdown=_ON_TIME,
    ),
    Indicator(
        "plan_reviews_on_time",
        "Case plan reviews on time",
        "Approved case plans whose review fell due in the period (6 months after approval) "
        "with a new version approved by then.",
        Decimal(90),
        "plans reviewed on time",
        "plan reviews due",
        rows="case_facts",
        breakdown=_ON_TIME,
    ),
    Indicator(
        "shared_planning_on_time",
        "Shared planning meetings on time",
        "Each shared planning meeting that fell due in the period for a child in care, once "
        "the due date has passed: the first 180 days after the child entered care, then 6 "
        "months after the last one held (the casework rules' defaults). On time when a "
        "shared planning meeting for the child was held on or before the due date. A child "
        "who left care before a due date is not counted for it.",
        Decimal(90),
        "held on time",
        "meetings due",
        rows="case_facts",
        breakdown=(("on_time", "held on time"), ("late", "held late"), ("not_done", "not held")),
        not_done_label="Not held",
    ),
    Indicator(
        "ftdm_on_time",
        "FTDMs before or within 72 hours of placement",
        "Placements that began in the period (not trial home visits or placements entered "
        "in error), once the FTDM deadline has passed, with a Family Team Decision Making "
        "meeting for the placement held by then: by the end of the day the child was placed "
        "for a planned placement, within 72 hours after the end of that day for an "
        "emergency placement (the casework rules' default). A placement that ended without "
        "one still counts.",
        Decimal(90),
        "FTDMs held in time",
        "placements",
        rows="case_facts",
        breakdown=(("on_time", "held in time"), ("late", "held late"), ("not_done", "not held")),
        not_done_label="No FTDM held",
    ),
    Indicator(
        "home_study_on_time",
        "Kin home-study referrals within 30 days",
        "Children placed with unlicensed kin whose home-study referral fell due in the "
        "period (30 days after the placement began), referred by then.",
        Decimal(95),
        "referred within 30 days",
        "referrals due",
        rows="case_facts",
        breakdown=_ON_TIME,
    ),
    Indicator(
        "fifteen_of_22",
        "15 of 22 months: petition or compelling reason",
        "Children in care 15 of the last 22 months (counted in the month they first met the "
        "rule, among those meeting it today) with a termination petition filed or a "
        "compelling reason not to file documented since.",
        Decimal(100),
        "with a petition or compelling reason",
        "children in care 15 of 22 months",
        rows="case_facts",
        breakdown=(("decided", "petition or compelling reason"), ("no_decision", "neither yet")),
    ),
    Indicator(
        "court_reports_on_time",
        "Court reports filed on time",
        "Court reports whose due date (set on each hearing: 10 days before it by default) "
        "fell in the period and has passed, filed on or before the due date. Reports for "
        "cancelled hearings are not counted.",
        Decimal(95),
        "filed on time",
        "reports due",
        rows="case_facts",
        breakdown=(("on_time", "filed on time"), ("late", "filed late"), ("not_done", "not filed")),
        not_done_label="Not filed",
    ),
    Indicator(
        "permanency_12_months",
        "Permanency within 12 months",
        "Children entering out-of-home care in the period (the first day of an episode: a "
        "placement, not a trial home visit, with no placement the day before), and of them "
        "those who left care to reunification, adoption, guardianship or to live with a "
        "relative within 12 months of entering. A fiscal year is a 12-month entry cohort. "
        "Children still in care whose 12 months are not yet over are counted apart, not in "
        "the share.",
        None,
        "left care to permanency within 12 months",
        "children entering care, 12 months over or left",
        rows="case_facts",
        breakdown=(
            ("permanency", "left to permanency within 12 months"),
            ("other_exit", "left care otherwise within 12 months"),
            ("not_within_12", "in care 12 months or more, or left later"),
            ("not_yet_12", "not yet 12 months, counted apart"),
        ),
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
# Case-fact outcomes shown in the breakdown but kept out of the share (numerator and
# denominator): the entries whose 12 months are not yet over.
COUNTED_APART = frozenset({"not_yet_12"})
# The member-month indicators and the role each one counts.
VISIT_ROLES = {"visits_children": "child", "visits_mothers": "mother", "visits_fathers": "father"}


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """The share as a percentage with one decimal, or None when nothing was counted."""
    if not denominator:
        return None
    share = Decimal(numerator) * 100 / Decimal(denominator)
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def meets_target(indicator: Indicator, share: Decimal | None) -> bool | None:
    if share is None or indicator.target is None:
        return None
    if indicator.code == "federal_residence":
        return share > indicator.target  # "more than half"
    return share >= indicator.target if indicator.higher_is_better else share <= indicator.target


def fiscal_year_start(day: date) -> date:
    """1 October of the federal fiscal year `day` falls in (FY 2027 starts 1 Oct 2026)."""
    return date(day.year if day.month >= 10 else day.year - 1, 10, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month's first day from `first`'s month to `last`'s, inclusive."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months
