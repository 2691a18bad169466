import factory
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from territory import models


def square(lon: float, lat: float, size: float = 0.001) -> MultiPolygon:
    """A square multipolygon with its south-west corner at (lon, lat)."""
    return MultiPolygon(
        Polygon(
            (
                (lon, lat),
                (lon + size, lat),
                (lon + size, lat + size),
                (lon, lat + size),
                (lon, lat),
            )
        ),
        srid=4326,
    )


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Municipio {n}")
    slug = factory.Sequence(lambda n: f"municipio-{n}")
    state = "Chihuahua"
    inegi_code = factory.Sequence(lambda n: f"{8000 + n:05d}")
    center = factory.LazyFunction(lambda: Point(-106.08, 28.63, srid=4326))
    zoom = 12
    contact_email = "sindicatura@example.org"


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ServiceType
        django_get_or_create = ("municipality", "code")

    municipality = factory.SubFactory(MunicipalityFactory)
    code = "green-spaces"
    name = "Mantenimiento de áreas verdes"
    category = models.ServiceType.Category.GREEN_SPACES


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Directorate

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Dirección {n}")
    email = factory.Sequence(lambda n: f"direccion{n}@example.org")


class ColoniaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Colonia

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Colonia {n}")
    population = 1200
    geometry = factory.LazyFunction(lambda: square(-106.10, 28.60, 0.05))


class PublicSpaceFactory(factory.django.DjangoModelFactory):
    """Builds spaces through the service so area, centroid and colonia are derived."""

    class Meta:
        model = models.PublicSpace

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"AC-Z11-{n:04d}")
    name = factory.Sequence(lambda n: f"Parque {n}")
    kind = models.PublicSpace.Kind.PARK
    geometry = factory.Sequence(
        lambda n: square(-106.09 + (n % 50) * 0.0015, 28.62 + (n // 50) * 0.0015)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from territory.services import space_upsert

        space, _ = space_upsert(**kwargs)
        return space


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ServiceArea

    municipality = factory.SubFactory(MunicipalityFactory)
    service_type = factory.SubFactory(
        ServiceTypeFactory,
        municipality=factory.SelfAttribute("..municipality"),
        code="garbage",
        name="Recolección de basura",
        category=models.ServiceType.Category.GARBAGE,
    )
    code = factory.Sequence(lambda n: f"A-L{n}")
    name = factory.Sequence(lambda n: f"Ruta {n}")
    geometry = factory.LazyFunction(lambda: square(-106.10, 28.60, 0.02))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from territory.services import service_area_upsert

        area, _ = service_area_upsert(**kwargs)
        return area
