""" "Become a guardian of this space": the join form prefilled from a space's page."""

import pytest
from django.urls import reverse

from guardians.models import GuardianApplication
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, PublicSpaceFactory
from territory.tests.test_place_pages import inside

pytestmark = pytest.mark.django_db
JOIN = reverse("guardians:join")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_space_is_offered_ticked_with_its_colonia(client, municipality):
    colonia = ColoniaFactory(municipality=municipality)
    space = PublicSpaceFactory(
        municipality=municipality, name="Parque Lerdo", geometry=inside(colonia)
    )
    response = client.get(JOIN, {"space": space.code}, **EN)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"spaces": [space.pk], "colonia": colonia.pk}
    assert list(form.fields["spaces"].queryset) == [space]
    body = response.content.decode()
    assert "Parque Lerdo" in body and f'value="{space.pk}"' in body


def test_the_application_keeps_the_space(client, municipality):
    colonia = ColoniaFactory(municipality=municipality)
    space = PublicSpaceFactory(municipality=municipality, geometry=inside(colonia))
    data = {
        "full_name": "Rosa Martínez",
        "email": "rosa@example.org",
        "phone": "6145550000",
        "colonia": colonia.pk,
        "spaces": [space.pk],
        "accept_privacy_notice": "on",
    }
    response = client.post(f"{JOIN}?space={space.code}", data)
    assert response.status_code == 302
    assert list(GuardianApplication.private_objects.get().spaces.all()) == [space]


def test_without_a_space_no_space_is_offered(client, municipality):
    assert "spaces" not in client.get(JOIN).context["form"].fields


def test_an_unknown_or_foreign_space_is_404(client, municipality):
    other = PublicSpaceFactory(municipality=MunicipalityFactory(slug="otra-guardianes"))
    assert client.get(JOIN, {"space": "NO-EXISTE"}).status_code == 404
    assert client.get(JOIN, {"space": other.code}).status_code == 404
