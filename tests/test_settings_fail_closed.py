"""A deployment that forgets DJANGO_SETTINGS_MODULE (or DEBUG) must not run on development
defaults: manage.py, wsgi.py, asgi.py and celery.py default to config.settings.default,
which is the embedded development settings only when DEBUG is turned on, and the production
settings otherwise; those refuse to start without SECRET_KEY and ALLOWED_HOSTS."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# What the parent test process may have set; each case below states its own environment.
FORGOTTEN = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in FORGOTTEN and not key.startswith("DJANGO_")
    }
    env.update(variables)
    # In a child process: this process's settings are already loaded.
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def print_settings(entry_point: str) -> list[str]:
    """Import an entry point as a server would and print what it runs with."""
    return [
        "-c",
        f"import {entry_point}\n"
        "from django.conf import settings\n"
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SECRET_KEY)",
    ]


def test_manage_py_with_debug_off_and_no_secret_key_stops_with_a_clear_message():
    result = run(["manage.py", "check"], DEBUG="false")
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY is not set" in result.stderr
    assert "DEBUG=true" in result.stderr  # how a developer gets the embedded default back
    assert "Traceback" not in result.stderr


def test_a_deployment_that_sets_neither_settings_module_nor_debug_does_not_start():
    result = run(["manage.py", "check"])
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY is not set" in result.stderr


def test_a_deployment_that_forgets_the_settings_module_runs_with_debug_off():
    secret = secrets.token_urlsafe(50)
    result = run(
        print_settings("config.wsgi"),
        SECRET_KEY=secret,
        ALLOWED_HOSTS="example.org",
        AUDIT_HMAC_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.default", "False", secret]


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi", "config.celery"])
def test_every_entry_point_fails_closed_without_a_secret_key(entry_point):
    result = run(print_settings(entry_point), ALLOWED_HOSTS="example.org")
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_allowed_hosts_is_required_too_when_debug_is_off():
    result = run(["manage.py", "check"], SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0, result.stdout
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_the_production_settings_refuse_the_development_secret_key():
    result = run(
        ["manage.py", "check"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="insecure-embedded-default-change-me-in-production",
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY is the development key" in result.stderr


def test_the_production_settings_name_a_missing_secret_key():
    result = run(
        ["manage.py", "check"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_keeps_the_embedded_default_that_make_run_uses():
    result = run(print_settings("config.wsgi"), DEBUG="true")
    assert result.returncode == 0, result.stderr
    module, debug, _secret = result.stdout.split()
    assert (module, debug) == ("config.settings.default", "True")
    assert run(["manage.py", "check"], DEBUG="true").returncode == 0
