"""The Ombudsman's records in Django admin: pages load for those allowed, writes go
through the services (due times computed and recomputed), the rules stay one row."""

from datetime import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agency.roles import Role
from ombudsman import services
from ombudsman.models import Inquiry, InquiryEvent, OmbudsmanRules
from tests.factories import make_location, make_region, make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


NOW = local(2026, 3, 3, 10, 0)  # Tuesday


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def superuser(db):
    return make_user(is_superuser=True, is_staff=True)


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def as_sysadmin(client, db):
    client.force_login(make_user(Role.SYSTEM_ADMINISTRATOR, is_staff=True))
    return client


class _FormReader(HTMLParser):
    """What a browser would submit from the page's main form: inputs, checked boxes,
    selected options and textareas."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def form_of(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.text)
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


ADD = reverse("admin:ombudsman_inquiry_add")


def change_url(inquiry) -> str:
    return reverse("admin:ombudsman_inquiry_change", args=[inquiry.pk])


# --- who opens what ------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["inquiry", "consultation", "inquiryattachment"])
def test_superuser_opens_the_changelists(as_superuser, model):
    make_inquiry(subject="Visits stopped")

    response = as_superuser.get(reverse(f"admin:ombudsman_{model}_changelist"))

    assert response.status_code == 200


def test_the_inquiry_changelist_shows_the_due_time_and_the_assignee(as_superuser):
    lead, staff = make_ombudsman(lead=True), make_ombudsman(first_name="Riley", last_name="Chen")
    inquiry = make_inquiry(lead, subject="Visits stopped")
    services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=lead)

    response = as_superuser.get(reverse("admin:ombudsman_inquiry_changelist"))

    assert inquiry.reference in response.text
    assert "Visits stopped" in response.text
    assert "Riley Chen" in response.text or staff.username in response.text
    assert "March 5, 2026" in response.text or "5 Mar 2026" in response.text


def test_superuser_opens_the_add_and_change_pages(as_superuser):
    inquiry = make_inquiry(subject="Visits stopped")

    assert as_superuser.get(ADD).status_code == 200
    response = as_superuser.get(change_url(inquiry))
    assert response.status_code == 200
    assert "Timeline" in response.text
    assert "Inquiry received by phone from client." in response.text


def test_the_change_page_shows_consultations_and_attachments_read_only(
    as_superuser, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    staff = make_ombudsman()
    inquiry = make_inquiry(staff)
    services.consultation_request(
        inquiry=inquiry, actor=staff, consulted=personas.supervisor, question="Last visit?"
    )
    services.attachment_add(
        inquiry=inquiry,
        actor=staff,
        upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )

    response = as_superuser.get(change_url(inquiry))

    assert response.status_code == 200
    assert "Last visit?" in response.text
    assert "letter.pdf" in response.text
    assert "/media/" not in response.text  # files are downloaded through Hearth only
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert not formsets["consultations"].has_add_permission
    assert not formsets["attachments"].has_change_permission


def test_the_system_administrator_sees_no_inquiry(as_sysadmin):
    inquiry = make_inquiry()

    assert as_sysadmin.get(reverse("admin:ombudsman_inquiry_changelist")).status_code == 403
    assert as_sysadmin.get(change_url(inquiry)).status_code == 403
    assert as_sysadmin.get(ADD).status_code == 403
    assert as_sysadmin.get(reverse("admin:ombudsman_consultation_changelist")).status_code == 403


@pytest.mark.parametrize("role", [Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD])
def test_ombudsman_staff_work_in_hearth_not_in_admin(client, role):
    client.force_login(make_user(role))

    response = client.get(reverse("admin:ombudsman_inquiry_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_inquiries_are_never_deleted_in_admin(as_superuser):
    inquiry = make_inquiry()

    response = as_superuser.get(reverse("admin:ombudsman_inquiry_delete", args=[inquiry.pk]))

    assert response.status_code == 403
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()


# --- writes through the services ------------------------------------------------------------


def test_adding_an_inquiry_in_admin_computes_its_clock(as_superuser, superuser):
    data = form_of(as_superuser, ADD)
    data.update(
        {
            "channel": "letter",
            "source_type": "legislator",
            "subject": "Constituent's placement question",
            "description": "A letter from a legislator about a placement.",
            "received_at_0": "2026-02-27",  # a Friday, at 17:30: counts from Monday
            "received_at_1": "17:30:00",
        }
    )

    response = as_superuser.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    inquiry = Inquiry.objects.get()
    assert inquiry.reference == "OMB-2026-000001"
    assert inquiry.effective_received_at == local(2026, 3, 2, 8, 0)
    assert inquiry.initial_response_due_at == local(2026, 3, 4, 17, 0)
    assert inquiry.created_by == superuser
    received = InquiryEvent.objects.get(inquiry=inquiry)
    assert (received.kind, received.actor) == (InquiryEvent.Kind.RECEIVED, superuser)
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert entry.object_id == str(inquiry.pk)
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert inquiry.reference in message


def test_the_add_form_shows_the_services_errors_and_records_nothing(as_superuser):
    region, other = make_region(), make_region()
    data = form_of(as_superuser, ADD)
    data.update(
        {
            "channel": "phone",
            "source_type": "client",
            "subject": "Question",
            "description": "About visits.",
            "received_at_0": "2026-03-04",  # tomorrow
            "received_at_1": "09:00:00",
            "region": str(region.pk),
            "work_location": str(make_location(other).pk),
        }
    )

    response = as_superuser.post(ADD, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["received_at"] == ["The date received cannot be in the future."]
    assert errors["work_location"] == ["This work location is not in the region chosen."]
    assert not Inquiry.objects.exists()


def test_changing_the_urgency_in_admin_recomputes_the_due_time(as_superuser, superuser):
    inquiry = make_inquiry()  # Tuesday 10:00: due Thursday 17:00
    data = form_of(as_superuser, change_url(inquiry))
    assert data["seen_version"] == "1"

    response = as_superuser.post(change_url(inquiry), {**data, "urgency": "immediate"})

    assert response.status_code == 302
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.initial_response_due_at == local(2026, 3, 3, 14, 0)
    assert stored.version == 2
    line = InquiryEvent.objects.get(inquiry=inquiry, kind=InquiryEvent.Kind.URGENCY)
    assert line.actor == superuser


def test_saving_without_changes_writes_nothing(as_superuser):
    inquiry = make_inquiry()
    data = form_of(as_superuser, change_url(inquiry))

    response = as_superuser.post(change_url(inquiry), data)

    assert response.status_code == 302
    assert Inquiry.objects.get(pk=inquiry.pk).version == 1
    assert InquiryEvent.objects.filter(inquiry=inquiry).count() == 1


def test_an_edit_on_an_older_version_is_refused(as_superuser):
    inquiry = make_inquiry()
    data = form_of(as_superuser, change_url(inquiry))
    services.inquiry_update(inquiry=inquiry, actor=None, version=1, subject="Changed meanwhile")

    response = as_superuser.post(change_url(inquiry), {**data, "urgency": "immediate"})

    assert response.status_code == 200
    assert "Someone else changed this inquiry" in response.text
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.subject, stored.urgency) == ("Changed meanwhile", "routine")


# --- the rules -------------------------------------------------------------------------------


def test_the_rules_list_opens_the_one_row(as_sysadmin):
    response = as_sysadmin.get(reverse("admin:ombudsman_ombudsmanrules_changelist"))

    office = OmbudsmanRules.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:ombudsman_ombudsmanrules_change", args=[office.pk]
    )
    assert as_sysadmin.get(response["Location"]).status_code == 200


def test_the_rules_are_never_added_twice_or_deleted(as_sysadmin):
    office = services.rules()

    assert as_sysadmin.get(reverse("admin:ombudsman_ombudsmanrules_add")).status_code == 403
    assert (
        as_sysadmin.get(
            reverse("admin:ombudsman_ombudsmanrules_delete", args=[office.pk])
        ).status_code
        == 403
    )


def test_changing_the_clock_rules_recomputes_waiting_inquiries(as_sysadmin):
    waiting = make_inquiry()  # due Thursday 5 March 17:00
    answered = make_inquiry()
    staff = make_ombudsman()
    services.inquiry_respond(inquiry=answered, actor=staff, method="phone", summary="Hi")
    office = services.rules()
    url = reverse("admin:ombudsman_ombudsmanrules_change", args=[office.pk])
    data = form_of(as_sysadmin, url)

    response = as_sysadmin.post(url, {**data, "routine_business_days": "3"})

    assert response.status_code == 302
    assert Inquiry.objects.get(pk=waiting.pk).initial_response_due_at == local(2026, 3, 6, 17, 0)
    assert Inquiry.objects.get(pk=answered.pk).initial_response_due_at == local(2026, 3, 5, 17, 0)
    line = InquiryEvent.objects.get(inquiry=waiting, kind=InquiryEvent.Kind.DUE_RECOMPUTED)
    assert "Ombudsman rules changed" in line.summary
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("The due time of 1 inquiry" in m for m in messages)


def test_changing_a_reminder_threshold_moves_no_due_time(as_sysadmin):
    make_inquiry()
    office = services.rules()
    url = reverse("admin:ombudsman_ombudsmanrules_change", args=[office.pk])

    response = as_sysadmin.post(url, {**form_of(as_sysadmin, url), "due_soon_business_hours": "6"})

    assert response.status_code == 302
    assert OmbudsmanRules.objects.get().due_soon_business_hours == 6
    assert not InquiryEvent.objects.filter(kind=InquiryEvent.Kind.DUE_RECOMPUTED).exists()


def test_the_rules_refuse_a_zero_deadline(as_sysadmin):
    office = services.rules()
    url = reverse("admin:ombudsman_ombudsmanrules_change", args=[office.pk])

    response = as_sysadmin.post(url, {**form_of(as_sysadmin, url), "routine_business_days": "0"})

    assert response.status_code == 200
    assert "Between 1 and 20 business days." in response.text
    assert OmbudsmanRules.objects.get().routine_business_days == 2
