import io
import uuid

import factory
from django.contrib.auth import get_user_model
from PIL import Image

from territory.tests.factories import ColoniaFactory, MunicipalityFactory, square

from ..models import Guardian, GuardianApplication


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("secret-pass-123")
    municipality = factory.SubFactory(MunicipalityFactory)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    municipality = factory.SubFactory(MunicipalityFactory)
    user = factory.SubFactory(UserFactory, municipality=factory.SelfAttribute("..municipality"))
    colonia = factory.SubFactory(
        ColoniaFactory, municipality=factory.SelfAttribute("..municipality")
    )
    phone = "6141234567"


class GuardianApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianApplication

    municipality = factory.SubFactory(MunicipalityFactory)
    full_name = factory.Sequence(lambda n: f"Ana Pérez {n}")
    email = factory.Sequence(lambda n: f"ana{n}@example.org")
    phone = "6141112233"
    colonia = factory.SubFactory(
        ColoniaFactory, municipality=factory.SelfAttribute("..municipality")
    )
    privacy_accepted_at = factory.Faker("date_time", tzinfo=__import__("datetime").UTC)


def image_bytes(kind: str = "JPEG", size=(64, 48), with_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, "green")
    output = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = {1: "N", 2: (28.0, 38.0, 0.0)}
        image.save(output, format=kind, exif=exif)
    else:
        image.save(output, format=kind)
    return output.getvalue()


def new_client_id() -> uuid.UUID:
    return uuid.uuid4()


__all__ = ["square"]
