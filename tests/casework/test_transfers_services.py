"""Case transfers: requested by the sending supervisor, accepted (the case moves with
its access) or declined by the receiving one, withdrawn by the sender; the version
check, the notices and the history (casework.services / selectors .transfers)."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agency.models import Notification
from agency.roles import Role
from casework.models import Case, CaseTransfer
from casework.selectors import transfers as selectors
from casework.selectors import visible_cases
from casework.services import transfers as services
from tests.casework.factories import make_case
from tests.factories import make_unit, make_user

EASTERN = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=EASTERN)
SUMMARY = "Investigation complete; the family needs in-home services."


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def receiving_unit(personas, location=None):
    """Another unit (the office's ongoing services by default) with its supervisor and
    two caseworkers."""
    unit = make_unit(location or personas.office, name="Ongoing Services Unit 1")
    supervisor = make_user(Role.SUPERVISOR, unit=unit, first_name="Robin", last_name="Diaz")
    unit.supervisor = supervisor
    unit.save(update_fields=["supervisor"])
    return SimpleNamespace(
        unit=unit,
        supervisor=supervisor,
        caseworker=make_user(Role.CASEWORKER, unit=unit, first_name="Sam", last_name="Ruiz"),
        colleague=make_user(Role.CASEWORKER, unit=unit),
    )


@pytest.fixture
def ongoing(personas):
    return receiving_unit(personas)


@pytest.fixture
def case(personas):
    secondary = make_user(Role.CASEWORKER, unit=personas.unit)
    return make_case(
        personas.unit,
        personas.caseworker,
        secondary_worker=secondary,
        case_type=Case.Type.INVESTIGATION,
    )


def request_transfer(personas, case, ongoing, **fields) -> CaseTransfer:
    values = {"to_unit": ongoing.unit, "summary": SUMMARY, "new_case_type": "in_home"} | fields
    return services.transfer_request(case=case, actor=personas.supervisor, **values)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def sees(user, case) -> bool:
    return visible_cases(fresh(user)).filter(pk=case.pk).exists()


# --- requesting ----------------------------------------------------------------------------


def test_the_supervisor_requests_and_the_receiving_supervisor_is_told(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)

    assert (transfer.status, transfer.from_unit, transfer.to_unit, transfer.version) == (
        "requested",
        personas.unit,
        ongoing.unit,
        1,
    )
    notice = Notification.objects.get(recipient=ongoing.supervisor)
    assert (
        notice.subject == f"Case transfer to {ongoing.unit.name} for your decision: {case.number}"
    )
    assert notice.link == f"/casework/transfers/{transfer.pk}/"
    # Nothing moves until a decision.
    case.refresh_from_db()
    assert case.unit == personas.unit and not sees(ongoing.supervisor, case)
    assert selectors.pending_transfer_for(ongoing.supervisor, case.pk) == transfer
    assert selectors.pending_transfer_for(ongoing.caseworker, case.pk) is None
    assert selectors.pending_transfer_for(personas.supervisor, case.pk) is None


def test_only_the_cases_supervisor_requests(personas, case, ongoing):
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            case=case, actor=personas.caseworker, to_unit=ongoing.unit, summary=SUMMARY
        )
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            case=case, actor=ongoing.supervisor, to_unit=ongoing.unit, summary=SUMMARY
        )
    assert CaseTransfer.objects.count() == 0


def test_a_request_is_checked_field_by_field(personas, case, ongoing):
    with pytest.raises(ValidationError) as same_unit:
        request_transfer(personas, case, ongoing, to_unit=personas.unit, summary=" ",
                         new_case_type="investigation")  # fmt: skip
    without_supervisor = make_unit(personas.office)
    inactive = make_unit(personas.office, active=False, supervisor=ongoing.supervisor)
    with pytest.raises(ValidationError) as nobody:
        request_transfer(personas, case, ongoing, to_unit=without_supervisor)
    with pytest.raises(ValidationError) as closed_unit:
        request_transfer(personas, case, ongoing, to_unit=inactive)

    assert same_unit.value.message_dict == {
        "to_unit": ["The case is already in this unit; choose another."],
        "new_case_type": ["The case is already investigation; leave this empty to keep the type."],
        "summary": [
            "Write the transfer summary: where the case stands, what is done and what is due."
        ],
    }
    assert "has no supervisor" in nobody.value.message_dict["to_unit"][0]
    assert "is not an active unit" in closed_unit.value.message_dict["to_unit"][0]
    assert CaseTransfer.objects.count() == 0


def test_one_request_waits_at_a_time_and_closed_cases_stay(personas, case, ongoing):
    request_transfer(personas, case, ongoing)
    closed = make_case(personas.unit, personas.caseworker, status="closed", closed_on=NOW.date())

    with pytest.raises(ValidationError) as twice:
        request_transfer(personas, case, ongoing)
    with pytest.raises(ValidationError) as on_closed:
        request_transfer(personas, closed, ongoing)

    assert "already has a transfer to" in twice.value.messages[0]
    assert "requested 23 Nov 2026" in twice.value.messages[0]
    assert "is closed" in on_closed.value.messages[0]
    assert CaseTransfer.objects.count() == 1


# --- accepting -----------------------------------------------------------------------------


def test_an_accepted_transfer_moves_the_case_and_its_access(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    secondary = case.secondary_worker
    assert sees(personas.caseworker, case) and sees(secondary, case)

    services.transfer_accept(
        transfer=transfer, actor=ongoing.supervisor, version=1,
        new_primary_worker=ongoing.caseworker, comment="First visit this week.",
    )  # fmt: skip

    case.refresh_from_db()
    assert (case.unit, case.primary_worker, case.secondary_worker, case.case_type) == (
        ongoing.unit,
        ongoing.caseworker,
        None,
        "in_home",
    )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by, transfer.decided_at, transfer.version) == (
        "accepted",
        ongoing.supervisor,
        NOW,
        2,
    )
    assert transfer.new_primary_worker == ongoing.caseworker
    # Access follows the case's unit.
    assert sees(ongoing.caseworker, case) and sees(ongoing.colleague, case)
    assert sees(ongoing.supervisor, case)
    assert not sees(personas.caseworker, case)
    assert not sees(secondary, case)
    assert not sees(personas.supervisor, case)
    # The old supervisor keeps their record of the transfer, not the case.
    assert selectors.access_transfer(fresh(personas.supervisor), transfer.pk) == transfer
    latest = case.history.order_by("-history_id").first()
    assert latest.history_user == ongoing.supervisor
    assert latest.history_change_reason == (
        f"Transferred from {personas.unit.name} to {ongoing.unit.name}"
    )
    assert [row.status for row in transfer.history.order_by("history_id")] == [
        "requested",
        "accepted",
    ]
    told = Notification.objects.filter(kind="case_transfer").values_list("recipient", "subject")
    assert set(told) == {
        (ongoing.supervisor.pk, f"Case transfer to {ongoing.unit.name} for your decision: "
                                f"{case.number}"),
        (personas.supervisor.pk, f"Case transfer accepted: {case.number} to {ongoing.unit.name}"),
        (ongoing.caseworker.pk, f"Case transferred to you: {case.number}"),
    }  # fmt: skip


def test_acceptance_names_a_caseworker_of_the_receiving_unit(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)

    for worker in (personas.caseworker, ongoing.supervisor, None):
        with pytest.raises(ValidationError) as refused:
            services.transfer_accept(
                transfer=transfer, actor=ongoing.supervisor, version=1, new_primary_worker=worker
            )
        assert set(refused.value.message_dict) == {"new_primary_worker"}

    case.refresh_from_db()
    assert case.unit == personas.unit and fresh(transfer).status == "requested"


def test_only_the_receiving_supervisor_decides(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)

    for actor in (personas.supervisor, ongoing.caseworker, personas.caseworker):
        with pytest.raises(PermissionDenied):
            services.transfer_accept(
                transfer=transfer, actor=actor, version=1, new_primary_worker=ongoing.caseworker
            )
        with pytest.raises(PermissionDenied):
            services.transfer_decline(transfer=transfer, actor=actor, version=1, comment="No")

    assert fresh(transfer).status == "requested"


def test_a_decision_on_a_stale_version_is_refused(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    services.transfer_decline(
        transfer=transfer, actor=ongoing.supervisor, version=1, comment="No capacity."
    )

    with pytest.raises(ValidationError) as stale:
        services.transfer_accept(
            transfer=transfer, actor=ongoing.supervisor, version=1,
            new_primary_worker=ongoing.caseworker,
        )  # fmt: skip
    with pytest.raises(ValidationError) as decided:
        services.transfer_accept(
            transfer=transfer, actor=ongoing.supervisor, version=2,
            new_primary_worker=ongoing.caseworker,
        )  # fmt: skip

    assert stale.value.message_dict == {"version": [services.STALE_MESSAGE]}
    assert decided.value.messages == ["This transfer was already declined."]
    case.refresh_from_db()
    assert case.unit == personas.unit


def test_a_case_moved_or_closed_since_the_request_is_not_accepted(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=NOW.date())

    with pytest.raises(ValidationError) as closed:
        services.transfer_accept(
            transfer=transfer, actor=ongoing.supervisor, version=1,
            new_primary_worker=ongoing.caseworker,
        )  # fmt: skip

    assert closed.value.messages == [f"Case {case.number} was closed since the request."]


# --- declining and withdrawing ----------------------------------------------------------------


def test_a_declined_transfer_leaves_the_case_and_tells_the_sender_why(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    with pytest.raises(ValidationError) as no_reason:
        services.transfer_decline(
            transfer=transfer, actor=ongoing.supervisor, version=1, comment=""
        )

    services.transfer_decline(
        transfer=transfer, actor=ongoing.supervisor, version=1, comment="No capacity this month."
    )

    assert set(no_reason.value.message_dict) == {"comment"}
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_comment) == ("declined", "No capacity this month.")
    case.refresh_from_db()
    assert (case.unit, case.primary_worker, case.case_type) == (
        personas.unit,
        personas.caseworker,
        "investigation",
    )
    assert sees(personas.caseworker, case) and not sees(ongoing.caseworker, case)
    notice = Notification.objects.get(recipient=personas.supervisor)
    assert notice.subject == f"Case transfer declined: {case.number} to {ongoing.unit.name}"
    assert "No capacity this month." in notice.body
    # A new request may follow a decision.
    assert request_transfer(personas, case, ongoing).status == "requested"


def test_the_sender_withdraws_a_waiting_request(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    with pytest.raises(PermissionDenied):
        services.transfer_withdraw(transfer=transfer, actor=ongoing.supervisor, version=1)
    with pytest.raises(PermissionDenied):
        services.transfer_withdraw(transfer=transfer, actor=personas.caseworker, version=1)

    services.transfer_withdraw(transfer=transfer, actor=personas.supervisor, version=1)

    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == ("withdrawn", personas.supervisor)
    assert selectors.pending_transfer_for(ongoing.supervisor, case.pk) is None
    assert Notification.objects.filter(
        recipient=ongoing.supervisor, subject=f"Case transfer withdrawn: {case.number}"
    ).exists()
    with pytest.raises(ValidationError):
        services.transfer_withdraw(transfer=transfer, actor=personas.supervisor, version=2)


# --- reads ---------------------------------------------------------------------------------


def test_incoming_and_outgoing_lists(personas, case, ongoing):
    transfer = request_transfer(personas, case, ongoing)
    other = receiving_unit(personas, location=personas.other_office)
    elsewhere = make_case(other.unit, other.caseworker)
    services.transfer_request(
        case=elsewhere, actor=other.supervisor, to_unit=ongoing.unit, summary="Moved."
    )

    incoming = list(selectors.transfer_list(ongoing.supervisor, box="incoming"))
    outgoing = list(selectors.transfer_list(personas.supervisor, box="outgoing"))

    assert {t.case for t in incoming} == {case, elsewhere}
    assert outgoing == [transfer]
    assert list(selectors.transfer_list(personas.supervisor, box="incoming")) == []
    assert selectors.transfer_counts(ongoing.supervisor) == {"incoming": 2, "outgoing": 0}
    assert list(selectors.visible_transfers(ongoing.caseworker)) == []
    assert list(selectors.visible_transfers(personas.other_caseworker)) == []
