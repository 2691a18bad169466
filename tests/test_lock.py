"""requirements.lock (`make lock`, pip-compile) pins every dependency of pyproject.toml, the
development extra included, with hashes, at versions past the advisories pyproject.toml's floors
name; `make install` installs from it and reinstalls when it changes."""

import re
import tomllib

from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

BASE_DIR = settings.BASE_DIR
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def locked() -> dict[str, tuple[Version, list[str]]]:
    """name -> (version, hashes) of every pin in the lock."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    name = None
    for line in (BASE_DIR / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            pins[name] = (Version(match[2]), [])
        elif line.strip().startswith("--hash=sha256:") and name:
            pins[name][1].append(line.strip())
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]


def test_every_declared_dependency_is_locked_with_hashes_at_an_allowed_version():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, version)
    assert all(hashes for _version, hashes in pins.values())


def test_the_lock_is_past_the_known_advisories():
    pins = locked()
    floors = {
        "django": "5.2.9",  # CVE-2025-64459 (Q _connector), CVE-2025-13372, CVE-2025-64460
        "djangorestframework": "3.15.2",  # CVE-2024-21520
        "gunicorn": "23.0.0",  # CVE-2024-1135, CVE-2024-6827 (request smuggling)
        "pillow": "11.3.0",  # CVE-2025-48379
        "tqdm": "4.66.3",  # CVE-2024-34062
        "requests": "2.32.4",  # CVE-2024-47081
        "urllib3": "2.5.0",  # CVE-2025-50181, CVE-2025-50182
        "sqlparse": "0.5.0",  # CVE-2024-4340
        "setuptools": "78.1.1",  # CVE-2025-47273
    }
    for name, floor in floors.items():
        assert pins[name][0] >= Version(floor), (name, pins[name][0])
    # And pyproject.toml itself refuses the last vulnerable release of its direct dependencies.
    last_vulnerable = {
        "django": "5.2.8",
        "djangorestframework": "3.15.1",
        "gunicorn": "22.0.0",
        "pillow": "11.2.1",
        "tqdm": "4.66.2",
    }
    specifiers = {canonicalize_name(r.name): r.specifier for r in declared()}
    for name, version in last_vulnerable.items():
        assert not specifiers[name].contains(version), (name, specifiers[name])


def test_make_install_installs_the_lock_and_is_redone_when_it_changes():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert re.search(r"^\$\(VENV_STAMP\):.*\$\(LOCK\)", makefile, re.MULTILINE)
    assert "install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "install --quiet --no-deps -e ." in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE)
