"""The COOP pages through HTTP: who opens what (403 for roles without the page, 404 for a
plan out of reach, on every page), OPM's registry with its filters, CSV and a fixed
number of queries, the plan of my location, and the administrator's and OPM's forms with
their errors and version checks."""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from agency.workspaces import BY_KEY
from coop import services
from coop.models import CoopPlan, CoopRules, PlanDocument, QuarterlyDuties
from coop.quarters import Quarter
from tests.coop.conftest import NOW
from tests.coop.factories import PDF, fill_plan, make_plan, pdf_upload
from tests.factories import make_location, make_region, make_user

Q4, Q3 = Quarter(2026, 4), Quarter(2026, 3)
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def sysadmin(personas):
    return make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central, username="sysadmin")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@hearth.example", "x")


@pytest.fixture
def document(plan, area_admin):
    return services.document_upload(plan=plan, actor=area_admin, upload=pdf_upload())


@pytest.fixture
def submitted(plan, area_admin):
    services.revision_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        revised_on=date(2026, 11, 20),
        revision="no_changes",
        note="Reviewed, nothing to change.",
    )
    return services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'").replace("&amp;", "&")


def who(request, name):
    if name == "anonymous":
        return None
    if hasattr(request.getfixturevalue("personas"), name):
        return getattr(request.getfixturevalue("personas"), name)
    return request.getfixturevalue(name)


def status_for(client, user, method, url, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


# --- who opens what --------------------------------------------------------------------------


# System administrators see what OPM sees; the registry page opens for them once the COOP
# workspace lists their role (agency.workspaces decides every workspace page).
SYSADMIN_REGISTRY = 200 if Role.SYSTEM_ADMINISTRATOR in BY_KEY["coop"].roles else 403


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("opm", 200),
        ("sysadmin", SYSADMIN_REGISTRY),
        ("superuser", 200),
        ("area_admin", 200),  # shown their own plan
        ("caseworker", 403),
        ("supervisor", 403),
        ("ombudsman", 403),
        ("outsider", 403),
    ],
)
def test_the_registry_is_for_opm(client, request, plan, name, expected):
    assert status_for(client, who(request, name), "get", reverse("coop:registry")) == expected


# Pages of one plan: (URL name, method, extra kwargs).
READ_PAGES = [("coop:plan", "get", {})]
KEEPER_PAGES = [
    ("coop:plan_edit", "get", {}),
    ("coop:plan_edit", "post", {}),
    ("coop:plan_key_staff", "get", {}),
    ("coop:plan_key_staff", "post", {}),
    ("coop:plan_procedures", "get", {}),
    ("coop:plan_notifications", "get", {}),
    ("coop:document_new", "get", {}),
    ("coop:document_new", "post", {}),
    ("coop:communication", "get", {"quarter": "2026-Q4"}),
    ("coop:communication", "post", {"quarter": "2026-Q4"}),
    ("coop:revision", "get", {"quarter": "2026-Q4"}),
    ("coop:revision", "post", {"quarter": "2026-Q4"}),
    ("coop:submit", "post", {"quarter": "2026-Q4"}),
]
OPM_PAGES = [
    ("coop:plan_administrator", "get", {}),
    ("coop:plan_administrator", "post", {}),
    ("coop:review", "get", {"quarter": "2026-Q4"}),
    ("coop:review", "post", {"quarter": "2026-Q4"}),
]

# Who reaches each kind of page of the Hartford plan (kept by area_admin).
READERS = {"area_admin": 200, "opm": 200, "sysadmin": 200, "caseworker": 200,
           "supervisor": 200, "other_caseworker": 404, "other_admin": 404, "ombudsman": 404,
           "outsider": 404}  # fmt: skip
KEEPERS = {"area_admin": 200, "opm": 404, "sysadmin": 404, "superuser": 404, "caseworker": 404,
           "other_admin": 404, "other_caseworker": 404, "outsider": 404}  # fmt: skip
OPM = {"opm": 200, "sysadmin": 200, "area_admin": 403, "caseworker": 403,
       "other_admin": 404, "other_caseworker": 404, "outsider": 404}  # fmt: skip


def _cases(pages, expectations):
    return [
        pytest.param(page, method, kwargs, name, code, id=f"{page}-{method}-{name}")
        for page, method, kwargs in pages
        for name, code in expectations.items()
    ]


@pytest.mark.parametrize(
    ("page", "method", "kwargs", "name", "expected"),
    _cases(READ_PAGES, READERS) + _cases(KEEPER_PAGES, KEEPERS) + _cases(OPM_PAGES, OPM),
)
def test_every_plan_page_answers_only_those_it_is_for(
    client, request, plan, other_plan, submitted, page, method, kwargs, name, expected
):
    url = reverse(page, kwargs={"pk": plan.pk, **kwargs})
    code = status_for(client, who(request, name), method, url)
    if expected == 200:
        # A form posted empty answers with its errors (200), or a redirect after an action.
        assert code in (200, 302), (page, method, name, code)
    else:
        assert code == expected, (page, method, name, code)


def test_a_missing_plan_or_a_bad_quarter_is_404(client, plan, area_admin):
    client.force_login(area_admin)
    assert client.get(reverse("coop:plan", args=[plan.pk + 99])).status_code == 404
    url = reverse("coop:communication", kwargs={"pk": plan.pk, "quarter": "2026-Q9"})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [("area_admin", 200), ("opm", 200), ("caseworker", 200), ("other_caseworker", 404),
     ("other_admin", 404), ("outsider", 404)],
)  # fmt: skip
def test_plan_documents_download_only_for_those_who_read_the_plan(
    client, request, plan, other_plan, document, name, expected
):
    url = reverse("coop:document", args=[plan.pk, document.pk])
    client.force_login(who(request, name))
    response = client.get(url)
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
    # Another plan's id in the path does not open it.
    other = reverse("coop:document", args=[other_plan.pk, document.pk])
    assert client.get(other).status_code == 404


def test_creating_a_plan(client, personas, plan, opm, area_admin, other_admin):
    url = reverse("coop:plan_new")
    client.force_login(personas.caseworker)
    assert client.get(url).status_code == 403
    client.force_login(area_admin)  # their location has a plan already
    assert client.get(url).status_code == 403
    client.force_login(other_admin)  # theirs has none
    page = client.get(url)
    assert page.status_code == 200 and "Create the COOP plan of New Haven Area Office" in (
        main_text(page)
    )
    response = client.post(url, {"hard_copy_location": "Front desk"})
    new = CoopPlan.objects.get(work_location=personas.other_office)
    assert response["Location"] == reverse("coop:plan", args=[new.pk])
    assert new.senior_administrator == other_admin and new.hard_copy_location == "Front desk"


def test_opm_creates_a_plan_for_any_location_without_one(
    client, personas, opm, area_admin, django_capture_on_commit_callbacks
):
    client.force_login(opm)
    url = reverse("coop:plan_new")
    page = client.get(url, {"location": personas.office.pk})
    assert page.context["form"]["work_location"].value() == personas.office.pk
    refused = client.post(url, {"work_location": personas.office.pk})
    assert refused.context["form"].errors["senior_administrator"] == ["This field is required."]
    assert not CoopPlan.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"work_location": personas.office.pk, "senior_administrator": area_admin.pk}
        )
    assert response.status_code == 302
    assert CoopPlan.objects.get().senior_administrator == area_admin
    assert Notification.objects.filter(recipient=area_admin, kind="coop_administrator").exists()


# --- the registry ----------------------------------------------------------------------------


def test_the_registry_shows_every_location_and_flags_those_without_a_plan(
    client, personas, plan, opm, area_admin
):
    services.communication_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        communicated_on=date(2026, 11, 2),
        channel="email",
        staff_count=25,
        evidence="Email",
    )
    client.force_login(opm)
    response = client.get(reverse("coop:registry"))
    text = main_text(response)
    assert "3 locations: 2 without a plan, 3 behind" in text
    assert "2026 Q4 (current) due 31 Dec 2026" in text and "2026 Q1 due 31 Mar 2026" in text
    rows = {row.location.name: row for row in response.context["registry"].rows}
    assert rows["New Haven Area Office"].plan is None
    hartford = rows["Hartford Area Office"]
    assert [s.label for s in hartford.quarters[0].duties] == [
        "Done",
        "Due 31 Dec 2026",
        "Due 31 Dec 2026",
    ]
    assert [s.label for s in hartford.quarters[1].duties] == ["Overdue"] * 3
    html = response.content.decode()
    assert html.count("No plan</span>") == 2
    assert html.count('<div class="bg-secondary-lighter') == 9  # overdue cells are highlighted


def test_the_registry_filters_by_region_and_behind(client, personas, plan, opm, area_admin):
    for quarter, on in ((Q3, date(2026, 9, 1)),):
        QuarterlyDuties.objects.create(
            plan=plan, quarter=quarter.starts_on, communicated_on=on,
            communication_channel="email", revised_on=on, revision="no_changes",
            submission="accepted", submitted_on=on,
        )  # fmt: skip
    plan.created_at = plan.created_at.replace(year=2026, month=7, day=2)
    plan.save()
    client.force_login(opm)
    region = client.get(reverse("coop:registry"), {"region": personas.region.code})
    assert [r.location.name for r in region.context["registry"].rows] == ["Hartford Area Office"]
    behind = client.get(reverse("coop:registry"), {"behind": "on"})
    names = [r.location.name for r in behind.context["registry"].rows]
    assert names == ["Central Office", "New Haven Area Office"]  # Hartford is up to date
    assert "Showing 2." in main_text(behind)


def test_the_registry_csv_has_the_same_rows(client, personas, plan, opm):
    client.force_login(opm)
    response = client.get(reverse("coop:registry"), {"format": "csv", "behind": "on"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == [
        "Location",
        "Region",
        "Plan",
        "Senior administrator",
        "2026 Q4 Communicated",
    ]
    assert len(rows[0]) == 4 + 4 * 3
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Central Office"][2] == "No plan"
    assert by_name["Hartford Area Office"][4] == "Due 31 Dec 2026"
    assert by_name["Hartford Area Office"][7] == "Overdue, was due 30 Sep 2026"


@pytest.mark.parametrize("count", [30])
def test_the_registry_runs_a_fixed_number_of_queries(
    client, personas, opm, area_admin, django_assert_max_num_queries, count
):
    region = make_region()

    def add(n):
        for _ in range(n):
            location = make_location(region)
            plan = make_plan(location, area_admin)
            QuarterlyDuties.objects.create(plan=plan, quarter=Q4.starts_on)

    # The personas' three locations have no plan; two more with one.
    add(2)
    client.force_login(opm)
    url = reverse("coop:registry")
    client.get(url)  # warms the content-type cache and the session's activity stamp
    with django_assert_max_num_queries(12) as first:
        small = client.get(url)
    assert len(small.context["registry"].rows) == 5
    add(count - 2)
    with django_assert_max_num_queries(len(first.captured_queries)):
        big = client.get(url)
    assert len(big.context["registry"].rows) == count + 3
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"format": "csv"})


def test_an_area_administrator_without_a_plan_is_offered_to_create_it(client, other_admin):
    client.force_login(other_admin)
    response = client.get(reverse("coop:registry"))
    assert response.status_code == 200
    assert "Create the COOP plan of New Haven Area Office" in main_text(response)


def test_an_area_administrator_at_coop_sees_their_plan(client, plan, area_admin):
    client.force_login(area_admin)
    text = main_text(client.get(reverse("coop:registry")))
    assert "COOP plan: Hartford Area Office" in text
    assert "Record the communication for 2026 Q4" in text


# --- the plan of my location -----------------------------------------------------------------


def test_staff_read_their_location_plan_printable(client, personas, plan, document):
    client.force_login(personas.caseworker)
    response = client.get(reverse("coop:my_plan"))
    text = main_text(response)
    assert "COOP plan: Hartford Area Office" in text
    for part in ("Key contacts", "Avery Santos", "Alternate: manages the overall response",
                 "What to do in an emergency", "Bomb threat", "Whom to notify, and when",
                 "Hard copy of the plan", "Assembly point"):  # fmt: skip
        assert part in text, part
    assert "Download the plan document (PDF)" in text
    assert "Manage the plan" not in text and "Record the communication" not in text
    html = response.content.decode()
    assert "hearth/coop-print.css" in html
    css = (ROOT / "static" / "hearth" / "coop-print.css").read_text()
    assert "@media print" in css and ".hearth-coop-manage" in css


def test_the_administrator_gets_a_link_to_manage(client, plan, area_admin):
    client.force_login(area_admin)
    assert "Manage the plan and its quarterly duties" in main_text(
        client.get(reverse("coop:my_plan"))
    )


def test_without_a_plan_the_page_says_so_and_names_who_to_ask(client, personas, other_admin, opm):
    client.force_login(personas.other_caseworker)
    text = main_text(client.get(reverse("coop:my_plan")))
    assert "New Haven Area Office has no COOP plan in Hearth yet" in text
    assert f"Ask {other_admin.get_full_name()}" in text and "your area administrator" in text
    # Where no area administrator works, OPM is named.
    client.force_login(personas.ombudsman)
    text = main_text(client.get(reverse("coop:my_plan")))
    assert "Central Office has no COOP plan" in text
    assert opm.get_full_name() in text and "Office of Performance Management" in text


def test_someone_without_a_work_location_is_told_why(client, personas):
    client.force_login(personas.outsider)
    assert "Hearth does not know where you work" in main_text(client.get(reverse("coop:my_plan")))


# --- the administrator's forms ---------------------------------------------------------------


def test_recording_the_communication_shows_it_done(client, plan, area_admin):
    client.force_login(area_admin)
    url = reverse("coop:communication", kwargs={"pk": plan.pk, "quarter": "2026-Q4"})
    form = client.get(url)
    assert form.context["form"]["communicated_on"].value() == date(2026, 11, 23)
    response = client.post(
        url,
        {
            "communicated_on": "2026-11-18",
            "communication_channel": "staff_meeting",
            "staff_count": "34",
            "communication_evidence": "Sign-in sheet",
            "version": "0",
        },
        follow=True,
    )
    text = main_text(response)
    assert "Communication to all staff recorded for 2026 Q4." in text
    duties = QuarterlyDuties.objects.get()
    assert duties.communicated_on == date(2026, 11, 18) and duties.staff_count == 34
    assert response.context["quarters"][0].status.communicated.label == "Done"


def test_a_future_communication_is_shown_beside_its_field_and_nothing_saved(
    client, plan, area_admin
):
    client.force_login(area_admin)
    url = reverse("coop:communication", kwargs={"pk": plan.pk, "quarter": "2026-Q4"})
    response = client.post(
        url,
        {
            "communicated_on": "2026-12-01",
            "communication_channel": "email",
            "staff_count": "34",
            "communication_evidence": "Email",
            "version": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["communicated_on"] == [
        "The date cannot be in the future."
    ]
    assert not QuarterlyDuties.objects.exists()


def test_a_revision_with_a_text_file_is_refused_beside_the_file(client, plan, area_admin, media):
    client.force_login(area_admin)
    url = reverse("coop:revision", kwargs={"pk": plan.pk, "quarter": "2026-Q4"})
    response = client.post(
        url,
        {
            "revised_on": "2026-11-20",
            "revision": "new_version",
            "file": SimpleUploadedFile("plan.pdf", b"not a pdf", content_type="application/pdf"),
            "version": "0",
        },
    )
    assert response.context["form"].errors["file"] == [
        "plan.pdf is not a real PDF file (allowed: PDF)."
    ]
    assert not QuarterlyDuties.objects.exists() and not PlanDocument.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_an_oversized_document_is_refused(client, plan, area_admin):
    CoopRules.objects.update_or_create(pk=1, defaults={"max_document_mb": 1})
    client.force_login(area_admin)
    big = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 * 2))
    response = client.post(reverse("coop:document_new", args=[plan.pk]), {"file": big})
    assert response.context["form"].errors["file"] == ["big.pdf is 2.0 MB; the limit is 1 MB."]
    assert not PlanDocument.objects.exists()
    assert "PDF only, up to 1 MB." in main_text(response)


def test_uploading_a_new_version_outside_the_quarterly_flow(client, plan, area_admin):
    client.force_login(area_admin)
    response = client.post(
        reverse("coop:document_new", args=[plan.pk]),
        {"file": pdf_upload("v1.pdf"), "summary": "First scan"},
    )
    assert response.status_code == 302
    document = PlanDocument.objects.get()
    assert (document.number, document.summary, document.uploaded_by) == (
        1,
        "First scan",
        area_admin,
    )


def test_key_staff_are_edited_as_a_list(client, plan, area_admin):
    client.force_login(area_admin)
    url = reverse("coop:plan_key_staff", args=[plan.pk])
    page = client.get(url)
    formset = page.context["formset"]
    assert formset.total_form_count() == 4  # two people and two empty rows
    data = {
        "version": "1",
        "key_staff-TOTAL_FORMS": "4",
        "key_staff-INITIAL_FORMS": "2",
        "key_staff-MIN_NUM_FORMS": "0",
        "key_staff-MAX_NUM_FORMS": "1000",
        "key_staff-0-duty": "manage_response",
        "key_staff-0-name": "Avery Santos",
        "key_staff-0-phone": "860-555-0101",
        "key_staff-1-duty": "manage_response",
        "key_staff-1-alternate": "on",
        "key_staff-1-name": "Chris Doyle",
        "key_staff-1-phone": "860-555-0102",
        "key_staff-1-DELETE": "on",
        "key_staff-2-duty": "represent",
        "key_staff-2-name": "Lee Park",
        "key_staff-2-title": "Program Supervisor",
        "key_staff-2-phone": "860-555-0199",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(plan.key_staff.values_list("name", flat=True)) == ["Avery Santos", "Lee Park"]
    # The same form again: the version moved on, so it is refused and the input kept.
    stale = client.post(url, data)
    assert stale.status_code == 200
    assert "Someone else changed this plan after you opened it" in main_text(stale)


def test_a_partly_filled_row_is_refused(client, plan, area_admin):
    client.force_login(area_admin)
    response = client.post(
        reverse("coop:plan_key_staff", args=[plan.pk]),
        {
            "version": "1",
            "key_staff-TOTAL_FORMS": "1",
            "key_staff-INITIAL_FORMS": "0",
            "key_staff-0-duty": "represent",
            "key_staff-0-name": "No Phone",
        },
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["phone"]
    assert plan.key_staff.count() == 2


def test_procedures_need_the_five_standard_emergencies(client, plan, area_admin):
    client.force_login(area_admin)
    url = reverse("coop:plan_procedures", args=[plan.pk])
    formset = client.get(url).context["formset"]
    assert [f.initial["kind"] for f in formset.forms][:5] == [
        "medical", "fire", "hazardous_materials", "bomb_threat", "weather"
    ]  # fmt: skip
    data = {"version": "1", "procedures-TOTAL_FORMS": "7", "procedures-INITIAL_FORMS": "7"}
    for n, form in enumerate(formset.forms):
        data[f"procedures-{n}-kind"] = form.initial["kind"]
        data[f"procedures-{n}-title"] = form.initial["title"]
        data[f"procedures-{n}-procedure"] = form.initial["procedure"]
    data["procedures-1-procedure"] = ""  # fire
    data["procedures-5-title"] = "Power outage"
    data["procedures-5-procedure"] = "Wait for the emergency lights."
    refused = client.post(url, data)
    assert refused.context["formset"].forms[1].errors["procedure"] == [
        "Say what staff do in this emergency."
    ]
    data["procedures-1-procedure"] = "Leave by the stairs."
    assert client.post(url, data).status_code == 302
    assert plan.procedures.count() == 6
    assert plan.procedures.get(kind="other").title == "Power outage"


def test_notification_criteria(client, plan, area_admin):
    client.force_login(area_admin)
    url = reverse("coop:plan_notifications", args=[plan.pk])
    data = {
        "version": "1",
        "notifications-TOTAL_FORMS": "1",
        "notifications-INITIAL_FORMS": "0",
        "notifications-0-audience": "agency_official",
        "notifications-0-who": "Regional Administrator",
        "notifications-0-contact": "860-555-0150",
        "notifications-0-conditions": "Any evacuation: within one hour.",
    }
    assert client.post(url, data).status_code == 302
    assert list(plan.notifications.values_list("who", flat=True)) == ["Regional Administrator"]


def test_hard_copy_and_assembly_point(client, plan, area_admin):
    client.force_login(area_admin)
    url = reverse("coop:plan_edit", args=[plan.pk])
    response = client.post(
        url, {"hard_copy_location": "Red binder", "assembly_point": "Lot B", "version": "1"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.hard_copy_location, plan.assembly_point, plan.version) == (
        "Red binder",
        "Lot B",
        2,
    )


# --- submission and review -------------------------------------------------------------------


def test_submit_then_opm_returns_then_the_location_sees_the_comments(
    client, plan, area_admin, opm, django_capture_on_commit_callbacks
):
    services.revision_record(
        plan=plan,
        actor=area_admin,
        quarter=Q4,
        revised_on=date(2026, 11, 20),
        revision="no_changes",
        note="Nothing to change.",
    )
    client.force_login(area_admin)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(
            reverse("coop:submit", kwargs={"pk": plan.pk, "quarter": "2026-Q4"}),
            {"version": "1"},
            follow=True,
        )
    assert "The 2026 Q4 revision was submitted to OPM." in main_text(submitted)
    assert Notification.objects.filter(recipient=opm, kind="coop_submitted").count() == 1

    client.force_login(opm)
    review = reverse("coop:review", kwargs={"pk": plan.pk, "quarter": "2026-Q4"})
    assert "Accept or return the 2026 Q4 revision" in main_text(
        client.get(reverse("coop:plan", args=[plan.pk]))
    )
    empty = client.post(review, {"decision": "return", "opm_comments": "", "version": "2"})
    assert empty.context["form"].errors["opm_comments"]
    assert QuarterlyDuties.objects.get().submission == "submitted"
    client.post(
        review, {"decision": "return", "opm_comments": "Name the alternates.", "version": "2"}
    )
    assert QuarterlyDuties.objects.get().submission == "returned"

    client.force_login(area_admin)
    text = main_text(client.get(reverse("coop:plan", args=[plan.pk])))
    assert "Returned" in text and "Name the alternates." in text
    assert "Submit again to OPM" in text


def test_opm_accepts(client, plan, opm, submitted):
    client.force_login(opm)
    review = reverse("coop:review", kwargs={"pk": plan.pk, "quarter": "2026-Q4"})
    response = client.post(review, {"decision": "accept", "version": str(submitted.version)})
    assert response.status_code == 302
    assert QuarterlyDuties.objects.get().submission == "accepted"
    # Nothing left to review: the page says so and sends OPM back to the plan.
    again = client.get(review, follow=True)
    assert "nothing to review" in main_text(again)


def test_opm_changes_the_senior_administrator(client, personas, plan, opm):
    successor = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)
    client.force_login(opm)
    url = reverse("coop:plan_administrator", args=[plan.pk])
    response = client.post(url, {"senior_administrator": successor.pk, "version": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.senior_administrator == successor
    # The former administrator no longer reaches the edit pages.
    client.force_login(plan.history.earliest().senior_administrator)
    assert client.get(reverse("coop:plan_edit", args=[plan.pk])).status_code == 404


def test_the_plan_page_lists_missing_content(client, personas, other_admin):
    bare = make_plan(personas.other_office, other_admin)
    client.force_login(other_admin)
    text = main_text(client.get(reverse("coop:plan", args=[bare.pk])))
    assert "The plan still lacks:" in text
    assert "What to do in: medical emergency, fire" in text
    assert "The plan document (PDF)." in text
    filled = fill_plan(bare)
    assert filled.procedures.count() == 5
