"""`manage.py check --deploy` is clean under the production settings (CI runs it too)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def check_deploy(secret_key: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        # The test runner's own switch, which the check rightly refuses in deployment.
        if key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secret_key,
        AUDIT_HMAC_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    # In a child process: this process's settings module cannot be swapped.
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_an_insecure_setting():
    """The check above can fail: a weak secret key is reported."""
    result = check_deploy("short")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout
