"""The provider directory and referrals: searching and filtering the directory, a plan
service chosen from it, and a referral's steps with their dates
(casework.selectors.providers, casework.services.plans)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from agency.concurrency import edit_token
from casework.models import PlanService, Provider, ProviderService
from casework.selectors import providers as selectors
from casework.services import plans as plan_services
from tests.casework.test_plan_services import NOW, approved, filled, plan_case

Filters = selectors.DirectoryFilters


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def make_provider(name, *services, active=True, **fields) -> Provider:
    provider = Provider.objects.create(name=name, active=active, **fields)
    for service in services:
        ProviderService.objects.create(provider=provider, **service)
    return provider


def service(kind, **fields) -> dict:
    return {"service_type": kind} | fields


@pytest.fixture
def directory(db):
    return {
        "fsc": make_provider(
            "Family Support Center",
            service("Parenting education", evidence_based=True, model_name="Triple P",
                    languages="English, Spanish", locations="Hartford, Manchester"),
            service("Fatherhood group", languages="English", locations="Hartford", active=False),
        ),
        "mst": make_provider(
            "Connecticut MST Partners",
            service("Multisystemic Therapy", evidence_based=True, model_name="MST",
                    languages="English", locations="New Britain", capacity_note="6-week waitlist"),
        ),
        "closed": make_provider(
            "Willimantic Family Support",
            service("Parenting education", languages="English", locations="Willimantic"),
            active=False,
        ),
    }  # fmt: skip


def names(filters: Filters) -> list[str]:
    return [p.name for p in selectors.provider_directory(filters)]


def test_the_directory_lists_active_services_of_active_providers_by_default(directory):
    providers = list(selectors.provider_directory(Filters()))

    assert [p.name for p in providers] == ["Connecticut MST Partners", "Family Support Center"]
    fsc = providers[1]
    assert [s.service_type for s in fsc.matched_services] == ["Parenting education"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(q="triple"), ["Family Support Center"]),
        (Filters(q="multisystemic"), ["Connecticut MST Partners"]),
        (Filters(q="support"), ["Family Support Center"]),
        (Filters(evidence_based=True, language="spanish"), ["Family Support Center"]),
        (Filters(location="New Britain"), ["Connecticut MST Partners"]),
        (Filters(language="Portuguese"), []),
        (Filters(active="inactive"), ["Family Support Center", "Willimantic Family Support"]),
        (
            Filters(active="all", q="parenting"),
            ["Family Support Center", "Willimantic Family Support"],
        ),
    ],
)
def test_search_and_filters(directory, filters, expected):
    assert names(filters) == expected


def test_inactive_filter_shows_only_what_is_no_longer_offered(directory):
    fsc = next(
        p
        for p in selectors.provider_directory(Filters(active="inactive"))
        if p.pk == directory["fsc"].pk
    )

    assert [s.service_type for s in fsc.matched_services] == ["Fatherhood group"]
    assert selectors.directory_languages() == ["English", "Spanish"]


# --- a plan service from the directory -----------------------------------------------------------


def test_a_directory_service_fills_in_the_plan_service(personas, directory):
    plan = plan_services.plan_start(case=plan_case(personas), actor=personas.caseworker)
    listed = directory["mst"].services.get()

    added = plan_services.service_add(
        plan=plan, actor=personas.caseworker, provider_service=listed.pk,
        provider="typed, ignored", service_type="", referred_on=date(2026, 11, 20),
    )  # fmt: skip

    added.refresh_from_db()
    assert (added.provider_service, added.provider, added.service_type, added.evidence_based) == (
        listed,
        "Connecticut MST Partners",
        "Multisystemic Therapy",
        True,
    )


def test_an_unlisted_provider_is_typed_in_and_inactive_services_are_refused(personas, directory):
    plan = plan_services.plan_start(case=plan_case(personas), actor=personas.caseworker)
    gone = directory["closed"].services.get()

    typed = plan_services.service_add(
        plan=plan, actor=personas.caseworker, provider="Grandmother's church",
        service_type="Respite care", referred_on=date(2026, 11, 20),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        plan_services.service_add(
            plan=plan, actor=personas.caseworker, provider_service=gone.pk,
            referred_on=date(2026, 11, 20),
        )  # fmt: skip
    with pytest.raises(ValidationError) as neither:
        plan_services.service_add(
            plan=plan, actor=personas.caseworker, provider_service=None,
            referred_on=date(2026, 11, 20),
        )  # fmt: skip

    assert typed.provider_service is None and typed.provider == "Grandmother's church"
    assert set(refused.value.message_dict) == {"provider_service"}
    assert set(neither.value.message_dict) == {"provider", "service_type"}


def test_a_new_plan_version_keeps_the_directory_link_and_the_referral_dates(personas, directory):
    case = plan_case(personas)
    plan = approved(personas, case)
    listed = directory["fsc"].services.get(active=True)
    referral = plan.services.get()
    PlanService.objects.filter(pk=referral.pk).update(
        provider_service=listed, status="accepted", accepted_on=date(2026, 11, 21)
    )

    copy = plan_services.plan_start(case=case, actor=personas.caseworker).services.get()

    assert (copy.provider_service, copy.accepted_on, copy.status) == (
        listed,
        date(2026, 11, 21),
        "accepted",
    )


# --- a referral's steps ------------------------------------------------------------------------


@pytest.fixture
def referral(personas):
    """The service of an approved plan, referred on 20 November."""
    return approved(personas, plan_case(personas)).services.get()


def step(referral, actor, status, on, **fields):
    return plan_services.service_referral_update(
        service=PlanService.objects.get(pk=referral.pk), actor=actor, status=status, on=on,
        **fields,
    )  # fmt: skip


def test_a_referral_moves_sent_accepted_started_completed_with_its_dates(personas, referral):
    worker = personas.caseworker

    step(referral, worker, "accepted", date(2026, 11, 20))
    step(referral, worker, "started", "2026-11-21")
    done = step(referral, worker, "completed", date(2026, 11, 23))

    assert (done.status, done.referred_on, done.accepted_on, done.started_on, done.ended_on) == (
        "completed",
        date(2026, 11, 20),
        date(2026, 11, 20),
        date(2026, 11, 21),
        date(2026, 11, 23),
    )
    assert [row.status for row in done.history.order_by("history_id")][-3:] == [
        "accepted",
        "started",
        "completed",
    ]
    with pytest.raises(ValidationError) as ended:
        step(referral, worker, "declined", date(2026, 11, 23), decline_reason="x")
    assert ended.value.message_dict == {"status": ["The referral is completed; it has ended."]}


def test_a_declined_referral_needs_its_reason_and_date(personas, referral):
    with pytest.raises(ValidationError) as no_reason:
        step(referral, personas.caseworker, "declined", date(2026, 11, 22))

    declined = step(referral, personas.caseworker, "declined", date(2026, 11, 22),
                    decline_reason="Family declined: schedule conflicts with work.")  # fmt: skip

    assert set(no_reason.value.message_dict) == {"decline_reason"}
    assert (declined.status, declined.ended_on, declined.decline_reason) == (
        "declined",
        date(2026, 11, 22),
        "Family declined: schedule conflicts with work.",
    )


@pytest.mark.parametrize(
    ("status", "on", "errors"),
    [
        ("started", date(2026, 11, 21), {"status"}),  # accepted comes first
        ("completed", date(2026, 11, 21), {"status"}),
        ("accepted", date(2026, 11, 24), {"on"}),  # tomorrow
        ("accepted", date(2026, 11, 19), {"on"}),  # before the referral was sent
        ("accepted", "not a date", {"on"}),
        ("finished", None, {"status", "on"}),
    ],
)
def test_a_step_out_of_order_or_badly_dated_is_refused(personas, referral, status, on, errors):
    with pytest.raises(ValidationError) as refused:
        step(referral, personas.caseworker, status, on)

    assert set(refused.value.message_dict) == errors
    assert PlanService.objects.get(pk=referral.pk).status == "referred"


def test_a_later_step_cannot_be_dated_before_the_previous_one(personas, referral):
    step(referral, personas.caseworker, "accepted", date(2026, 11, 22))

    with pytest.raises(ValidationError) as refused:
        step(referral, personas.caseworker, "started", date(2026, 11, 21))

    assert refused.value.message_dict == {
        "on": ["The date cannot be before the day the provider accepted (22 Nov 2026)."]
    }


def test_a_stale_edit_token_is_refused(personas, referral):
    token = edit_token(referral)
    step(referral, personas.caseworker, "accepted", date(2026, 11, 21))

    with pytest.raises(ValidationError) as stale:
        step(referral, personas.supervisor, "started", date(2026, 11, 22), edit_token=token)

    assert set(stale.value.message_dict) == {"edit_token"}


def test_the_directory_reads_a_fixed_number_of_queries(directory, django_assert_num_queries):
    for n in range(30):
        make_provider(f"Provider {n:02d}", service("Mentoring"), service("Tutoring"))
    page = selectors.provider_directory(Filters())

    with django_assert_num_queries(2):
        rows = list(page[:25])

    assert len(rows) == 25 and all(len(p.matched_services) == 2 for p in rows[2:])


def test_filled_plans_still_work_without_the_directory(personas):
    plan = filled(personas, plan_case(personas))
    assert plan.services.get().provider_service is None
