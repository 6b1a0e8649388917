"""Demo data for permanency and disproportionality (`manage.py seed`, after the casework
demo and before the facts refresh):

- `seed_child_population(rng)`: placeholder child population figures by race and
  ethnicity group for the state and each region (labelled as placeholders, not census
  data), so the referral rates and the relative rate index have a base.
- `seed_exits_and_findings(rng)`: why demo children left care (on ended placements with
  no placement following) and the findings on older investigation allegations, so
  permanency within 12 months and the substantiation decision point have numbers.
"""

import random
from datetime import timedelta

from agency import clock
from agency.models import Region
from casework.models import Allegation, Intake, Placement
from quality.models import ChildPopulation

SOURCE = "Placeholder figures for the demo, not census data"
# Rough shares of the state's children by group, for placeholders only.
SHARES = {
    "hispanic": 0.27,
    "american_indian": 0.005,
    "asian": 0.05,
    "black": 0.11,
    "pacific_islander": 0.001,
    "white": 0.50,
    "two_or_more": 0.055,
    "unknown": 0.009,
}
STATE_CHILDREN = 700_000


def seed_child_population(rng: random.Random, *, year: int | None = None) -> int:
    """Placeholder figures for `year` (this year by default): each region's children by
    group, and the state's as their sum. Returns the rows written."""
    year = year or clock.today().year
    regions = list(Region.objects.order_by("pk"))
    weights = [rng.uniform(0.6, 1.4) for _ in regions] or [1.0]
    rows = []
    state = dict.fromkeys(SHARES, 0)
    for region, weight in zip(regions, weights, strict=False):
        for group, share in SHARES.items():
            n = round(STATE_CHILDREN * weight / sum(weights) * share * rng.uniform(0.8, 1.2))
            state[group] += n
            rows.append(
                ChildPopulation(year=year, region=region, group=group, children=n, source=SOURCE)
            )
    rows += [
        ChildPopulation(year=year, region=None, group=group, children=n, source=SOURCE)
        for group, n in state.items()
    ]
    ChildPopulation.objects.filter(year=year).delete()
    ChildPopulation.objects.bulk_create(rows)
    return len(rows)


def seed_exits_and_findings(rng: random.Random) -> dict[str, int]:
    """Exit reasons on ended demo placements with no placement following, and findings
    on investigation allegations accepted more than two weeks ago (about a third
    substantiated). Demo rows written directly, in bulk, like the casework demo's."""
    placements = list(
        Placement.objects.filter(end_date__isnull=False, exit_reason="", entered_in_error=False)
        .only("pk", "child_id", "end_date")
        .order_by("pk")
    )
    starts = set(
        Placement.objects.filter(entered_in_error=False).values_list("child_id", "start_date")
    )
    reasons = [
        (Placement.ExitReason.REUNIFICATION, 50),
        (Placement.ExitReason.ADOPTION, 12),
        (Placement.ExitReason.GUARDIANSHIP, 10),
        (Placement.ExitReason.LIVING_WITH_RELATIVE, 10),
        (Placement.ExitReason.EMANCIPATION, 8),
        (Placement.ExitReason.RUNAWAY, 5),
        (Placement.ExitReason.OTHER, 5),
    ]
    exits = []
    for placement in placements:
        end = placement.end_date
        if (placement.child_id, end) in starts or (
            placement.child_id,
            end + timedelta(1),
        ) in starts:
            continue  # a move: the next placement follows
        placement.exit_reason = rng.choices([r for r, _ in reasons], [w for _, w in reasons])[0]
        exits.append(placement)
    Placement.objects.bulk_update(exits, ["exit_reason"], batch_size=2000)

    cutoff = clock.now() - timedelta(days=14)
    allegations = list(
        Allegation.objects.filter(
            intake__track=Intake.Track.INVESTIGATION,
            intake__accepted_at__lt=cutoff,
            finding=Allegation.Finding.PENDING,
        )
        .select_related("intake")
        .only("pk", "intake__accepted_at", "intake__case_id")
        .order_by("pk")
    )
    today = clock.today()
    for allegation in allegations:
        accepted_on = allegation.intake.accepted_at.date()
        allegation.finding = (
            Allegation.Finding.SUBSTANTIATED
            if rng.random() < 0.33
            else Allegation.Finding.UNSUBSTANTIATED
        )
        allegation.finding_on = min(today, accepted_on + timedelta(days=rng.randint(10, 45)))
    Allegation.objects.bulk_update(allegations, ["finding", "finding_on"], batch_size=2000)
    return {"exits": len(exits), "findings": len(allegations)}
