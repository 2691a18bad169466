"""docker-compose.yml and the image carry no default secret: without SECRET_KEY, compose stops
with a message (`${SECRET_KEY:?…}`) instead of starting the portal on a published key.
Checked by hand with Debian's docker-compose 1.29: `docker-compose config -q` exits 1 with the
message when SECRET_KEY is unset or empty, 0 when it is set."""

import re

import yaml
from django.conf import settings

REQUIRED = re.compile(r"^\$\{SECRET_KEY:\?[^}]+\}$")


def app_services() -> dict[str, dict]:
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image", "").startswith("villaguard")
    }


def test_docker_compose_requires_a_secret_key_with_no_default():
    services = app_services()
    assert set(services) == {"web", "worker", "beat"}
    for name, service in services.items():
        value = service["environment"]["SECRET_KEY"]
        assert REQUIRED.match(value), f"{name}: SECRET_KEY is {value!r}"
        assert "Set SECRET_KEY" in value  # the message compose prints


def test_the_image_sets_no_secret_key():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    env_lines = [line for line in dockerfile.splitlines() if "SECRET_KEY" in line]
    # Only the collectstatic step names one, for that step alone: RUN's variables are not
    # kept in the image (ENV's would be).
    assert env_lines and all(line.lstrip().startswith("RUN ") for line in env_lines), env_lines
    assert not re.search(r"^\s*(ENV|ARG)\b[^\n]*SECRET_KEY", dockerfile, re.MULTILINE)
