"""The rules of ORE data requests, through the services: the lifecycle and the
transitions it refuses, the version check, research and the IRB, assigning, the clock
(targets by category, the project-scope hold, closure days), the catalog's search text,
and bad input that leaves nothing behind."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agency import clock
from agency.calendar import add_business_days
from agency.models import ClosureDay, Notification
from agency.roles import Role
from agency.selectors import business_calendar
from quality.models import DataRequest, DataRequestEvent, DataRequestFile, ProjectScope
from quality.selectors import data_requests as selectors
from quality.selectors import rules
from quality.services import data_requests as services
from tests.factories import make_user
from tests.quality.factories_data_requests import (
    advance,
    csv_file,
    enter_external,
    fresh,
    make_ore,
    pdf_file,
    request_fields,
    submit,
)

EASTERN = ZoneInfo("America/New_York")
Status = DataRequest.Status
# Monday 30 March 2026, 10:00 Eastern. Good Friday (3 April) is a Connecticut holiday.
MONDAY = datetime(2026, 3, 30, 10, 0, tzinfo=EASTERN)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(MONDAY, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lead(db):
    return make_ore(lead=True, username="orelead", first_name="Sam", last_name="Patel")


@pytest.fixture
def analyst(db):
    return make_ore(username="analyst", first_name="Kim", last_name="Ng")


@pytest.fixture
def requester(personas):
    return personas.caseworker


def v(data_request) -> int:
    return fresh(data_request).version


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- receipt -----------------------------------------------------------------------------------


def test_a_staff_request_is_prefilled_from_the_user_and_due_on_the_ad_hoc_target(
    requester, personas
):
    r = submit(requester, attachments=[pdf_file()], date_needed=date(2026, 4, 30))

    assert r.reference == "ORE-2026-000001"
    assert r.status == Status.RECEIVED and r.channel == DataRequest.Channel.HEARTH
    assert r.requester == requester and r.entered_by == requester
    assert r.requester_name == requester.get_full_name()
    assert r.requester_email == requester.email
    assert r.organization == personas.office.name == "Hartford Area Office"
    # 15 business days after Monday 30 March, Good Friday skipped: Tuesday 21 April.
    assert r.target_business_days == 15 and r.due_on == date(2026, 4, 21)
    [event] = r.events.all()
    assert event.status == Status.RECEIVED and not event.internal
    assert event.note == f"Submitted in Hearth by {requester.get_full_name()}."
    [attachment] = r.files.all()
    assert attachment.kind == DataRequestFile.Kind.ATTACHMENT
    assert attachment.name == "letter.pdf" and attachment.content_type == "application/pdf"
    assert "hartford area office" in r.search_document and r.reference.lower() in r.search_document


def test_ore_enters_an_external_request_received_by_email(lead):
    received = MONDAY - timedelta(days=3)  # Friday 27 March
    r = enter_external(lead, received_at=received)

    assert r.requester is None and r.entered_by == lead
    assert r.channel == DataRequest.Channel.EMAIL and r.received_at == received
    assert r.due_on == date(2026, 4, 20)  # 15 business days after Friday 27 March
    assert "Received by email from Dana Whitaker (University of Connecticut)" in (
        r.events.get().note
    )


def test_only_ore_enters_external_requests(requester):
    with pytest.raises(PermissionDenied):
        enter_external(requester)
    assert not DataRequest.objects.exists()


def test_an_external_request_needs_a_channel_and_a_way_to_answer(lead):
    with pytest.raises(ValidationError) as excinfo:
        enter_external(
            lead,
            channel=DataRequest.Channel.HEARTH,
            requester_email="",
            requester_name="",
            received_at=MONDAY + timedelta(hours=1),
        )
    errors = errors_of(excinfo)
    assert errors["channel"] == ["Say how the request arrived: email, mail or other."]
    assert (
        "Give an email address, a phone number or a postal address"
        in (errors["requester_email"][0])
    )
    assert errors["requester_name"] == ["Give the requester's name."]
    assert errors["received_at"] == ["The time received cannot be in the future."]
    assert not DataRequest.objects.exists()


def test_a_request_without_purpose_or_questions_is_refused_and_nothing_saved(requester):
    with pytest.raises(ValidationError) as excinfo:
        submit(requester, purpose="  ", questions="", attachments=[pdf_file()])
    errors = errors_of(excinfo)
    assert errors["purpose"] == ["Say why the data are needed."]
    assert errors["questions"] == ["Say which questions the data should answer."]
    assert not DataRequest.objects.exists() and not DataRequestFile.objects.exists()


def test_the_date_needed_cannot_be_in_the_past(requester):
    with pytest.raises(ValidationError) as excinfo:
        submit(requester, date_needed=date(2026, 3, 27))
    assert errors_of(excinfo)["date_needed"] == [
        "The date needed cannot be in the past (before 30 Mar 2026)."
    ]


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_oversized_attachment_saves_nothing(requester, settings):
    office_rules = rules()
    office_rules.ore_max_file_mb = 1
    office_rules.save()
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1), content_type="text/csv")
    with pytest.raises(ValidationError) as excinfo:
        submit(requester, attachments=[pdf_file(), big])
    assert errors_of(excinfo)["attachments"] == ["big.csv is 1.0 MB; the limit is 1 MB."]
    assert not DataRequest.objects.exists() and not DataRequestFile.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdownload"),
            "run.exe: files of this type are not accepted",
        ),
        (
            SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf"),
            "fake.pdf is not a real PDF file",
        ),
    ],
)
def test_a_wrong_type_of_attachment_saves_nothing(requester, settings, upload, message):
    with pytest.raises(ValidationError) as excinfo:
        submit(requester, attachments=[upload])
    assert errors_of(excinfo)["attachments"][0].startswith(message)
    assert not DataRequest.objects.exists()
    assert _stored_files(settings) == []


# --- the lifecycle ------------------------------------------------------------------------------


def test_the_whole_lifecycle_from_receipt_to_close(requester, lead, analyst):
    r = submit(requester)

    r = services.data_request_catalog(data_request=r, actor=lead, version=1, category="legislative")
    assert r.status == Status.CATALOGED and r.catalog_number == "ORC-2026-000001"
    assert r.target_business_days == 5 and r.due_on == date(2026, 4, 7)  # Good Friday skipped
    assert "orc-2026-000001" in r.search_document

    r = services.data_request_approve(data_request=r, actor=lead, version=r.version)
    assert r.status == Status.APPROVED and r.vetted_by == lead

    r = services.data_request_assign(data_request=r, actor=lead, version=r.version, analyst=analyst)
    assert r.status == Status.ASSIGNED and r.analyst == analyst
    assert Notification.objects.filter(recipient=analyst, kind="ore_assigned").count() == 1

    r = services.data_request_start(data_request=r, actor=analyst, version=r.version)
    assert r.status == Status.IN_PROGRESS and r.started_at == clock.now()

    r = services.data_request_deliver(
        data_request=r,
        actor=analyst,
        version=r.version,
        note="Counts by town, suppressed under 6.",
        files=[csv_file("youth-by-town.csv")],
        link="https://portal.ct.gov/dcf/ore/report-42",
    )
    assert r.status == Status.DELIVERED and r.delivered_at == clock.now()
    assert r.business_days_to_delivery == 0  # delivered the day it arrived
    assert "counts by town" in r.search_document and "youth-by-town.csv" in r.search_document
    delivered = Notification.objects.get(recipient=requester, kind="ore_delivered")
    assert delivered.link == f"/quality/data-requests/{r.pk}/"
    assert r.files.get().kind == DataRequestFile.Kind.DELIVERABLE

    r = services.data_request_close(data_request=r, actor=analyst, version=r.version)
    assert r.status == Status.CLOSED and r.closed_at == clock.now()

    steps = list(r.events.order_by("at", "pk").values_list("status", flat=True))
    assert steps == [
        Status.RECEIVED, Status.CATALOGED, Status.APPROVED, Status.ASSIGNED,
        Status.IN_PROGRESS, Status.DELIVERED, Status.CLOSED,
    ]  # fmt: skip
    assert r.version == 7
    assert fresh(r).history.count() == 7


@pytest.mark.parametrize(
    ("status", "call", "message"),
    [
        (Status.RECEIVED, "approve", "only a cataloged request being vetted is approved"),
        (Status.RECEIVED, "decline", "only a cataloged request being vetted is declined"),
        (Status.CATALOGED, "catalog", "only a request just received is cataloged"),
        (Status.CATALOGED, "start", "work starts on a request assigned to an analyst"),
        (Status.ASSIGNED, "deliver", "only a request in progress is delivered"),
        (Status.IN_PROGRESS, "close", "only a delivered request is closed"),
        (Status.CLOSED, "assign", "a request is assigned once approved"),
    ],
)
def test_impossible_transitions_are_refused_with_the_reason(requester, lead, status, call, message):
    r = advance(submit(requester), lead, status)
    kwargs = {"data_request": r, "actor": lead, "version": r.version}
    calls = {
        "catalog": lambda: services.data_request_catalog(**kwargs, category="foia"),
        "approve": lambda: services.data_request_approve(**kwargs),
        "decline": lambda: services.data_request_decline(**kwargs, reason="No."),
        "start": lambda: services.data_request_start(**kwargs),
        "deliver": lambda: services.data_request_deliver(
            **kwargs, note="Done", link="https://example.org/x"
        ),
        "close": lambda: services.data_request_close(**kwargs),
        "assign": lambda: services.data_request_assign(**kwargs, analyst=lead),
    }
    with pytest.raises(ValidationError) as excinfo:
        calls[call]()
    [text] = errors_of(excinfo)["status"]
    assert text.startswith(f"{r.reference} is {r.get_status_display().lower()}: ")
    assert message in text
    assert fresh(r).status == status and fresh(r).version == r.version


def test_a_change_made_on_an_older_version_is_refused(requester, lead):
    r = submit(requester)
    services.data_request_catalog(data_request=r, actor=lead, version=1, category="ad_hoc")
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_approve(data_request=r, actor=lead, version=1)
    assert errors_of(excinfo)["version"] == [services.STALE_MESSAGE]
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_approve(data_request=r, actor=lead, version=None)
    assert "version" in errors_of(excinfo)
    assert fresh(r).status == Status.CATALOGED


def test_ore_actions_refuse_anyone_outside_ore(requester, personas):
    r = submit(requester)
    for user in (requester, personas.supervisor):
        with pytest.raises(PermissionDenied):
            services.data_request_catalog(data_request=r, actor=user, version=1, category="foia")
    assert fresh(r).status == Status.RECEIVED


def test_declining_needs_a_reason_and_tells_the_requester(requester, lead):
    r = advance(submit(requester), lead, Status.CATALOGED)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_decline(data_request=r, actor=lead, version=r.version, reason=" ")
    assert errors_of(excinfo)["reason"] == ["Give the reason; the requester sees it."]
    r = services.data_request_decline(
        data_request=r, actor=lead, version=r.version, reason="The data are not collected."
    )
    assert r.status == Status.DECLINED and r.decline_reason == "The data are not collected."
    notice = Notification.objects.get(recipient=requester, kind="ore_declined")
    assert "not collected" not in notice.body  # the reason is on the page, not in the email
    assert r.events.last().note == "Declined: The data are not collected."


# --- research and the IRB -----------------------------------------------------------------------


def test_research_goes_to_the_irb_and_its_approval_lets_the_work_start(requester, lead):
    r = submit(requester, is_research=True)
    r = services.data_request_catalog(data_request=r, actor=lead, version=1, category="ad_hoc")
    r = services.data_request_approve(
        data_request=r, actor=lead, version=r.version, irb_submitted_on=date(2026, 3, 27)
    )
    assert r.status == Status.IRB_REVIEW and r.irb_submitted_on == date(2026, 3, 27)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_irb_decision(
            data_request=r, actor=lead, version=r.version, decision="approved_with_conditions"
        )
    assert errors_of(excinfo)["notes"] == ["State the IRB's conditions."]
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_irb_decision(
            data_request=r, actor=lead, version=r.version, decision="approved",
            decided_on=date(2026, 3, 26),
        )  # fmt: skip
    assert "the decision cannot come before" in errors_of(excinfo)["decided_on"][0]
    r = services.data_request_irb_decision(
        data_request=r,
        actor=lead,
        version=r.version,
        decision="approved_with_conditions",
        notes="De-identified data only.",
    )
    assert r.status == Status.APPROVED and r.irb_decided_on == date(2026, 3, 30)
    assert "approved with conditions" in r.events.last().note


def test_the_irb_refusing_research_declines_it_with_its_reasons(requester, lead):
    r = advance(submit(requester), lead, Status.CATALOGED, category="research")
    r = services.data_request_approve(data_request=r, actor=lead, version=r.version)
    assert r.status == Status.IRB_REVIEW and r.irb_submitted_on == date(2026, 3, 30)
    r = services.data_request_irb_decision(
        data_request=r,
        actor=lead,
        version=r.version,
        decision="not_approved",
        notes="Families in open investigations would be contacted.",
    )
    assert r.status == Status.DECLINED
    assert r.decline_reason == "Families in open investigations would be contacted."
    assert Notification.objects.filter(recipient=requester, kind="ore_declined").exists()


# --- assigning ---------------------------------------------------------------------------------


def test_an_analyst_takes_an_unassigned_request_but_assigns_nobody_else(requester, lead, analyst):
    r = advance(submit(requester), lead, Status.APPROVED)
    other = make_ore()
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_assign(
            data_request=r, actor=analyst, version=r.version, analyst=other
        )
    assert errors_of(excinfo)["analyst"] == [
        "Only the ORE lead assigns requests to others; take it yourself."
    ]
    r = services.data_request_assign(
        data_request=r, actor=analyst, version=r.version, analyst=analyst
    )
    assert r.analyst == analyst and r.events.last().note == "Taken by Kim Ng."
    assert not Notification.objects.filter(kind="ore_assigned").exists()  # took it themselves
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_assign(data_request=r, actor=other, version=r.version, analyst=other)
    assert errors_of(excinfo)["analyst"] == [
        "Kim Ng has this request; ask the ORE lead to reassign it."
    ]


def test_an_analyst_cannot_take_a_request_someone_has(requester, lead, analyst):
    r = advance(submit(requester), lead, Status.ASSIGNED)  # the lead has it
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_assign(
            data_request=r, actor=analyst, version=r.version, analyst=analyst
        )
    assert errors_of(excinfo)["analyst"] == [
        "Sam Patel has this request; ask the ORE lead to reassign it."
    ]


def test_the_lead_reassigns_and_only_ore_staff_are_assigned(requester, lead, analyst):
    r = advance(submit(requester), lead, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_assign(
            data_request=r, actor=lead, version=r.version, analyst=requester
        )
    assert errors_of(excinfo)["analyst"] == ["Assign data requests to ORE staff only."]
    r = services.data_request_assign(data_request=r, actor=lead, version=r.version, analyst=analyst)
    assert r.status == Status.IN_PROGRESS and r.analyst == analyst
    assert r.events.last().note == "Reassigned from Sam Patel to Kim Ng."


def test_only_the_assigned_analyst_or_the_lead_starts_and_delivers(requester, lead, analyst):
    r = advance(submit(requester), lead, Status.ASSIGNED)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_start(data_request=r, actor=analyst, version=r.version)
    assert errors_of(excinfo)["analyst"] == [
        "Only the analyst assigned (or the ORE lead) starts the work."
    ]


def test_delivery_needs_a_note_and_files_or_a_link(requester, lead):
    r = advance(submit(requester), lead, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_deliver(
            data_request=r, actor=lead, version=r.version, note="", link="not a url"
        )
    errors = errors_of(excinfo)
    assert errors["note"] == ["Write the delivery note: what is delivered, and anything to know."]
    assert errors["link"] == ["Enter a full web address (https://...)."]
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_deliver(data_request=r, actor=lead, version=r.version, note="Done")
    assert errors_of(excinfo)["files"] == [
        "Attach the deliverable files, give a link to them, or both."
    ]
    bad = SimpleUploadedFile("tables.xlsx", b"not a zip", content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_deliver(
            data_request=r, actor=lead, version=r.version, note="Done", files=[csv_file(), bad]
        )
    assert "tables.xlsx is not a real Excel workbook file" in errors_of(excinfo)["files"][0]
    assert fresh(r).status == Status.IN_PROGRESS and not DataRequestFile.objects.exists()


def test_a_deliverable_added_later_joins_the_search(requester, lead):
    r = advance(submit(requester), lead, Status.DELIVERED)
    services.data_request_file_add(
        data_request=r, actor=lead, upload=csv_file("Errata-Tables.csv"), kind="deliverable"
    )
    assert "errata-tables.csv" in fresh(r).search_document
    assert fresh(r).version == r.version + 1
    early = submit(requester)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_file_add(
            data_request=early, actor=lead, upload=csv_file(), kind="deliverable"
        )
    assert "deliverables are added once the work has started" in errors_of(excinfo)["status"][0]


def test_internal_notes_are_ore_only(requester, lead):
    r = submit(requester)
    services.data_request_note_add(data_request=r, actor=lead, note="Call Legal Affairs first.")
    event = r.events.last()
    assert event.internal
    assert list(selectors.data_request_timeline(r, internal=False)) == [r.events.first()]
    with pytest.raises(PermissionDenied):
        services.data_request_note_add(data_request=r, actor=requester, note="Me too")


# --- the project scope and the clock ------------------------------------------------------------


def test_the_scope_hold_stops_the_clock_and_moves_the_due_date_by_the_days_on_hold(
    requester, lead, time_machine
):
    """Asked for on Thursday 2 April, received on Tuesday 7 April: Good Friday and the
    weekend do not count, Monday and Tuesday do; the due date moves by exactly those 2
    business days, and the delivery time leaves them out."""
    r = advance(submit(requester), lead, Status.CATALOGED)  # ad hoc: due Tuesday 21 April
    before = r.due_on
    assert before == date(2026, 4, 21)

    time_machine.move_to(datetime(2026, 4, 2, 11, 0, tzinfo=EASTERN), tick=False)
    scope = services.data_request_scope_request(
        data_request=r, actor=lead, version=r.version, what_ore_needs="The cohort definition."
    )
    r = fresh(r)
    assert r.status == Status.SCOPE_REQUESTED and r.on_hold_since == clock.now()
    assert Notification.objects.filter(recipient=requester, kind="ore_scope_requested").exists()
    cal = business_calendar()

    # Monday 6 April: on hold for 1 business day so far; the clock says so.
    time_machine.move_to(datetime(2026, 4, 6, 9, 0, tzinfo=EASTERN), tick=False)
    paused = selectors.request_clock(fresh(r), cal=cal, due_soon_days=3)
    assert paused.state == "stopped" and paused.hold_days_now == 1
    assert paused.label == (
        "Clock stopped since 2 Apr 2026, waiting for a project scope (1 business day so far)"
    )
    assert paused.working_days == 3  # 31 Mar, 1 and 2 Apr

    time_machine.move_to(datetime(2026, 4, 7, 15, 0, tzinfo=EASTERN), tick=False)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_scope_submit(
            data_request=r, actor=requester, version=r.version, objectives=""
        )
    assert errors_of(excinfo)["objectives"] == [
        "Give the project's objectives (or attach the scope)."
    ]
    services.data_request_scope_submit(
        data_request=r,
        actor=requester,
        version=r.version,
        objectives="Entries by region and age.",
        deliverables="Two tables.",
    )
    scope.refresh_from_db()
    r = fresh(r)
    assert scope.received_at == clock.now() and scope.hold_business_days == 2
    assert r.status == Status.CATALOGED and r.on_hold_since is None
    assert r.hold_business_days == 2
    assert r.due_on == add_business_days(cal, before, 2) == date(2026, 4, 23)
    assert Notification.objects.filter(recipient=lead, kind="ore_scope_received").exists()
    assert (
        "The clock stood still for 2 business days; the answer is due 23 Apr 2026 (was "
        "21 Apr 2026)" in r.events.last().note
    )

    running = selectors.request_clock(r, cal=cal, due_soon_days=3)
    assert running.state == "on_track" and running.hold_days == 2
    assert running.working_days == 3  # 31 Mar, 1 and 2 Apr: Monday and Tuesday were on hold

    r = advance(r, lead, Status.DELIVERED)  # delivered the same Tuesday
    # Receipt to delivery: 31 Mar, 1, 2, 6 and 7 Apr = 5 business days, less 2 on hold.
    assert r.business_days_to_delivery == 3


def test_ore_records_a_scope_received_by_email_with_its_file(lead, time_machine):
    r = advance(enter_external(lead, identifiable_data=True), lead, Status.CATALOGED)
    services.data_request_scope_request(
        data_request=r, actor=lead, version=r.version, what_ore_needs="The study design."
    )
    r = fresh(r)
    time_machine.move_to(datetime(2026, 4, 3, 12, 0, tzinfo=EASTERN), tick=False)
    with pytest.raises(ValidationError) as excinfo:
        services.data_request_scope_submit(
            data_request=r, actor=lead, version=r.version, objectives="A study.",
            received_at=MONDAY - timedelta(days=1),
        )  # fmt: skip
    errors = errors_of(excinfo)
    assert errors["received_at"] == [
        "The scope was asked for on 30 Mar 2026; it cannot have arrived before."
    ]
    assert errors["confidentiality"] == [
        "The request asks for identifiable data: say how they will be protected."
    ]
    services.data_request_scope_submit(
        data_request=r,
        actor=lead,
        version=r.version,
        upload=pdf_file("scope.pdf"),
        received_at=datetime(2026, 4, 1, 16, 0, tzinfo=EASTERN),
    )
    r = fresh(r)
    assert r.hold_business_days == 2 and r.status == Status.CATALOGED  # 31 Mar and 1 Apr
    assert r.files.get().kind == DataRequestFile.Kind.SCOPE
    assert not Notification.objects.filter(kind="ore_scope_received").exists()


def test_only_the_requester_or_ore_sends_the_scope(requester, lead, personas):
    r = advance(submit(requester), lead, Status.CATALOGED)
    services.data_request_scope_request(
        data_request=r, actor=lead, version=r.version, what_ore_needs="More detail."
    )
    with pytest.raises(PermissionDenied):
        services.data_request_scope_submit(
            data_request=fresh(r), actor=personas.other_caseworker, version=v(r), objectives="x"
        )
    assert ProjectScope.objects.get().received_at is None


def test_a_request_waiting_for_a_scope_can_be_declined_and_its_hold_ends(
    requester, lead, time_machine
):
    r = advance(submit(requester), lead, Status.CATALOGED)
    services.data_request_scope_request(
        data_request=r, actor=lead, version=r.version, what_ore_needs="More detail."
    )
    time_machine.move_to(datetime(2026, 4, 2, 9, 0, tzinfo=EASTERN), tick=False)
    r = services.data_request_decline(
        data_request=fresh(r), actor=lead, version=v(r), reason="No scope came."
    )
    assert r.status == Status.DECLINED and r.on_hold_since is None
    assert r.hold_business_days == 3  # 31 Mar, 1 and 2 Apr


def test_catalog_sets_the_target_of_the_category_from_the_rules(requester, lead):
    office_rules = rules()
    office_rules.ore_target_foia = 7
    office_rules.save()
    r = advance(submit(requester), lead, Status.CATALOGED, category="foia")
    assert r.target_business_days == 7
    assert r.due_on == date(2026, 4, 9)  # 31 Mar, 1, 2, 6, 7, 8, 9 Apr


def test_a_closure_day_moves_the_due_dates_of_open_requests(requester, lead):
    open_request = submit(requester)
    done = advance(submit(requester), lead, Status.DELIVERED)
    ClosureDay.objects.create(date=date(2026, 4, 14), reason="Snow")
    changed = services.data_request_due_dates_recompute(actor=lead, reason="closure day added")
    assert changed == 1
    r = fresh(open_request)
    assert r.due_on == date(2026, 4, 22) and r.version == 2
    event = r.events.last()
    assert event.internal and event.note == (
        "Due date 21 Apr 2026 → 22 Apr 2026 (closure day added)."
    )
    assert fresh(done).due_on == done.due_on
    assert services.data_request_due_dates_recompute(actor=lead) == 0


def test_requester_defaults_for_a_user_without_a_profile(db):
    user = make_user(None, first_name="Ada", last_name="Lee", email="ada@hearth.example")
    assert services.requester_defaults(user) == {
        "requester_name": "Ada Lee",
        "requester_email": "ada@hearth.example",
        "organization": "",
    }


def test_submit_refuses_an_account_without_the_permission(db):
    sysadmin = make_user(Role.SYSTEM_ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.data_request_submit(actor=sysadmin, **request_fields())


def test_events_of_each_step_are_visible_to_the_requester_except_internal_ones(requester, lead):
    r = advance(submit(requester), lead, Status.CLOSED)
    services.data_request_note_add(data_request=r, actor=lead, note="Internal")
    assert DataRequestEvent.objects.filter(request=r, internal=True).count() == 1
    assert selectors.data_request_timeline(r, internal=False).count() == 7
