"""The dashboard pages and API: who sees which level, the drill-down, CSV, and a fixed
number of queries whatever the data size."""

from datetime import date

import pytest

from agency.roles import Role
from quality import facts
from tests.casework.factories import add_member, make_case
from tests.quality.factories_dashboard import NOW, make_cohort

PAGES = [
    "/quality/",
    "/quality/indicators/visits_children/",
    "/quality/indicators/visits_children/rows/",
    "/api/quality/indicators/",
    "/api/quality/indicators/visits_children/",
]
NOVEMBER = "period=month&month=2026-11"


@pytest.fixture
def cohort(personas, time_machine):
    time_machine.move_to(NOW, tick=False)
    cohort = make_cohort(personas)
    facts.facts_refresh(first_month=date(2026, 8, 1), last_month=date(2026, 11, 1))
    return cohort


@pytest.fixture
def reviewer(user_with_role, personas):
    return user_with_role(Role.QUALITY_REVIEWER, location=personas.central)


@pytest.fixture
def area_admin(user_with_role, personas):
    return user_with_role(Role.AREA_ADMINISTRATOR, location=personas.office)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("url", PAGES)
def test_caseworkers_and_the_role_less_are_refused(client, personas, cohort, url):
    assert get(client, personas.caseworker, url).status_code == 403
    assert get(client, personas.outsider, url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_a_supervisor_sees_their_unit_and_its_workers_only(client, personas, cohort, url):
    mine = f"{url}?scope=unit:{personas.unit.pk}&{NOVEMBER}"
    assert get(client, personas.supervisor, mine).status_code == 200
    worker = f"{url}?scope=worker:{personas.caseworker.pk}&{NOVEMBER}"
    assert get(client, personas.supervisor, worker).status_code == 200
    for other in (
        f"unit:{personas.other_unit.pk}",
        f"worker:{personas.other_caseworker.pk}",
        f"office:{personas.office.pk}",
        f"region:{personas.region.pk}",
        "state",
        "unit:999999",
        "unit:x",
        "planet:1",
    ):
        response = get(client, personas.supervisor, f"{url}?scope={other}&{NOVEMBER}")
        assert response.status_code == 404, other


@pytest.mark.parametrize("url", PAGES)
def test_an_area_administrator_sees_their_office_only(client, personas, cohort, area_admin, url):
    assert get(client, area_admin, f"{url}?scope=office:{personas.office.pk}").status_code == 200
    assert get(client, area_admin, f"{url}?scope=unit:{personas.unit.pk}").status_code == 200
    for other in (f"office:{personas.other_office.pk}", f"unit:{personas.other_unit.pk}", "state"):
        assert get(client, area_admin, f"{url}?scope={other}").status_code == 404, other


def test_each_role_opens_on_its_own_level(client, personas, cohort, reviewer, area_admin):
    assert (
        "Hartford Area Office, Intake Unit 1" in get(client, personas.supervisor, "/quality/").text
    )
    assert "Hartford Area Office ·" in get(client, area_admin, "/quality/").text
    assert "State ·" in get(client, reviewer, "/quality/").text


def test_the_dashboard_shows_numbers_targets_and_when_refreshed(client, cohort, reviewer):
    page = get(client, reviewer, f"/quality/?scope=state&{NOVEMBER}").text
    assert "Monthly visits with children" in page
    assert "2 of 3" in page and "66.7%" in page and "95%" in page
    assert "Data last refreshed" in page
    assert "Children on cases open for the whole month" in page  # the definition


def test_drilling_down_from_the_state_to_the_child_missed(client, personas, cohort, reviewer):
    page = get(client, reviewer, f"/quality/indicators/visits_children/?scope=state&{NOVEMBER}")
    assert (
        f"?scope=region:{personas.other_office.region_id}&amp;{NOVEMBER.replace('&', '&amp;')}"
        in page.text
    )
    office = get(
        client,
        reviewer,
        f"/quality/indicators/visits_children/rows/?scope=office:{personas.other_office.pk}&{NOVEMBER}",
    )
    assert "Kai" in office.text
    assert f"/casework/cases/{cohort.case_d.pk}/" in office.text


def test_csv_exports(client, personas, cohort, reviewer):
    overview = get(client, reviewer, f"/quality/?scope=state&{NOVEMBER}&format=csv")
    assert overview["Content-Type"].startswith("text/csv")
    assert "Monthly visits with children,2,3,66.7,95" in overview.content.decode()
    parts = get(
        client, reviewer, f"/quality/indicators/visits_children/?scope=state&{NOVEMBER}&format=csv"
    )
    assert len(parts.content.decode().strip().splitlines()) == 3  # header and two regions
    rows = get(
        client,
        reviewer,
        f"/quality/indicators/iff_timeliness/rows/?scope=unit:{personas.unit.pk}&{NOVEMBER}&format=csv",
    )
    assert [line.split(",")[1] for line in rows.content.decode().strip().splitlines()[1:]] == [
        "Mia Rivera",
        "Sam Rivera",
        "Zoe Rivera",
    ]


def test_an_unknown_indicator_is_404(client, cohort, reviewer):
    assert get(client, reviewer, "/quality/indicators/nope/").status_code == 404
    assert get(client, reviewer, "/api/quality/indicators/nope/").status_code == 404


def test_the_api_serves_the_indicators(client, personas, cohort, reviewer):
    data = get(client, reviewer, f"/api/quality/indicators/?scope=state&{NOVEMBER}").json()
    children = next(i for i in data["indicators"] if i["code"] == "visits_children")
    assert (children["numerator"], children["denominator"], children["percent"]) == (2, 3, "66.7")
    assert data["scope"]["key"] == "state" and data["last_refreshed"]
    one = get(
        client,
        reviewer,
        f"/api/quality/indicators/iff_timeliness/?scope=unit:{personas.unit.pk}&{NOVEMBER}",
    ).json()
    assert one["value"]["counts"]["late"] == 1
    assert [p["label"] for p in one["parts"]] == [personas.caseworker.get_full_name()]
    assert len(one["trend"]) == 12


@pytest.mark.parametrize(
    "url",
    [
        "/quality/?scope=state",
        "/quality/indicators/visits_children/?scope=state",
        "/quality/indicators/visits_children/rows/?scope=state",
        "/api/quality/indicators/?scope=state",
    ],
)
def test_pages_run_a_fixed_number_of_queries(
    client, personas, cohort, reviewer, django_assert_max_num_queries, url
):
    client.force_login(reviewer)
    url = f"{url}&{NOVEMBER}"
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for _ in range(30):
        case = make_case(personas.other_unit, personas.other_caseworker, opened_on=date(2026, 1, 1))
        add_member(case)
    facts.facts_refresh(first_month=date(2026, 11, 1), last_month=date(2026, 11, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("model", ["tally", "membermonth", "casefact", "factrefresh"])
def test_the_facts_are_in_admin_read_only(cohort, admin_client, model):
    changelist = admin_client.get(f"/admin/quality/{model}/")
    assert changelist.status_code == 200
    assert admin_client.get(f"/admin/quality/{model}/add/").status_code == 403
