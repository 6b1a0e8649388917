"""The provider directory's pages and a referral's page, through HTTP; a plan service
chosen from the directory on the plan's edit page; the directory admin."""

from datetime import date
from urllib.parse import quote

import pytest
from django.urls import reverse

from agency.roles import Role
from casework.models import PlanService, Provider, ProviderService
from casework.services import plans as plan_services
from tests.casework.test_plan_services import NOW, approved, plan_case
from tests.casework.test_providers_services import make_provider, service
from tests.factories import make_user


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def directory(db):
    return make_provider(
        "Connecticut MST Partners",
        service("Multisystemic Therapy", evidence_based=True, model_name="MST",
                languages="English, Spanish", locations="New Britain",
                capacity_note="6-week waitlist"),
        phone="860-555-0122",
    )  # fmt: skip


@pytest.fixture
def draft(personas):
    return plan_services.plan_start(case=plan_case(personas), actor=personas.caseworker)


@pytest.fixture
def referral(personas):
    return approved(personas, plan_case(personas)).services.get()


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


# --- the directory -----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, directory, referral):
    for path in (url("providers"), url("provider_detail", directory.pk),
                 url("plan_service_referral", referral.pk)):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.CASEWORKER, 200),
        (Role.SUPERVISOR, 200),
        (Role.AREA_ADMINISTRATOR, 200),
        (Role.QUALITY_REVIEWER, 200),
        (Role.COMMISSIONERS_OFFICE, 200),
        (Role.SYSTEM_ADMINISTRATOR, 200),
        (Role.OMBUDSMAN_STAFF, 403),
        (Role.ORE_ANALYST, 403),
        (None, 403),
    ],
)
def test_every_casework_role_reads_the_directory(client, personas, directory, role, code):
    client.force_login(make_user(role, location=personas.office if role else None))

    assert client.get(url("providers")).status_code == code
    assert client.get(url("provider_detail", directory.pk)).status_code == code


def test_the_directory_searches_and_filters(client, personas, directory):
    make_provider("Bridgeport Child Guidance", service("Parent-Child Interaction Therapy",
                  evidence_based=True, languages="English", locations="Bridgeport"))  # fmt: skip
    make_provider("Waterbury Mentoring", service("Mentoring", locations="Waterbury"))
    client.force_login(personas.caseworker)

    def shown(**params):
        response = client.get(url("providers"), params)
        return [p.name for p in response.context["page"].object_list]

    assert shown() == ["Bridgeport Child Guidance", "Connecticut MST Partners",
                       "Waterbury Mentoring"]  # fmt: skip
    assert shown(q="interaction") == ["Bridgeport Child Guidance"]
    assert shown(evidence_based="on") == ["Bridgeport Child Guidance", "Connecticut MST Partners"]
    assert shown(language="Spanish") == ["Connecticut MST Partners"]
    assert shown(location="waterbury") == ["Waterbury Mentoring"]
    page = client.get(url("providers"), {"q": "MST"})
    assert "6-week waitlist" in page.text and "Evidence-based: MST" in page.text


def test_the_directory_runs_the_same_queries_for_1_and_40_providers(
    client, personas, directory, django_assert_max_num_queries
):
    client.force_login(personas.caseworker)
    client.get(url("providers"))
    with django_assert_max_num_queries(12) as first:
        client.get(url("providers"))
    for n in range(40):
        make_provider(f"Provider {n:02d}", service("Mentoring", languages=f"Lang{n}"),
                      service("Tutoring"))  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url("providers"), {"page": 2})
    assert response.context["page"].number == 2


def test_inactive_providers_show_only_when_asked(client, personas, directory):
    make_provider("Closed Agency", service("Parenting education"), active=False)
    client.force_login(personas.caseworker)

    default = client.get(url("providers"))
    gone = client.get(url("providers"), {"active": "inactive"})

    assert "Closed Agency" not in default.text
    assert "Closed Agency" in gone.text and "No longer active" in gone.text


# --- a plan service from the directory ---------------------------------------------------------


def test_the_plan_form_offers_the_directorys_active_services(client, personas, directory, draft):
    ProviderService.objects.create(provider=directory, service_type="Old group", active=False)
    client.force_login(personas.caseworker)

    page = client.get(url("plan_edit", draft.pk))

    choices = [
        label for _, label in page.context["service_form"].fields["provider_service"].choices
    ]
    assert any("Connecticut MST Partners: Multisystemic Therapy" in label for label in choices)
    assert not any("Old group" in label for label in choices)
    assert f"{url('providers')}?plan={draft.pk}" in page.text


def test_choosing_a_directory_service_fills_in_the_plan_service(client, personas, directory, draft):
    client.force_login(personas.caseworker)
    listed = directory.services.get()

    response = client.post(
        url("plan_service_add", draft.pk),
        {"provider_service": listed.pk, "provider": "", "service_type": "",
         "status": "referred", "referred_on": "2026-11-23"},
    )  # fmt: skip

    assert response.status_code == 302
    added = draft.services.get()
    assert (added.provider_service, added.provider, added.service_type, added.evidence_based) == (
        listed,
        "Connecticut MST Partners",
        "Multisystemic Therapy",
        True,
    )


def test_without_the_directory_the_provider_and_type_are_needed(client, personas, draft):
    client.force_login(personas.caseworker)

    refused = client.post(
        url("plan_service_add", draft.pk),
        {"provider_service": "", "status": "referred", "referred_on": "2026-11-23"},
    )
    typed = client.post(
        url("plan_service_add", draft.pk),
        {"provider": "Neighbour", "service_type": "Respite", "status": "referred",
         "referred_on": "2026-11-23"},
    )  # fmt: skip

    assert refused.status_code == 400
    assert set(refused.context["service_form"].errors) == {"provider", "service_type"}
    assert typed.status_code == 302
    assert draft.services.get().provider_service is None


def test_the_directory_refers_a_service_to_the_plan_being_edited(
    client, personas, directory, draft
):
    client.force_login(personas.caseworker)
    page = client.get(url("providers"), {"plan": draft.pk})
    assert page.context["plan"] == draft
    assert url("plan_service_add", draft.pk) in page.text
    client.force_login(personas.other_caseworker)
    assert client.get(url("providers"), {"plan": draft.pk}).context["plan"] is None

    client.force_login(personas.caseworker)
    response = client.post(
        url("plan_service_add", draft.pk),
        {"provider_service": directory.services.get().pk, "status": "referred",
         "referred_on": NOW.date().isoformat()},
    )  # fmt: skip

    assert response.status_code == 302
    assert draft.services.get().provider == "Connecticut MST Partners"


# --- a referral's page -------------------------------------------------------------------------


def test_the_referral_page_records_each_step(client, personas, referral):
    client.force_login(personas.caseworker)
    plan_page = client.get(url("plan_detail", referral.plan_id))
    assert url("plan_service_referral", referral.pk) in plan_page.text
    page = client.get(url("plan_service_referral", referral.pk))
    assert page.status_code == 200
    assert [value for value, _ in page.context["form"].fields["status"].choices] == [
        "accepted",
        "declined",
    ]

    future = client.post(
        url("plan_service_referral", referral.pk), {"status": "accepted", "on": "2026-11-24"}
    )
    assert future.status_code == 400
    assert future.context["form"].errors == {"on": ["The date cannot be in the future."]}
    done = client.post(
        url("plan_service_referral", referral.pk), {"status": "accepted", "on": "2026-11-21"}
    )

    assert done.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.accepted_on) == ("accepted", date(2026, 11, 21))
    page = client.get(url("plan_service_referral", referral.pk))
    assert [value for value, _ in page.context["form"].fields["status"].choices] == [
        "started",
        "declined",
    ]


def test_the_referral_page_is_404_outside_the_case_and_403_to_readers(client, personas, referral):
    for who, code in [
        (personas.other_caseworker, 404),
        (personas.outsider, 404),
        (personas.ombudsman, 404),
    ]:
        client.force_login(who)
        assert client.get(url("plan_service_referral", referral.pk)).status_code == code
        post = client.post(
            url("plan_service_referral", referral.pk), {"status": "accepted", "on": "2026-11-21"}
        )
        assert post.status_code == code
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    assert client.get(url("plan_service_referral", referral.pk)).status_code == 200
    post = client.post(
        url("plan_service_referral", referral.pk), {"status": "accepted", "on": "2026-11-21"}
    )
    assert post.status_code == 403
    assert PlanService.objects.get(pk=referral.pk).status == "referred"


# --- admin -------------------------------------------------------------------------------------


def test_system_administrators_keep_the_directory_in_admin(client, personas, directory):
    admin = make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central, is_staff=True)
    client.force_login(admin)

    assert client.get(reverse("admin:casework_provider_changelist")).status_code == 200
    assert client.get(reverse("admin:casework_providerservice_changelist")).status_code == 200
    change = client.get(reverse("admin:casework_provider_change", args=[directory.pk]))
    assert change.status_code == 200 and "Multisystemic Therapy" in change.text
    response = client.post(
        reverse("admin:casework_provider_add"),
        {
            "name": "New Haven Housing", "phone": "", "email": "", "website": "", "address": "",
            "active": "on", "notes": "",
            "services-TOTAL_FORMS": "1", "services-INITIAL_FORMS": "0",
            "services-MIN_NUM_FORMS": "0", "services-MAX_NUM_FORMS": "1000",
            "services-0-service_type": "Housing search", "services-0-languages": "English",
            "services-0-locations": "New Haven", "services-0-model_name": "",
            "services-0-capacity_note": "", "services-0-active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Provider.objects.get(name="New Haven Housing")
    assert added.services.get().service_type == "Housing search"
