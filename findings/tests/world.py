import datetime
import uuid

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role
from contracts.tests.factories import CompanyFactory, ContractFactory, ObligationFactory
from findings.service_status import directorate_work_logs_since_set
from guardians import services as guardian_services
from guardians.tests.factories import GuardianFactory, UserFactory
from territory.models import ServiceType
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
    square,
)


class World:
    """A colonia with three parks under a green-spaces contract (mow every 15 days, answer
    within 48 h; the parks directorate keeps work logs since its start), a lighting service
    with an area, two directorates with a staff member each,
    guardians (one lead), and the Sindicatura's staff."""

    def answers(self, template=None, **by_code) -> dict:
        template = template or self.green_template
        values = {
            "grass-cut": "yes",
            "litter-removed": "yes",
            "irrigation": "yes",
            "trees-pruned": "yes",
            "furniture": "4",
            "playground": None,
            "overall": "4",
            "problems": [],
            "comments": "",
        }
        values.update(by_code)
        return {item.pk: values.get(item.code) for item in template.items.all()}

    def file(self, *, guardian=None, space=None, days_ago=1, **by_code):
        card, _created = guardian_services.card_submit(
            guardian=guardian or self.guardian,
            client_id=uuid.uuid4(),
            template=self.green_template,
            space=space or self.spaces[0],
            observed_on=self.today - datetime.timedelta(days=days_ago),
            answers=self.answers(**by_code),
        )
        return card


def make_user(municipality, username, role, directorate=None, **kwargs):
    user = UserFactory(
        municipality=municipality, username=username, directorate=directorate, **kwargs
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def build_world(municipality) -> World:
    w = World()
    w.today = timezone.localdate()
    w.municipality = municipality
    w.colonia = ColoniaFactory(
        municipality=municipality, name="Centro", geometry=square(-106.10, 28.60, 0.05)
    )
    w.spaces = [
        PublicSpaceFactory(
            municipality=municipality,
            code=f"AC-{i}",
            name=f"Parque {i}",
            geometry=square(-106.09 + i * 0.002, 28.62),
        )
        for i in range(3)
    ]
    guardian_services.seed_card_templates(municipality=municipality)
    w.green = ServiceType.objects.get(municipality=municipality, code="green-spaces")
    w.lighting = ServiceType.objects.get(municipality=municipality, code="lighting")
    w.green_template = w.green.card_templates.get(is_current=True)
    w.parks = DirectorateFactory(
        municipality=municipality, name="Parques y Jardines", email="parques@example.org"
    )
    w.parks.services.add(w.green)
    w.lights = DirectorateFactory(
        municipality=municipality, name="Alumbrado", email="alumbrado@example.org"
    )
    w.lights.services.add(w.lighting)
    w.company = CompanyFactory(municipality=municipality, legal_name="Jardines del Norte SA")
    w.contract = ContractFactory(
        municipality=municipality,
        company=w.company,
        service_type=w.green,
        directorate=w.parks,
        start_date=w.today - datetime.timedelta(days=40),
        end_date=w.today + datetime.timedelta(days=300),
        spaces=w.spaces[:2],
    )
    # Parks records every job as a work log: its obligations are checked for overdue work.
    directorate_work_logs_since_set(directorate=w.parks, since=w.contract.start_date)
    w.mowing = ObligationFactory(contract=w.contract, task="Corte de pasto", frequency_days=15)
    w.repair = ObligationFactory(
        contract=w.contract,
        task="Atención de reportes",
        frequency_days=None,
        response_time_hours=48,
    )
    w.area = ServiceAreaFactory(
        municipality=municipality,
        service_type=w.green,
        code="Z-1",
        geometry=square(-106.095, 28.615, 0.02),
    )
    w.guardian = GuardianFactory(municipality=municipality, colonia=w.colonia)
    w.lead = GuardianFactory(municipality=municipality, colonia=w.colonia, is_lead=True)
    w.parks_staff = make_user(municipality, "parques", Role.DIRECTORATE_STAFF, directorate=w.parks)
    w.lights_staff = make_user(
        municipality, "alumbrado", Role.DIRECTORATE_STAFF, directorate=w.lights
    )
    w.sindicatura = make_user(municipality, "sindico", Role.MUNICIPAL_STAFF)
    return w
