"""The OCDS 1.1 schemas of shared/standards/ocds with the extensions merged in, and validators
(JSON Schema Draft 4, with format checking)."""

import copy
import datetime
import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

OCDS_DIR = Path(str(settings.SHARED_DIR)) / "standards" / "ocds"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def merge_patch(target, patch):
    """JSON Merge Patch (RFC 7386): objects merge recursively, null removes, the rest replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def extension_files() -> list[Path]:
    return sorted(
        path for path in OCDS_DIR.glob("extension-*.json") if not path.name.endswith(".meta.json")
    )


@functools.cache
def release_schema() -> dict:
    schema = json.loads((OCDS_DIR / "release-schema.json").read_text())
    for path in extension_files():
        schema = merge_patch(schema, json.loads(path.read_text()))
    return schema


@functools.cache
def package_schema() -> dict:
    return json.loads((OCDS_DIR / "release-package-schema.json").read_text())


def format_checker() -> jsonschema.FormatChecker:
    """Draft 4's checker, with date-time and uri checked here: jsonschema checks them only when
    optional packages (rfc3339-validator, rfc3987) are installed, and they are not."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def is_uri(value):
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value

    return checker


def _registry() -> Registry:
    release = release_schema()
    return Registry().with_resource(release["id"], Resource(release, specification=DRAFT4))


def release_errors(release: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(release_schema(), format_checker=format_checker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(release)]


def package_errors(package: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(
        package_schema(), format_checker=format_checker(), registry=_registry()
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]


def assert_valid_package(package: dict) -> None:
    errors = package_errors(package)
    for release in package["releases"]:
        errors += [f"{release['ocid']} {error}" for error in release_errors(release)]
    assert errors == [], "\n".join(errors[:20])
