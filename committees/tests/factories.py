import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role, User
from committees import models
from territory.tests.factories import ColoniaFactory, MunicipalityFactory


def make_user(*, municipality, role: str | None = None, username=None, **extra) -> User:
    user = User.objects.create_user(
        username=username or f"user{User.objects.count() + 1}",
        password="clave-segura-123",
        municipality=municipality,
        **extra,
    )
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


def make_staff(*, municipality, **extra) -> User:
    return make_user(municipality=municipality, role=Role.MUNICIPAL_STAFF, **extra)


class CitizenCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CitizenCommittee
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Comité de Participación Ciudadana {n}")
    status = models.CitizenCommittee.Status.ACTIVE
    assembly_date = datetime.date(2024, 3, 1)

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [ColoniaFactory(municipality=self.municipality)]
        self.communities.set(extracted)


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CommitteeMember

    committee = factory.SubFactory(CitizenCommitteeFactory)
    full_name = factory.Sequence(lambda n: f"Integrante Número {n}")
    position = models.CommitteeMember.Position.PRESIDENT
    designated_on = datetime.date(2024, 3, 1)


def make_committee_member_user(*, committee, username=None, position="president") -> User:
    user = make_user(
        municipality=committee.municipality, role=Role.COMMITTEE_MEMBER, username=username
    )
    CommitteeMemberFactory(committee=committee, user=user, position=position)
    return user


class CivilAssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CivilAssociation

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Asociación Civil {n} A.C.")


class CivilEmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CivilEmployee

    association = factory.SubFactory(CivilAssociationFactory)
    full_name = factory.Sequence(lambda n: f"Promotora {n}")
    hired_on = datetime.date(2024, 1, 15)


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Forum

    municipality = factory.SubFactory(MunicipalityFactory)
    colonia = factory.SubFactory(
        ColoniaFactory, municipality=factory.SelfAttribute("..municipality")
    )
    title = factory.Sequence(lambda n: f"Foro comunitario {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    place = "Casa ejidal"
    agenda = "1. Bienvenida\n2. Necesidades de la comunidad"
    attendance_women = 20
    attendance_men = 15
    attendance_total = 35


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Need

    municipality = factory.SubFactory(MunicipalityFactory)
    colonia = factory.SubFactory(
        ColoniaFactory, municipality=factory.SelfAttribute("..municipality")
    )
    category = models.Need.Category.WATER
    description = factory.Sequence(lambda n: f"Ampliación de la red de agua potable, tramo {n}")
    people_affected = 120
    estimated_cost = Decimal("150000.00")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Institution

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Comisión Nacional del Agua {n}")
    acronym = "CONAGUA"
    level = models.Institution.Level.FEDERAL


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Program

    institution = factory.SubFactory(InstitutionFactory)
    name = "Programa de Agua Potable, Drenaje y Tratamiento"


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Allocation

    municipality = factory.SubFactory(MunicipalityFactory)
    colonia = factory.SubFactory(
        ColoniaFactory, municipality=factory.SelfAttribute("..municipality")
    )
    item = "Tubería PVC 4 pulgadas"
    quantity = Decimal("100")
    unit = "m"
    value = Decimal("10000.00")
    delivered_on = datetime.date(2024, 6, 1)
    source = models.Source.MUNICIPAL


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assignment

    employee = factory.SubFactory(CivilEmployeeFactory)
    colonia = factory.SubFactory(
        ColoniaFactory,
        municipality=factory.SelfAttribute("..employee.association.municipality"),
    )
    starts_on = datetime.date(2024, 1, 20)


def make_civil_employee_user(*, municipality, communities=(), username=None):
    """A user in the civil_employee group linked to a CivilEmployee assigned to
    ``communities`` since 2024-01-20."""
    user = make_user(municipality=municipality, role=Role.CIVIL_EMPLOYEE, username=username)
    employee = CivilEmployeeFactory(association__municipality=municipality, user=user)
    for colonia in communities:
        AssignmentFactory(employee=employee, colonia=colonia)
    return user


class PublicWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PublicWork

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Pavimentación del camino {n}")
    budget = Decimal("1200000.00")
    source = models.Source.FEDERAL


class PlanningCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PlanningCommittee

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"COPLADEM {n}")


class PlanningSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PlanningSession

    body = factory.SubFactory(PlanningCommitteeFactory)
    held_on = datetime.date(2024, 2, 10)
    place = "Sala de Cabildo"
    agenda = "1. Lista de asistencia\n2. Priorización de obras"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    session = factory.SubFactory(PlanningSessionFactory)
    description = factory.Sequence(lambda n: f"Acuerdo número {n}")
    owner = "Secretaría Técnica"
