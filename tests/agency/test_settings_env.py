"""config/env.py: settings come from the environment and bad values stop start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_json_object,
    env_list,
    env_str,
    env_url,
)

ROOT = Path(__file__).resolve().parents[2]


# --- env_bool ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON", " on "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("HEARTH_TEST_FLAG", raw)

    assert env_bool("HEARTH_TEST_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "False", "no", "NO", "off", "Off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("HEARTH_TEST_FLAG", raw)

    assert env_bool("HEARTH_TEST_FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_is_the_default(monkeypatch, default):
    monkeypatch.delenv("HEARTH_TEST_FLAG", raising=False)

    assert env_bool("HEARTH_TEST_FLAG", default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "tru", "enabled"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("HEARTH_TEST_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="HEARTH_TEST_FLAG") as error:
        env_bool("HEARTH_TEST_FLAG", False)
    assert repr(raw) in str(error.value)


# --- env_int -----------------------------------------------------------------------------


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("HEARTH_TEST_INT", " 42 ")

    assert env_int("HEARTH_TEST_INT", 7, minimum=1) == 42


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_int_unset_or_blank_is_the_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("HEARTH_TEST_INT", raising=False)
    else:
        monkeypatch.setenv("HEARTH_TEST_INT", raw)

    assert env_int("HEARTH_TEST_INT", 7) == 7


@pytest.mark.parametrize("raw", ["abc", "1.5", "30m"])
def test_env_int_refuses_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv("HEARTH_TEST_INT", raw)

    with pytest.raises(ImproperlyConfigured, match=r"HEARTH_TEST_INT=.* is not a whole number"):
        env_int("HEARTH_TEST_INT", 7)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("HEARTH_TEST_INT", "0")

    with pytest.raises(ImproperlyConfigured, match="HEARTH_TEST_INT=0 must be at least 1"):
        env_int("HEARTH_TEST_INT", 7, minimum=1)


def test_env_int_accepts_the_minimum_itself(monkeypatch):
    monkeypatch.setenv("HEARTH_TEST_INT", "1")

    assert env_int("HEARTH_TEST_INT", 7, minimum=1) == 1


# --- env_url, env_choice, env_list, env_str ---------------------------------------------


def test_env_url_refuses_a_mysql_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://hearth@db/hearth")

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with one of"):
        env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))


@pytest.mark.parametrize(
    "url", ["postgres://hearth@db/hearth", "postgresql://db/hearth", "sqlite:///tmp/x.db"]
)
def test_env_url_accepts_the_schemes_it_lists(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    assert env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite")) == url


def test_env_url_refuses_a_value_without_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "localhost:6379")

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_url("REDIS_URL", ("redis", "rediss"))


def test_env_url_unset_is_empty(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert env_url("REDIS_URL", ("redis", "rediss")) == ""


def test_env_choice_refuses_a_value_not_listed(monkeypatch):
    monkeypatch.setenv("EMAIL_DELIVERY", "carrier-pigeon")

    with pytest.raises(ImproperlyConfigured, match="EMAIL_DELIVERY='carrier-pigeon'"):
        env_choice("EMAIL_DELIVERY", ("console", "smtp"), "console")


def test_env_choice_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("EMAIL_DELIVERY", raising=False)

    assert env_choice("EMAIL_DELIVERY", ("console", "smtp"), "smtp") == "smtp"


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " hearth.example , ,www.hearth.example,")

    assert env_list("ALLOWED_HOSTS") == ["hearth.example", "www.hearth.example"]


def test_env_list_unset_is_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    default = ["localhost"]

    hosts = env_list("ALLOWED_HOSTS", default)
    hosts.append("evil.example")

    assert default == ["localhost"]


def test_env_str_strips_whitespace(monkeypatch):
    monkeypatch.setenv("HEARTH_AGENCY_NAME", "  Department of Children and Families \n")

    assert env_str("HEARTH_AGENCY_NAME") == "Department of Children and Families"


# --- the settings module as a process starts it ------------------------------------------


def start_django(tmp_path, **env) -> subprocess.CompletedProcess:
    """`django.setup()` in a fresh interpreter with only the variables given (plus PATH)."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HEARTH_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="0")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_settings_load_with_a_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="hearth.example")

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_settings_make_their_own_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "secret_key").read_text().strip()) >= 50


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://hearth@db/hearth"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("EMAIL_DELIVERY", "sendmail"),
    ],
)
def test_a_bad_setting_stops_start_up_and_names_the_variable(tmp_path, variable, value):
    result = start_django(tmp_path, **{"DEBUG": "1", variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_env_json_object_reads_an_object(monkeypatch):
    monkeypatch.setenv("HEARTH_TEST_JSON", '{"bucket_name": "hearth-files"}')

    assert env_json_object("HEARTH_TEST_JSON") == {"bucket_name": "hearth-files"}


def test_env_json_object_unset_is_empty(monkeypatch):
    monkeypatch.delenv("HEARTH_TEST_JSON", raising=False)

    assert env_json_object("HEARTH_TEST_JSON") == {}


@pytest.mark.parametrize("raw", ["{bucket: x}", '["a", "b"]'])
def test_env_json_object_refuses_what_is_not_a_json_object(monkeypatch, raw):
    monkeypatch.setenv("HEARTH_TEST_JSON", raw)

    with pytest.raises(ImproperlyConfigured, match="HEARTH_TEST_JSON"):
        env_json_object("HEARTH_TEST_JSON")


def database_options(tmp_path, **env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HEARTH_VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgres_statements_are_prepared_unless_turned_off(tmp_path):
    url = "postgres://hearth@db:5432/hearth"
    on = database_options(tmp_path, DATABASE_URL=url)
    assert on == {"server_side_binding": True, "prepare_threshold": 5}
    assert database_options(tmp_path, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0") == {}
    assert "prepare_threshold" not in database_options(tmp_path)  # SQLite
