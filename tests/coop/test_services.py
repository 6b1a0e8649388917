"""The COOP services: creating plans, editing their content with a version check,
document versions (PDF only, within the size limit), recording the quarterly duties,
submitting to OPM and OPM's decision, with their notices. Refusals save nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.models import Notification
from agency.roles import Role
from coop import selectors, services
from coop.models import CoopPlan, CoopRules, EmergencyProcedure, PlanDocument, QuarterlyDuties
from coop.quarters import Quarter
from tests.coop.conftest import NOW
from tests.coop.factories import make_opm, make_plan, pdf_upload
from tests.factories import make_location, make_user

Q4, Q3, Q2 = Quarter(2026, 4), Quarter(2026, 3), Quarter(2026, 2)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def communicate(plan, actor, **fields):
    return services.communication_record(
        **{
            "plan": plan,
            "actor": actor,
            "quarter": Q4,
            "communicated_on": date(2026, 11, 2),
            "channel": QuarterlyDuties.Channel.STAFF_MEETING,
            "staff_count": 31,
            "evidence": "Sign-in sheet of the 2 November staff meeting",
            **fields,
        }
    )


def revise(plan, actor, **fields):
    return services.revision_record(
        **{
            "plan": plan,
            "actor": actor,
            "quarter": Q4,
            "revised_on": date(2026, 11, 20),
            "revision": QuarterlyDuties.Revision.NO_CHANGES,
            "note": "Reviewed with the floor wardens; nothing to change.",
            **fields,
        }
    )


def files_in(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- plans -----------------------------------------------------------------------------------


def test_opm_creates_a_plan_and_the_named_administrator_hears_of_it(
    personas, opm, area_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_create(
            actor=opm,
            work_location=personas.office,
            senior_administrator=area_admin,
            hard_copy_location="Reception desk",
        )
    assert plan.version == 1 and plan.hard_copy_location == "Reception desk"
    assert plan.history.count() == 1
    notice = Notification.objects.get(recipient=area_admin)
    assert notice.kind == "coop_administrator" and personas.office.name in notice.subject


def test_a_location_has_one_plan(plan, personas, opm, area_admin):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            actor=opm, work_location=personas.office, senior_administrator=area_admin
        )
    assert "already has a COOP plan" in refused.value.message_dict["work_location"][0]
    assert CoopPlan.objects.count() == 1


def test_an_inactive_location_or_administrator_is_refused(personas, opm):
    closed = make_location(personas.region, active=False)
    gone = make_user(Role.AREA_ADMINISTRATOR, location=personas.office, is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.plan_create(actor=opm, work_location=closed, senior_administrator=gone)
    assert set(refused.value.message_dict) == {"work_location", "senior_administrator"}
    assert not CoopPlan.objects.exists()


def test_opm_names_another_administrator_with_the_version_read(plan, opm, personas):
    successor = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)
    changed = services.plan_administrator_change(
        plan=plan, actor=opm, senior_administrator=successor, version=1
    )
    assert changed.senior_administrator == successor and changed.version == 2
    with pytest.raises(ValidationError) as stale:
        services.plan_administrator_change(
            plan=plan, actor=opm, senior_administrator=opm, version=1
        )
    assert "Someone else changed this plan" in stale.value.message_dict["version"][0]
    plan.refresh_from_db()
    assert plan.senior_administrator == successor


# --- content ---------------------------------------------------------------------------------


STANDARD = [
    {"kind": kind, "procedure": f"Steps for {kind}."} for kind in EmergencyProcedure.STANDARD
]


def test_content_changes_bump_the_version_and_keep_history(plan, area_admin):
    updated = services.plan_update(
        plan=plan,
        actor=area_admin,
        version=1,
        assembly_point="North parking lot",
        procedures=[*STANDARD, {"kind": "other", "title": "Power outage", "procedure": "Wait."}],
        key_staff=[
            {
                "duty": "manage_response",
                "name": "Avery Santos",
                "phone": "860-555-0101",
                "user": area_admin.pk,
            },
            {"duty": "represent", "alternate": True, "name": "Lee Park", "phone": "860-555-0199"},
        ],
    )
    assert updated.version == 2 and updated.assembly_point == "North parking lot"
    assert [p.name for p in plan.procedures.order_by("position")][-1] == "Power outage"
    assert plan.key_staff.get(name="Avery Santos").user == area_admin
    latest = plan.history.latest()
    assert latest.history_user == area_admin
    assert "assembly point" in latest.history_change_reason
    assert "key staff" in latest.history_change_reason


def test_a_stale_version_is_refused_and_nothing_changes(plan, area_admin):
    services.plan_update(plan=plan, actor=area_admin, version=1, hard_copy_location="Binder")
    with pytest.raises(ValidationError) as stale:
        services.plan_update(plan=plan, actor=area_admin, version=1, hard_copy_location="Desk")
    assert stale.value.message_dict["version"][0].startswith("Someone else changed this plan")
    plan.refresh_from_db()
    assert plan.hard_copy_location == "Binder" and plan.version == 2


def test_procedures_always_cover_the_five_standard_emergencies(plan, area_admin):
    before = list(plan.procedures.values_list("kind", "procedure"))
    with pytest.raises(ValidationError) as refused:
        services.plan_update(
            plan=plan,
            actor=area_admin,
            version=1,
            procedures=[p for p in STANDARD if p["kind"] != "fire"]
            + [{"kind": "other", "title": "", "procedure": "Something."}],
        )
    messages = refused.value.message_dict["procedures"]
    assert any("missing: fire" in m for m in messages)
    assert any('name the "Other" emergency' in m for m in messages)
    assert list(plan.procedures.values_list("kind", "procedure")) == before
    plan.refresh_from_db()
    assert plan.version == 1


def test_key_staff_rows_need_a_name_and_a_phone(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        services.plan_update(
            plan=plan,
            actor=area_admin,
            version=1,
            key_staff=[{"duty": "represent", "name": "", "phone": "", "email": "not-an-email"}],
        )
    assert refused.value.message_dict["key_staff"] == [
        "Row 1: give the person's name.",
        "Row 1: give a phone number to reach them.",
        "Row 1: the email address is not valid.",
    ]
    assert plan.key_staff.count() == 2


def test_an_unchanged_edit_keeps_the_version(plan, area_admin):
    same = services.plan_update(plan=plan, actor=area_admin, version=1, hard_copy_location="")
    assert same.version == 1 and plan.history.count() == 1


# --- documents -------------------------------------------------------------------------------


def test_a_new_version_is_numbered_and_earlier_ones_kept(plan, area_admin, media):
    first = services.document_upload(plan=plan, actor=area_admin, upload=pdf_upload("v1.pdf"))
    second = services.document_upload(
        plan=plan, actor=area_admin, upload=pdf_upload("v2.pdf"), summary="New alternates"
    )
    assert (first.number, second.number) == (1, 2)
    assert second.name == "v2.pdf" and second.summary == "New alternates"
    assert len(files_in(media)) == 2
    assert second.file.read().startswith(b"%PDF-")


def test_a_text_file_named_pdf_is_refused_and_nothing_saved(plan, area_admin, media):
    fake = SimpleUploadedFile("plan.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.document_upload(plan=plan, actor=area_admin, upload=fake)
    assert refused.value.message_dict["file"] == ["plan.pdf is not a real PDF file (allowed: PDF)."]
    assert not PlanDocument.objects.exists() and files_in(media) == []


def test_another_type_is_refused(plan, area_admin):
    word = SimpleUploadedFile("plan.docx", b"PK\x03\x04...", content_type="application/msword")
    with pytest.raises(ValidationError) as refused:
        services.document_upload(plan=plan, actor=area_admin, upload=word)
    assert "not accepted (allowed: PDF)" in refused.value.message_dict["file"][0]


def test_an_oversized_upload_is_refused_with_the_limit(plan, area_admin, media):
    CoopRules.objects.update_or_create(pk=1, defaults={"max_document_mb": 1})
    big = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(ValidationError) as refused:
        services.document_upload(plan=plan, actor=area_admin, upload=big)
    assert refused.value.message_dict["file"] == ["big.pdf is 1.0 MB; the limit is 1 MB."]
    assert not PlanDocument.objects.exists() and files_in(media) == []


# --- the quarterly duties --------------------------------------------------------------------


def test_recording_the_communication(plan, area_admin):
    duties = communicate(plan, area_admin)
    assert duties.communicated_on == date(2026, 11, 2) and duties.version == 1
    assert duties.communicated_by == area_admin
    status = selectors.plan_quarters(plan, today=date(2026, 11, 23))[0].status
    assert status.communicated.label == "Done"
    # Recording it again corrects it; the history keeps both.
    again = communicate(plan, area_admin, staff_count=33, version=1)
    assert again.staff_count == 33 and again.version == 2 and again.history.count() == 2


def test_a_communication_dated_in_the_future_is_refused_and_nothing_saved(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        communicate(plan, area_admin, communicated_on=date(2026, 11, 24))
    assert refused.value.message_dict["communicated_on"] == ["The date cannot be in the future."]
    assert not QuarterlyDuties.objects.exists()


def test_a_communication_before_the_quarter_began_does_not_count_for_it(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        communicate(plan, area_admin, communicated_on=date(2026, 9, 30))
    assert refused.value.message_dict["communicated_on"] == [
        "A communication before 1 Oct 2026 does not count for 2026 Q4, which began that day."
    ]


def test_every_missing_detail_is_named(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        communicate(plan, area_admin, channel="", staff_count=0, evidence=" ")
    assert set(refused.value.message_dict) == {
        "communication_channel",
        "staff_count",
        "communication_evidence",
    }


def test_only_the_current_and_the_previous_quarter_are_recorded(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        communicate(plan, area_admin, quarter=Q2, communicated_on=date(2026, 5, 5))
    assert refused.value.message_dict["quarter"] == [
        "Duties are recorded for the current quarter (2026 Q4) or the one before (2026 Q3) only."
    ]
    with pytest.raises(ValidationError):
        communicate(plan, area_admin, quarter=Quarter(2027, 1), communicated_on=date(2026, 11, 2))


def test_a_plan_revised_on_the_last_day_recorded_the_next_morning_is_on_time(
    plan, area_admin, time_machine
):
    time_machine.move_to("2026-10-01 08:30:00-04:00", tick=False)
    duties = revise(plan, area_admin, quarter=Q3, revised_on=date(2026, 9, 30))
    status = selectors.plan_quarters(plan, today=date(2026, 10, 1))[1]
    assert status.quarter == Q3 and status.duties == duties
    assert status.status.revised.label == "Done"
    assert not status.status.revised.overdue


def test_a_new_location_owes_the_quarter_it_was_created_in(personas, opm, area_admin):
    office = make_location(personas.region, name="Willimantic Area Office")
    new = services.plan_create(actor=opm, work_location=office, senior_administrator=area_admin)
    rows = selectors.plan_quarters(new, today=date(2026, 11, 23))
    assert [r.status.applies for r in rows] == [True, False, False, False]
    assert rows[0].recordable and not rows[1].recordable
    with pytest.raises(ValidationError) as refused:
        communicate(new, area_admin, quarter=Q3, communicated_on=date(2026, 9, 2))
    assert "it owes nothing for 2026 Q3" in refused.value.message_dict["quarter"][0]


def test_a_revision_with_a_new_version_uploads_it(plan, area_admin):
    duties = revise(
        plan,
        area_admin,
        revision=QuarterlyDuties.Revision.NEW_VERSION,
        note="New evacuation route",
        upload=pdf_upload("revised.pdf"),
    )
    document = duties.revision_document
    assert document.number == 1 and document.summary == "New evacuation route"
    assert duties.revision == "new_version" and duties.revised_by == area_admin


def test_a_new_version_needs_its_file_and_no_changes_needs_the_attestation(plan, area_admin):
    with pytest.raises(ValidationError) as refused:
        revise(plan, area_admin, revision=QuarterlyDuties.Revision.NEW_VERSION)
    assert refused.value.message_dict["file"] == ["Choose the plan document (PDF) to upload."]
    with pytest.raises(ValidationError) as refused:
        revise(plan, area_admin, note="")
    assert "revision_note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        revise(
            plan,
            area_admin,
            revision=QuarterlyDuties.Revision.NEW_VERSION,
            upload=SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf"),
        )
    assert "not a real PDF" in refused.value.message_dict["file"][0]
    assert not QuarterlyDuties.objects.exists() and not PlanDocument.objects.exists()


def test_a_stale_quarter_version_is_refused(plan, area_admin):
    communicate(plan, area_admin, version=0)
    with pytest.raises(ValidationError) as stale:
        revise(plan, area_admin, version=0)
    assert "Someone else recorded this quarter" in stale.value.message_dict["version"][0]
    assert QuarterlyDuties.objects.get().revised_on is None


# --- submission and OPM's decision -----------------------------------------------------------


def test_submitting_needs_the_revision(plan, area_admin):
    communicate(plan, area_admin)
    with pytest.raises(ValidationError) as refused:
        services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    assert refused.value.message_dict["quarter"] == [
        "Record the revision of 2026 Q4 before submitting it to OPM."
    ]


def test_submission_notifies_every_active_opm_member_once(
    plan, area_admin, opm, personas, django_capture_on_commit_callbacks
):
    second = make_opm(personas.central)
    make_opm(personas.central, is_active=False)
    revise(plan, area_admin)
    with django_capture_on_commit_callbacks(execute=True):
        duties = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    assert duties.submission == "submitted" and duties.submitted_on == date(2026, 11, 23)
    notices = Notification.objects.filter(kind="coop_submitted")
    assert sorted(n.recipient_id for n in notices) == sorted([opm.pk, second.pk])
    assert "Hartford Area Office, 2026 Q4" in notices[0].subject
    with pytest.raises(ValidationError):
        services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    # Once submitted, the revision no longer changes.
    with pytest.raises(ValidationError) as refused:
        revise(plan, area_admin)
    assert "it can no longer change" in refused.value.message_dict["revision"][0]


def test_a_returned_submission_goes_back_with_comments_and_is_kept_in_history(
    plan, area_admin, opm, django_capture_on_commit_callbacks
):
    revise(plan, area_admin)
    duties = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    with pytest.raises(ValidationError) as refused:
        services.duties_return(duties=duties, actor=opm, comments="  ")
    assert "opm_comments" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.duties_return(
            duties=duties, actor=opm, comments="Name an alternate for the response lead."
        )
    assert returned.submission == "returned" and returned.opm_decided_by == opm
    notice = Notification.objects.get(recipient=area_admin, kind="coop_returned")
    assert "returned by OPM" in notice.subject

    row = selectors.plan_quarters(plan, today=date(2026, 11, 23))[0]
    assert row.status.submitted.state == "returned" and row.status.submitted.open
    assert row.can_submit

    # The location revises again and submits again; OPM returns it a second time.
    revise(plan, area_admin, note="Alternate named.")
    again = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    assert again.opm_comments == ""
    services.duties_return(duties=again, actor=opm, comments="Also the assembly point.")
    returns = selectors.returns_by_quarter(plan)[Q4.starts_on]
    assert [r.comments for r in returns] == [
        "Also the assembly point.",
        "Name an alternate for the response lead.",
    ]


def test_opm_accepts_only_what_awaits_it(plan, area_admin, opm):
    revise(plan, area_admin)
    duties = QuarterlyDuties.objects.get()
    with pytest.raises(ValidationError) as refused:
        services.duties_accept(duties=duties, actor=opm)
    assert "Only a plan awaiting OPM" in refused.value.message_dict["submission"][0]
    submitted = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    with pytest.raises(ValidationError):
        services.duties_accept(duties=submitted, actor=opm, version=submitted.version - 1)
    accepted = services.duties_accept(duties=submitted, actor=opm, version=submitted.version)
    assert accepted.submission == "accepted"
    row = selectors.plan_quarters(plan, today=date(2026, 11, 23))[0]
    assert row.status.submitted.label == "Accepted"


def test_a_plan_created_today_owes_this_quarter(personas, area_admin):
    office = make_location(personas.region)
    new = make_plan(office, area_admin, created_on=date(2026, 11, 23))
    assert selectors.created_on(new) == date(2026, 11, 23)
    communicate(new, area_admin)
