import datetime
from decimal import Decimal

import factory

from contracts import models
from territory.tests.factories import DirectorateFactory, MunicipalityFactory, ServiceTypeFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company

    municipality = factory.SubFactory(MunicipalityFactory)
    legal_name = factory.Sequence(lambda n: f"Servicios Verdes {n} S.A. de C.V.")
    rfc = factory.Sequence(lambda n: f"SVE2101{(n % 28) + 1:02d}A{n % 10}{n % 10}")
    email = factory.Sequence(lambda n: f"contacto{n}@empresa.example")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contract
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    number = factory.Sequence(lambda n: f"SA/LP/{n:03d}/2026")
    lot = factory.Sequence(lambda n: str(11 + n))
    company = factory.SubFactory(
        CompanyFactory, municipality=factory.SelfAttribute("..municipality")
    )
    service_type = factory.SubFactory(
        ServiceTypeFactory, municipality=factory.SelfAttribute("..municipality")
    )
    directorate = factory.SubFactory(
        DirectorateFactory, municipality=factory.SelfAttribute("..municipality")
    )
    monthly_amount = Decimal("337000.00")
    total_amount = Decimal("2022000.00")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=120))

    @factory.post_generation
    def spaces(self, create, extracted, **kwargs):
        if create and extracted:
            self.spaces.set(extracted)


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Obligation

    contract = factory.SubFactory(ContractFactory)
    task = "Corte de pasto"
    frequency_days = 15
