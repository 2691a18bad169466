import pytest
from django.urls import reverse

from territory.tests.factories import MunicipalityFactory


@pytest.mark.django_db
def test_home_shows_counts_for_the_default_municipality(client):
    MunicipalityFactory(name="Chihuahua", is_default=True)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Chihuahua" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_each_service(client):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert response.status_code == (200 if body["status"] == "ok" else 503)
    assert body["checks"]["database"]["ok"] is True


def test_every_project_command_prints_its_help():
    from django.core.management import get_commands, load_command_class

    project_apps = {
        "core",
        "accounts",
        "territory",
        "contracts",
        "guardians",
        "complaints",
        "committees",
        "findings",
        "opendata",
    }
    commands = {name: app for name, app in get_commands().items() if app in project_apps}
    assert {"import_spaces", "seed_demo", "import_complaints", "open311_key"} <= set(commands)
    for name, app in commands.items():
        text = load_command_class(app, name).create_parser("manage.py", name).format_help()
        assert name in text
