"""The disproportionality page and API (/quality/equity/, /api/quality/equity/): who
sees which level, the tables, CSV, and a fixed number of queries whatever the data."""

from datetime import date

import pytest

from agency.roles import Role
from quality import facts
from quality.models import ChildPopulation
from tests.casework.factories import add_member, make_case, make_intake
from tests.quality.factories_dashboard import NOW, _allegation, make_equity_cohort

URLS = ["/quality/equity/", "/api/quality/equity/"]
NOVEMBER = "period=month&month=2026-11"


@pytest.fixture
def cohort(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_equity_cohort(personas)
    for group, n in (("hispanic", 400), ("black", 200), ("white", 1000), ("two_or_more", 100)):
        ChildPopulation.objects.create(
            year=2026, group=group, children=n, source="Placeholder figures for the test"
        )
    facts.facts_refresh(first_month=date(2026, 10, 1), last_month=date(2026, 11, 1))
    return cohort


@pytest.fixture
def reviewer(user_with_role, personas):
    return user_with_role(Role.QUALITY_REVIEWER, location=personas.central)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("url", URLS)
def test_caseworkers_and_the_role_less_are_refused(client, personas, cohort, url):
    assert get(client, personas.caseworker, url).status_code == 403
    assert get(client, personas.outsider, url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_a_supervisor_sees_their_unit_only(client, personas, cohort, url):
    assert get(client, personas.supervisor, f"{url}?{NOVEMBER}").status_code == 200
    mine = f"{url}?scope=unit:{personas.unit.pk}&{NOVEMBER}"
    assert get(client, personas.supervisor, mine).status_code == 200
    for other in (
        f"unit:{personas.other_unit.pk}",
        f"worker:{personas.other_caseworker.pk}",
        f"region:{personas.region.pk}",
        "state",
        "unit:x",
    ):
        response = get(client, personas.supervisor, f"{url}?scope={other}&{NOVEMBER}")
        assert response.status_code == 404, other


def test_the_page_shows_counts_rates_and_the_index(client, cohort, reviewer):
    page = get(client, reviewer, f"/quality/equity/?scope=state&{NOVEMBER}").text
    assert "Race and ethnicity at decision points" in page
    assert "Black or African American, not Hispanic" in page
    assert "<strong>5.00</strong>" in page  # Black referrals: 10 per 1,000 against 2
    assert "Placeholder figures for the test" in page
    assert "relative rate index method" in page
    assert "Highest relative rate" in page
    assert '<svg class="hearth-chart"' in page
    hispanic = get(client, reviewer, f"/quality/equity/?scope=state&{NOVEMBER}&reference=hispanic")
    assert "<strong>2.00</strong>" in hispanic.text  # Black: 10 against Hispanic 5
    assert '<option value="hispanic" selected>' in hispanic.text


def test_the_dashboard_links_to_the_page(client, cohort, reviewer):
    page = get(client, reviewer, f"/quality/?scope=state&{NOVEMBER}").text
    assert "/quality/equity/?scope=state&amp;period=month&amp;month=2026-11" in page


def test_no_population_below_the_region_is_said(client, personas, cohort):
    page = get(client, personas.supervisor, f"/quality/equity/?{NOVEMBER}").text
    assert "not for units: no referral rate at this level" in page


def test_csv_export(client, cohort, reviewer):
    response = get(client, reviewer, f"/quality/equity/?scope=state&{NOVEMBER}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 1 + 3 * 8
    assert 'Referral,"Black or African American, not Hispanic",2,200,10.0,' in lines[4]
    assert lines[4].endswith(",5.00")


def test_the_api_serves_the_tables(client, personas, cohort, reviewer):
    data = get(client, reviewer, f"/api/quality/equity/?scope=state&{NOVEMBER}").json()
    assert data["reference"] == "white" and data["population"]["year"] == 2026
    referral, substantiation, entry = data["decision_points"]
    black = next(g for g in referral["groups"] if g["group"] == "black")
    assert (black["children"], black["rate"], black["relative_rate_index"]) == (2, "10.0", "5.00")
    assert (referral["children"], substantiation["children"], entry["children"]) == (8, 3, 2)
    unit = get(
        client, reviewer, f"/api/quality/equity/?scope=unit:{personas.unit.pk}&{NOVEMBER}"
    ).json()
    assert unit["population"] is None and unit["decision_points"][0]["children"] == 5


@pytest.mark.parametrize("url", [f"{u}?scope=state&{NOVEMBER}" for u in URLS])
def test_a_fixed_number_of_queries(
    client, personas, cohort, reviewer, django_assert_max_num_queries, url
):
    client.force_login(reviewer)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(20):
        case = make_case(
            personas.other_unit, personas.other_caseworker, opened_on=date(2026, 11, 1)
        )
        intake = make_intake(
            case, personas.other_caseworker, accepted_at=NOW.replace(day=2, month=11)
        )
        _allegation(intake, add_member(case).person, "substantiated", date(2026, 11, 3))
    facts.facts_refresh(first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
