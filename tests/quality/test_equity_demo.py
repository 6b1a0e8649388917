"""The demo's placeholder child population and exit reasons (quality/demo_equity.py)."""

import random
from datetime import date

from casework.models import Placement
from quality import demo_equity
from quality.models import ChildPopulation
from tests.casework.factories import add_member, make_case
from tests.quality.factories_dashboard import _placed


def test_placeholder_population_for_the_state_and_each_region(personas):
    rows = demo_equity.seed_child_population(random.Random(1), year=2026)
    regions = {personas.region.pk, personas.other_office.region_id}
    assert rows == (len(regions) + 1) * 8
    state = dict(
        ChildPopulation.objects.filter(year=2026, region=None).values_list("group", "children")
    )
    by_region = ChildPopulation.objects.filter(year=2026, region__isnull=False)
    assert sum(state.values()) == sum(by_region.values_list("children", flat=True))
    assert set(ChildPopulation.objects.values_list("source", flat=True)) == {
        "Placeholder figures for the demo, not census data"
    }


def test_exit_reasons_only_where_the_child_left_care(personas):
    case = make_case(personas.unit, personas.caseworker, opened_on=date(2025, 1, 1))
    child = add_member(case).person
    moved = _placed(case, child, date(2025, 1, 1), date(2025, 3, 1))
    _placed(case, child, date(2025, 3, 1), date(2025, 9, 1))
    demo_equity.seed_exits_and_findings(random.Random(1))
    moved.refresh_from_db()
    assert moved.exit_reason == ""
    last = Placement.objects.get(child=child, start_date=date(2025, 3, 1))
    assert last.exit_reason in Placement.ExitReason.values
