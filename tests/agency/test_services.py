"""The rules in agency/services.py, called directly."""

import threading
from datetime import date
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from agency import services
from agency.models import ClosureDay, Notification, StaffProfile
from agency.roles import Role
from tests.factories import make_location, make_unit, make_user

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def role_groups(user) -> set[str]:
    return set(
        user.groups.filter(name__in=[r.group_name for r in Role]).values_list("name", flat=True)
    )


# --- staff profiles ----------------------------------------------------------------------


def test_staff_profile_save_puts_the_user_in_exactly_their_roles_group(db):
    unit = make_unit()
    user = make_user()

    profile = services.staff_profile_save(
        user=user, role=Role.CASEWORKER, work_location=unit.work_location, unit=unit
    )

    assert profile.pk and profile.role == Role.CASEWORKER
    assert role_groups(user) == {"Caseworker"}
    assert user.has_perm("agency.view_unit")
    assert not user.has_perm("agency.add_closureday")


def test_staff_profile_save_moves_the_user_to_the_new_roles_group(db):
    unit = make_unit()
    user = make_user(Role.CASEWORKER, unit=unit)

    services.staff_profile_save(
        user=user, role=Role.SYSTEM_ADMINISTRATOR, work_location=unit.work_location
    )

    assert role_groups(user) == {"System Administrator"}
    assert StaffProfile.objects.get(user=user).role == Role.SYSTEM_ADMINISTRATOR
    assert StaffProfile.objects.filter(user=user).count() == 1
    # Django caches permissions on the user object; a fresh copy sees the new ones.
    fresh = type(user).objects.get(pk=user.pk)
    assert fresh.has_perm("agency.add_closureday")


def test_staff_profile_save_keeps_groups_that_are_not_roles(db):
    user = make_user(Role.CASEWORKER)
    rota = Group.objects.create(name="Weekend on-call rota")
    user.groups.add(rota)

    services.staff_profile_save(
        user=user, role=Role.SUPERVISOR, work_location=user.staff.work_location
    )

    assert set(user.groups.values_list("name", flat=True)) == {"Supervisor", rota.name}


def test_staff_profile_save_accepts_the_role_as_a_string(db):
    user = make_user()

    services.staff_profile_save(user=user, role="ombudsman_lead", work_location=make_location())

    assert role_groups(user) == {"Ombudsman Lead"}


def test_staff_profile_save_refuses_an_unknown_role(db):
    user = make_user()

    with pytest.raises(ValueError, match="wizard"):
        services.staff_profile_save(user=user, role="wizard", work_location=make_location())
    assert not StaffProfile.objects.filter(user=user).exists()


def test_staff_profile_with_a_unit_of_another_location_is_refused_and_nothing_saved(db):
    user = make_user()
    office, elsewhere = make_location(), make_unit()

    with pytest.raises(ValidationError) as error:
        services.staff_profile_save(
            user=user, role=Role.CASEWORKER, work_location=office, unit=elsewhere
        )

    assert "unit" in error.value.message_dict
    assert not StaffProfile.objects.filter(user=user).exists()
    assert role_groups(user) == set()


def test_refused_change_of_unit_leaves_the_existing_profile_and_group(db):
    unit = make_unit()
    user = make_user(Role.CASEWORKER, unit=unit)

    with pytest.raises(ValidationError):
        services.staff_profile_save(
            user=user, role=Role.SUPERVISOR, work_location=unit.work_location, unit=make_unit()
        )

    profile = StaffProfile.objects.get(user=user)
    assert (profile.role, profile.unit) == (Role.CASEWORKER, unit)
    assert role_groups(user) == {"Caseworker"}


# --- closure days ------------------------------------------------------------------------


def test_closure_day_add_records_the_day_reason_and_who(db):
    admin = make_user(Role.SYSTEM_ADMINISTRATOR)

    closure = services.closure_day_add(day=date(2027, 2, 16), reason="  Snow storm  ", actor=admin)

    assert ClosureDay.objects.get() == closure
    assert (closure.reason, closure.created_by) == ("Snow storm", admin)


def test_closure_day_add_refuses_a_duplicate_date(db):
    services.closure_day_add(day=date(2027, 2, 16), reason="Snow storm")

    with pytest.raises(ValidationError) as error:
        services.closure_day_add(day=date(2027, 2, 16), reason="Still snowing")

    assert list(error.value.message_dict) == ["date"]
    assert "2027-02-16 is already a closure day." in error.value.message_dict["date"]
    assert ClosureDay.objects.get().reason == "Snow storm"


@pytest.mark.parametrize("reason", ["", "   "])
def test_closure_day_add_refuses_a_blank_reason(db, reason):
    with pytest.raises(ValidationError) as error:
        services.closure_day_add(day=date(2027, 2, 16), reason=reason)

    assert list(error.value.message_dict) == ["reason"]
    assert not ClosureDay.objects.exists()


def test_closure_day_remove_deletes_the_day(db):
    services.closure_day_add(day=date(2027, 2, 16), reason="Snow storm")

    services.closure_day_remove(day=date(2027, 2, 16))

    assert not ClosureDay.objects.exists()


def test_closure_day_remove_refuses_a_day_that_is_not_closed(db):
    with pytest.raises(ValidationError) as error:
        services.closure_day_remove(day=date(2027, 2, 17))

    assert list(error.value.message_dict) == ["date"]


# --- notifications -----------------------------------------------------------------------


def test_reminder_key_names_object_kind_and_threshold(db):
    unit = make_unit()

    key = services.reminder_key(unit, "iff_due_soon", "4h")

    assert key == f"agency.unit:{unit.pk}:iff_due_soon:4h"


def test_notification_send_with_the_same_dedupe_key_twice_creates_one(db):
    recipient = make_user(email="")
    key = "casework.case:7:iff_due_soon:4h"

    first = services.notification_send(
        recipient=recipient, kind="iff_due_soon", subject="IFF due in 4 hours", dedupe_key=key
    )
    second = services.notification_send(
        recipient=recipient, kind="iff_due_soon", subject="IFF due in 4 hours", dedupe_key=key
    )

    assert isinstance(first, Notification)
    assert second is None
    assert Notification.objects.filter(recipient=recipient).count() == 1


def test_the_same_dedupe_key_reaches_each_recipient_once(db):
    one, two = make_user(email=""), make_user(email="")

    for recipient in (one, two, one, two):
        services.notification_send(
            recipient=recipient, kind="k", subject="s", dedupe_key="agency.unit:1:k:1"
        )

    assert Notification.objects.filter(recipient=one).count() == 1
    assert Notification.objects.filter(recipient=two).count() == 1


def test_notifications_without_a_dedupe_key_are_never_merged(db):
    recipient = make_user(email="")

    services.notification_send(recipient=recipient, kind="k", subject="Same")
    services.notification_send(recipient=recipient, kind="k", subject="Same")

    assert Notification.objects.filter(recipient=recipient).count() == 2


def test_notification_send_cuts_a_long_subject_to_the_column(db):
    notification = services.notification_send(
        recipient=make_user(email=""), kind="k", subject="x" * 300
    )

    notification.refresh_from_db()
    assert len(notification.subject) == 200


def test_notification_send_queues_its_email_on_commit(db, django_capture_on_commit_callbacks):
    recipient = make_user(email="casey@hearth.example")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notification_send(recipient=recipient, kind="k", subject="Visit due")

    assert len(callbacks) == 1


def test_notification_send_to_a_user_without_email_queues_nothing(
    db, django_capture_on_commit_callbacks
):
    recipient = make_user(email="")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notification_send(recipient=recipient, kind="k", subject="Visit due")

    assert callbacks == []


def test_a_deduplicated_notification_queues_no_second_email(db, django_capture_on_commit_callbacks):
    recipient = make_user(email="casey@hearth.example")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(2):
            services.notification_send(recipient=recipient, kind="k", subject="s", dedupe_key="x")

    assert len(callbacks) == 1


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite serialises writers; the race needs Postgres's concurrent inserts.",
)
# Transactional, so each thread's connection sees the committed recipient; serialized
# rollback puts back the role groups the flush afterwards removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sending_the_same_reminder_at_once_create_one_notification():
    recipient = make_user(email="")  # no email: nothing is queued on a broker
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(
                services.notification_send(
                    recipient=recipient,
                    kind="iff_due_soon",
                    subject="IFF due in 4 hours",
                    dedupe_key="casework.case:7:iff_due_soon:4h",
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(result is None for result in results) == [False, True]
    assert Notification.objects.filter(recipient=recipient).count() == 1


def test_email_delivery_sends_once_when_called_twice(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HEARTH_SITE_URL = "https://hearth.example"
    recipient = make_user(email="casey@hearth.example")
    notification = Notification.objects.create(
        recipient=recipient, kind="k", subject="Visit due", body="See the case.", link="/calendar/"
    )

    first = services.notification_email_deliver(notification_id=notification.pk)
    second = services.notification_email_deliver(notification_id=notification.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["casey@hearth.example"]
    assert message.subject == "[Hearth] Visit due"
    assert message.body == "See the case.\n\nhttps://hearth.example/calendar/"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_email_delivery_skips_a_recipient_without_email(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = Notification.objects.create(recipient=make_user(email=""), kind="k", subject="s")

    assert services.notification_email_deliver(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_failed_email_releases_the_claim_for_a_retry(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = Notification.objects.create(
        recipient=make_user(email="casey@hearth.example"), kind="k", subject="s"
    )

    with (
        mock.patch("agency.services.send_mail", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        services.notification_email_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert services.notification_email_deliver(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_mark_read_keeps_the_first_read_time(db, time_machine):
    notification = Notification.objects.create(recipient=make_user(), kind="k", subject="s")
    time_machine.move_to("2026-07-02T10:00:00-04:00", tick=False)
    services.notification_mark_read(notification=notification)
    first_read = notification.read_at

    time_machine.move_to("2026-07-03T10:00:00-04:00", tick=False)
    services.notification_mark_read(notification=notification)

    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_mark_all_read_marks_only_the_users_unread_notifications(db):
    user, other = make_user(), make_user()
    for _ in range(3):
        Notification.objects.create(recipient=user, kind="k", subject="s")
    Notification.objects.create(recipient=other, kind="k", subject="s")

    assert services.notifications_mark_all_read(user=user) == 3
    assert services.notifications_mark_all_read(user=user) == 0
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
