"""Refusing conflicting edits (agency/concurrency.py) and its form side (agency/forms.py),
on a record with history (a casework person)."""

import threading
import time

import pytest
from django import forms
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agency.concurrency import CONFLICT_MESSAGE, edit_token, lock_for_edit, with_edit_tokens
from agency.forms import EditTokenField, show_service_errors
from casework.models import Person
from tests.casework.factories import make_person

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def latest_history_id(person: Person) -> int:
    return person.history.order_by("-history_id").first().history_id


# --- edit_token ----------------------------------------------------------------------------------


def test_the_token_is_the_latest_history_row_and_moves_with_every_save(db):
    person = make_person()
    first = edit_token(person)

    person.first_name = "Ana"
    person.save()

    assert first != edit_token(person) == str(latest_history_id(person))


def test_a_record_without_history_has_token_zero(db):
    (person,) = Person.objects.bulk_create([Person(first_name="Ana", last_name="Rivera")])

    assert edit_token(person) == "0"


def test_with_edit_tokens_reads_every_rows_token_in_the_same_query(db):
    people = [make_person() for _ in range(3)]
    people[0].save()  # a second history row for the first
    (bare,) = Person.objects.bulk_create([Person(first_name="No", last_name="History")])

    with CaptureQueriesContext(connection) as queries:
        tokens = {p.pk: edit_token(p) for p in with_edit_tokens(Person.objects.all())}

    assert len(queries) == 1
    assert tokens == {p.pk: str(latest_history_id(p)) for p in people} | {bare.pk: "0"}


def test_an_annotated_token_is_the_version_as_loaded(db):
    person = make_person()
    loaded = with_edit_tokens(Person.objects.filter(pk=person.pk)).get()
    seen = edit_token(loaded)

    person.save()  # someone else's change after the page was read

    assert edit_token(loaded) == seen != edit_token(person)


# --- lock_for_edit -------------------------------------------------------------------------------


def test_a_current_token_gives_the_row_re_read_and_locked(db):
    person = make_person(first_name="Ana")
    token = edit_token(person)
    person.first_name = "Changed in memory only"

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = lock_for_edit(person, token)

    assert locked is not person
    assert locked.first_name == "Ana"
    assert "FOR UPDATE" in queries.captured_queries[0]["sql"]


def test_a_stale_token_is_refused_with_the_conflict_message(db):
    person = make_person()
    token = edit_token(person)
    Person.objects.get(pk=person.pk).save()  # someone else saved in between

    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        lock_for_edit(person, token)

    assert excinfo.value.message_dict == {"edit_token": [CONFLICT_MESSAGE]}


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_token_is_not_checked(db, token):
    person = make_person()
    person.save()

    with transaction.atomic():
        assert lock_for_edit(person, token).pk == person.pk


def test_a_token_sent_as_a_number_is_compared_as_text(db):
    person = make_person()

    with transaction.atomic():
        assert lock_for_edit(person, latest_history_id(person)).pk == person.pk


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks.")
# Transactional, so each thread's connection sees the other's commit; serialized rollback
# puts back the migration data the flush afterwards removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_edits_of_the_same_version_at_once_one_is_refused():
    person = make_person(first_name="Ana")
    token = edit_token(person)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                locked = lock_for_edit(person, token)
                time.sleep(0.2)  # hold the lock: the other edit waits for it
                locked.first_name = name
                locked.save(update_fields=["first_name"])
            outcomes[name] = "saved"
        except ValidationError as exc:
            outcomes[name] = " ".join(exc.message_dict["edit_token"])
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("Eva", "Mia")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == sorted(["saved", CONFLICT_MESSAGE])
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assert Person.objects.get(pk=person.pk).first_name == winner


# --- forms ---------------------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField()
    edit_token = EditTokenField()


def test_the_token_field_is_hidden_and_optional():
    form = NameForm({"name": "Ana"})

    assert form.is_valid()
    assert form.cleaned_data["edit_token"] == ""
    assert form["edit_token"].is_hidden


def test_a_conflict_shows_at_the_top_of_the_form_and_keeps_the_input():
    form = NameForm({"name": "Ana", "edit_token": "41"})
    assert form.is_valid()

    show_service_errors(
        ValidationError({"edit_token": [CONFLICT_MESSAGE], "name": ["Too short."]}), form
    )

    assert form.non_field_errors() == [CONFLICT_MESSAGE]
    assert form.errors["name"] == ["Too short."]
    assert "edit_token" not in form.errors
    assert 'name="edit_token" value="41"' in str(form["edit_token"])
    assert 'value="Ana"' in str(form["name"])
