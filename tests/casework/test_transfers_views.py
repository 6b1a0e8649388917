"""The transfer pages, through HTTP: requesting from the case page, the receiving
supervisor's list and decision (with the case summary while it waits), access moving
with the case, withdrawal, and who gets 403 or 404."""

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agency.roles import Role
from casework.models import Case, CaseTransfer, RecordView
from tests.casework.factories import add_member, make_case
from tests.casework.test_transfers_services import (
    NOW,
    SUMMARY,
    receiving_unit,
    request_transfer,
)
from tests.factories import make_user


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def ongoing(personas):
    return receiving_unit(personas)


@pytest.fixture
def case(personas):
    case = make_case(personas.unit, personas.caseworker, case_type=Case.Type.INVESTIGATION)
    add_member(case)
    return case


@pytest.fixture
def transfer(personas, case, ongoing):
    return request_transfer(personas, case, ongoing)


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def accept_data(ongoing, version=1, **fields):
    return {"accept-version": version, "accept-new_primary_worker": ongoing.caseworker.pk,
            "accept-comment": ""} | fields  # fmt: skip


OBJECT_PAGES = [
    ("get", "transfer_detail"),
    ("post", "transfer_accept"),
    ("post", "transfer_decline"),
    ("post", "transfer_withdraw"),
]


def test_anonymous_is_sent_to_the_login_page(client, case, transfer):
    for method, path in [
        ("get", url("transfers")),
        ("get", url("transfer_request", case.pk)),
        *((method, url(name, transfer.pk)) for method, name in OBJECT_PAGES),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(("method", "name"), OBJECT_PAGES)
@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_both_units_get_404(client, personas, ongoing, transfer, method, name, who):
    client.force_login(getattr(personas, who))

    response = getattr(client, method)(
        url(name, transfer.pk),
        accept_data(ongoing) | {"decline-version": 1, "decline-comment": "No",
                                "withdraw-version": 1},
    )  # fmt: skip

    assert response.status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == "requested"


def test_the_request_page_is_for_the_cases_supervisor(client, personas, case, ongoing):
    client.force_login(personas.caseworker)
    assert client.get(url("transfer_request", case.pk)).status_code == 403
    assert "Transfer this case" not in client.get(url("case_detail", case.pk)).text
    client.force_login(personas.other_caseworker)
    assert client.get(url("transfer_request", case.pk)).status_code == 404
    client.force_login(ongoing.supervisor)
    assert client.get(url("transfer_request", case.pk)).status_code == 404
    assert CaseTransfer.objects.count() == 0


def test_the_supervisor_requests_a_transfer_from_the_case_page(client, personas, case, ongoing):
    client.force_login(personas.supervisor)
    assert url("transfer_request", case.pk) in client.get(url("case_detail", case.pk)).text
    form = client.get(url("transfer_request", case.pk))
    assert personas.unit.name not in [
        label for _, label in form.context["form"].fields["to_unit"].choices
    ]

    refused = client.post(url("transfer_request", case.pk), {"to_unit": ongoing.unit.pk})
    assert refused.status_code == 400 and "summary" in refused.context["form"].errors
    response = client.post(
        url("transfer_request", case.pk),
        {"to_unit": ongoing.unit.pk, "new_case_type": "in_home", "summary": SUMMARY},
    )

    transfer = CaseTransfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("transfer_detail", transfer.pk)
    assert (transfer.new_case_type, transfer.requested_by) == ("in_home", personas.supervisor)
    page = client.get(url("case_detail", case.pk))
    assert "waiting for its supervisor" in page.text
    assert url("transfer_request", case.pk) not in page.text


def test_the_receiving_supervisor_sees_the_request_and_reads_the_case(
    client, personas, case, ongoing, transfer
):
    client.force_login(ongoing.supervisor)
    assert client.get(url("case_detail", case.pk)).status_code == 404  # not theirs yet

    listing = client.get(url("transfers"))
    page = client.get(url("transfer_detail", transfer.pk))

    assert [t.pk for t in listing.context["page"].object_list] == [transfer.pk]
    assert "(1 waiting)" in listing.text
    assert page.status_code == 200
    assert SUMMARY in page.text
    assert page.context["summary"] is not None
    member = case.members.get()
    assert member.person.full_name in page.text
    assert "Accept the case" in page.text and "Decline" in page.text
    assert RecordView.objects.filter(user=ongoing.supervisor, case=case).count() == 1
    # Their caseworker sees nothing yet; the sender sees the request but no decision form.
    client.force_login(ongoing.caseworker)
    assert client.get(url("transfer_detail", transfer.pk)).status_code == 404
    client.force_login(personas.supervisor)
    sender = client.get(url("transfer_detail", transfer.pk))
    assert sender.context["summary"] is None and "Accept the case" not in sender.text
    assert "Withdraw" in sender.text


def test_accepting_moves_the_case_and_the_old_unit_gets_404(
    client, personas, case, ongoing, transfer
):
    client.force_login(ongoing.supervisor)
    stale = client.post(url("transfer_accept", transfer.pk), accept_data(ongoing, version=7))
    assert stale.status_code == 400
    assert "Someone else acted" in stale.text

    response = client.post(url("transfer_accept", transfer.pk), accept_data(ongoing))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.unit, case.primary_worker, case.case_type) == (
        ongoing.unit,
        ongoing.caseworker,
        "in_home",
    )
    client.force_login(ongoing.caseworker)
    page = client.get(url("case_detail", case.pk))
    assert page.status_code == 200
    assert "Accepted" in page.text  # the case's transfer history
    for old in (personas.caseworker, personas.supervisor):
        client.force_login(old)
        assert client.get(url("case_detail", case.pk)).status_code == 404
    assert client.get(url("transfer_detail", transfer.pk)).status_code == 200  # their record


def test_declining_needs_a_comment_and_keeps_the_case(client, personas, case, ongoing, transfer):
    client.force_login(ongoing.supervisor)
    empty = client.post(
        url("transfer_decline", transfer.pk), {"decline-version": 1, "decline-comment": ""}
    )
    assert empty.status_code == 400 and "comment" in empty.context["decline_form"].errors

    client.post(
        url("transfer_decline", transfer.pk),
        {"decline-version": 1, "decline-comment": "No capacity this month."},
    )

    transfer.refresh_from_db()
    assert transfer.status == "declined"
    client.force_login(personas.caseworker)
    page = client.get(url("case_detail", case.pk))
    assert page.status_code == 200 and "No capacity this month." in page.text
    client.force_login(ongoing.caseworker)
    assert client.get(url("case_detail", case.pk)).status_code == 404


def test_only_the_receiving_supervisor_decides_and_only_the_sender_withdraws(
    client, personas, ongoing, transfer
):
    client.force_login(personas.supervisor)
    assert client.post(url("transfer_accept", transfer.pk), accept_data(ongoing)).status_code == 403
    client.force_login(ongoing.supervisor)
    withdraw = client.post(url("transfer_withdraw", transfer.pk), {"withdraw-version": 1})
    assert withdraw.status_code == 403
    client.force_login(personas.caseworker)
    decline = client.post(
        url("transfer_decline", transfer.pk), {"decline-version": 1, "decline-comment": "x"}
    )
    assert decline.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "requested"

    client.force_login(personas.supervisor)
    response = client.post(url("transfer_withdraw", transfer.pk), {"withdraw-version": 1})

    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "withdrawn"


def test_the_list_is_for_supervisors_and_area_administrators(client, personas, transfer):
    for who, code in [
        (personas.caseworker, 403),
        (personas.ombudsman, 403),
        (make_user(Role.QUALITY_REVIEWER, location=personas.central), 403),
        (personas.supervisor, 200),
        (make_user(Role.AREA_ADMINISTRATOR, location=personas.office), 200),
    ]:
        client.force_login(who)
        assert client.get(url("transfers")).status_code == code
    outgoing = client.get(url("transfers"), {"box": "outgoing", "status": "requested"})
    assert [t.pk for t in outgoing.context["page"].object_list] == [transfer.pk]


def test_the_receiving_supervisors_approvals_inbox_lists_the_transfer(
    client, personas, ongoing, transfer, django_assert_max_num_queries
):
    client.force_login(ongoing.supervisor)
    with django_assert_max_num_queries(15):
        inbox = client.get(url("supervision"))
    assert [t.pk for t in inbox.context["transfers"]] == [transfer.pk]
    assert url("transfer_detail", transfer.pk) in inbox.text
    client.force_login(personas.supervisor)  # the sender decides nothing
    inbox = client.get(url("supervision"))
    assert list(inbox.context["transfers"]) == []
    assert "No transfers waiting." in inbox.text


def test_the_caseload_links_to_transfers_only_for_those_who_may_open_them(client, personas):
    for who, linked in [(personas.caseworker, False), (personas.supervisor, True)]:
        client.force_login(who)
        caseload = client.get(url("caseload"))
        assert (f'href="{url("transfers")}"' in caseload.text) is linked


def test_the_list_runs_the_same_queries_for_1_and_30_transfers(
    client, personas, ongoing, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            case = make_case(personas.unit, personas.caseworker)
            request_transfer(personas, case, ongoing, new_case_type="")

    add(1)
    client.force_login(ongoing.supervisor)
    client.get(url("transfers"))
    with django_assert_max_num_queries(12) as first:
        client.get(url("transfers"))
    add(29)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url("transfers"))
    assert len(response.context["page"].object_list) == 25


def test_admin_lists_transfers_read_only(client, transfer):
    root = get_user_model().objects.create_superuser("root", "root@hearth.example", "x")
    client.force_login(root)

    listing = client.get(reverse("admin:casework_casetransfer_changelist"))
    change = client.get(reverse("admin:casework_casetransfer_change", args=[transfer.pk]))
    history = client.get(reverse("admin:casework_casetransfer_history", args=[transfer.pk]))

    assert (listing.status_code, change.status_code, history.status_code) == (200, 200, 200)
    assert SUMMARY in change.text
    assert client.get(reverse("admin:casework_casetransfer_add")).status_code == 403
