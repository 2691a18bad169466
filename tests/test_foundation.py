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
