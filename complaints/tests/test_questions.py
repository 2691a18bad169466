"""The questions of each service (ServiceQuestion): edited in the admin, published by Open311's
service definition, validated the same way for Open311 posts and the web form, asked on the
web form (prefilled from a space or an area)."""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from complaints.models import Complaint, ServiceQuestion, ServiceQuestionChoice
from complaints.services import open311_key_create
from contracts.tests.factories import CompanyFactory, ContractFactory
from territory.models import ServiceType
from territory.tests.factories import (
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
    ServiceTypeFactory,
)

from .test_open311 import BASE, assert_valid, xml_root

pytestmark = pytest.mark.django_db
NEW = reverse("complaints:new")


@pytest.fixture
def key(municipality):
    return open311_key_create(municipality=municipality, name="Línea 072")[1]


@pytest.fixture
def staff_client(client, municipality):
    user = User.objects.create_user(
        username="sindicatura", password="x", is_staff=True, municipality=municipality
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="complaints"))
    client.force_login(user)
    return client


def add_question(service, code, datatype, required=False, order=5, choices=()):
    question = ServiceQuestion.objects.create(
        service_type=service,
        code=code,
        description=f"¿{code}?",
        datatype=datatype,
        required=required,
        order=order,
    )
    for position, (key, name) in enumerate(choices, start=1):
        ServiceQuestionChoice.objects.create(question=question, key=key, name=name, order=position)
    return question


def form_data(service, **extra):
    data = {
        "service_type": service.pk,
        "description": "La luminaria no enciende",
        "lat": "28.63",
        "lon": "-106.08",
        "address": "",
    }
    data.update(extra)
    return data


# --- The rows -----------------------------------------------------------------------------------


def test_a_new_service_starts_with_its_categorys_questions(municipality, lighting, green):
    question = ServiceQuestion.objects.get(service_type=lighting)
    assert (question.code, question.datatype, question.required) == (
        "lamp_condition",
        "singlevaluelist",
        True,
    )
    assert list(question.choices.values_list("key", flat=True)) == [
        "off",
        "flickering",
        "on_by_day",
        "damaged",
    ]
    assert question.description == "What is wrong with the street light?"  # LANGUAGE_CODE
    assert not ServiceQuestion.objects.filter(service_type=green).exists()


def test_the_data_migration_seeds_existing_services_with_the_same_codes(municipality):
    garbage = ServiceTypeFactory(
        municipality=municipality, code="garbage", category=ServiceType.Category.GARBAGE
    )
    ServiceQuestion.objects.all().delete()  # as before the migration
    migration = importlib.import_module("complaints.migrations.0005_seed_service_questions")
    migration.seed(django_apps, None)
    migration.seed(django_apps, None)  # runs once per service
    question = ServiceQuestion.objects.get(service_type=garbage)
    assert (question.code, question.required) == ("problem", False)
    assert list(question.choices.values_list("key", flat=True)) == [
        "missed",
        "dump",
        "overflowing",
    ]


# --- Open311 ------------------------------------------------------------------------------------


def test_staff_edit_questions_in_the_admin_and_open311_publishes_them(
    staff_client, client, lighting
):
    response = staff_client.post(
        reverse("admin:complaints_servicequestion_add"),
        {
            "service_type": lighting.pk,
            "order": 2,
            "code": "pole_number",
            "description": "Número del poste",
            "datatype": "string",
            "datatype_description": "Está pintado en el poste",
            "required": "",
            "choices-TOTAL_FORMS": "0",
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    definition = client.get(f"{BASE}/services/lighting.json").json()
    assert_valid(definition, "service-definition.json")
    rows = ServiceQuestion.objects.filter(service_type=lighting).order_by("order")
    assert [a["code"] for a in definition["attributes"]] == [q.code for q in rows]
    published = definition["attributes"][1]
    assert published == {
        "variable": True,
        "code": "pole_number",
        "datatype": "string",
        "required": False,
        "datatype_description": "Está pintado en el poste",
        "order": 2,
        "description": "Número del poste",
        "values": [],
    }
    first = rows[0]
    assert definition["attributes"][0]["values"] == [
        {"key": c.key, "name": c.name} for c in first.choices.order_by("order")
    ]
    root = xml_root(client.get(f"{BASE}/services/lighting.xml"))
    assert [a.find("code").text for a in root.iter("attribute")] == [
        "lamp_condition",
        "pole_number",
    ]


def test_a_service_without_questions_has_no_metadata(client, lighting, green):
    services = {s["service_code"]: s for s in client.get(f"{BASE}/services.json").json()}
    assert services["lighting"]["metadata"] is True
    assert services["green-spaces"]["metadata"] is False
    assert client.get(f"{BASE}/services/green-spaces.json").json()["attributes"] == []


def test_admin_shows_staff_only_their_municipalitys_questions(staff_client, lighting):
    other = MunicipalityFactory(slug="otra-preguntas")
    theirs = ServiceTypeFactory(
        municipality=other, code="lighting", name="Alumbrado ajeno", category="lighting"
    )
    assert ServiceQuestion.objects.filter(service_type=theirs).exists()
    page = staff_client.get(reverse("admin:complaints_servicequestion_changelist"))
    assert page.status_code == 200
    shown = {q.pk for q in page.context["cl"].result_list}
    assert shown == set(
        ServiceQuestion.objects.filter(service_type=lighting).values_list("pk", flat=True)
    )
    add = staff_client.get(reverse("admin:complaints_servicequestion_add"))
    choices = list(add.context["adminform"].form.fields["service_type"].queryset)
    assert theirs not in choices and lighting in choices


@pytest.mark.parametrize(
    ("datatype", "value", "ok"),
    [
        ("number", "12.5", True),
        ("number", "doce", False),
        ("datetime", "2026-11-30T21:15", True),
        ("datetime", "ayer", False),
        ("string", "x" * 300, True),
        ("string", "x" * 301, False),
    ],
)
def test_open311_validates_each_datatype(client, key, lighting, datatype, value, ok):
    add_question(lighting, "extra", datatype)
    data = {
        "api_key": key,
        "service_code": "lighting",
        "lat": "28.63",
        "long": "-106.08",
        "attribute[lamp_condition]": "off",
        "attribute[extra]": value,
    }
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == (200 if ok else 400), response.content
    if ok:
        assert Complaint.private_objects.get().attributes["extra"]
    else:
        assert "attribute[extra]" in response.json()[0]["description"]
        assert not Complaint.private_objects.exists()


def test_open311_takes_a_multivaluelist(client, key, lighting):
    add_question(lighting, "seen", "multivaluelist", choices=[("day", "Día"), ("night", "Noche")])
    base = {
        "api_key": key,
        "service_code": "lighting",
        "lat": "28.63",
        "long": "-106.08",
        "attribute[lamp_condition]": "off",
    }
    response = client.post(f"{BASE}/requests.json", {**base, "attribute[seen][]": ["day", "night"]})
    assert response.status_code == 200
    assert Complaint.private_objects.get().attributes["seen"] == ["day", "night"]
    bad = client.post(f"{BASE}/requests.json", {**base, "attribute[seen][]": ["day", "dusk"]})
    assert bad.status_code == 400


# --- The web form -------------------------------------------------------------------------------


def test_the_form_asks_each_services_questions(en_client, lighting, green):
    body = en_client.get(NEW).content.decode()
    assert f'data-service="{lighting.pk}"' in body
    assert f'name="q{lighting.pk}-lamp_condition"' in body
    assert "What is wrong with the street light?" in body and "(required)" in body
    assert f'data-service="{green.pk}"' not in body  # no questions, no group


def test_a_required_answer_missing_is_a_field_error_and_nothing_is_saved(en_client, lighting):
    response = en_client.post(NEW, form_data(lighting, description="Poste caído en la esquina"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"q{lighting.pk}-lamp_condition"] == ["Answer this question."]
    assert not Complaint.private_objects.exists()
    body = response.content.decode()
    assert "Poste caído en la esquina" in body  # what was typed is kept
    assert f'id="id_q{lighting.pk}-lamp_condition-errors"' in body


def test_an_answer_not_offered_is_refused(en_client, lighting):
    response = en_client.post(NEW, form_data(lighting, **{f"q{lighting.pk}-lamp_condition": "x"}))
    assert response.status_code == 400
    assert response.context["form"].errors[f"q{lighting.pk}-lamp_condition"] == [
        "Choose one of the answers offered."
    ]
    assert not Complaint.private_objects.exists()


def test_answers_are_stored_and_other_services_answers_ignored(en_client, lighting, municipality):
    garbage = ServiceTypeFactory(
        municipality=municipality, code="garbage", name="Basura", category="garbage"
    )
    add_question(lighting, "seen", "multivaluelist", choices=[("day", "Día"), ("night", "Noche")])
    data = form_data(
        lighting,
        **{
            f"q{lighting.pk}-lamp_condition": "flickering",
            f"q{lighting.pk}-seen": ["night"],
            f"q{garbage.pk}-problem": "dump",
        },
    )
    response = en_client.post(NEW, data)
    assert response.status_code == 302
    assert Complaint.private_objects.get().attributes == {
        "lamp_condition": "flickering",
        "seen": ["night"],
    }


def test_the_form_costs_the_same_queries_with_more_questions(en_client, lighting, municipality):
    en_client.get(NEW)
    with CaptureQueriesContext(connection) as few:
        en_client.get(NEW)
    for n in range(6):
        service = ServiceTypeFactory(
            municipality=municipality, code=f"s{n}", name=f"S{n}", category="lighting"
        )
        add_question(service, "extra", "singlevaluelist", choices=[("a", "A"), ("b", "B")])
    with CaptureQueriesContext(connection) as many:
        en_client.get(NEW)
    assert len(few) == len(many)


# --- Prefilled from a place ---------------------------------------------------------------------


def test_prefilled_from_a_space_with_its_contracts_service(en_client, municipality, lighting):
    green = ServiceTypeFactory(municipality=municipality, code="green-spaces", name="Áreas verdes")
    space = PublicSpaceFactory(municipality=municipality, name="Parque Lerdo")
    today = datetime.date.today()
    ContractFactory(
        municipality=municipality,
        company=CompanyFactory(municipality=municipality),
        service_type=green,
        start_date=today - datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=5),
    ).spaces.add(space)
    response = en_client.get(NEW, {"space": space.code})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["service_type"] == green.pk
    assert form.initial["lat"] == round(space.centroid.y, 6)
    assert form.initial["lon"] == round(space.centroid.x, 6)
    body = response.content.decode()
    assert f"Reporting at Parque Lerdo ({space.code})" in body
    assert f'<option value="{green.pk}" selected>' in body
    # Submitted as it comes, it files the complaint on the space.
    data = {
        "service_type": green.pk,
        "description": "Pasto muy crecido",
        "lat": form.initial["lat"],
        "lon": form.initial["lon"],
        "address": form.initial["address"],
    }
    assert en_client.post(f"{NEW}?space={space.code}", data).status_code == 302
    assert Complaint.private_objects.get().space == space


def test_prefilled_from_an_area_asks_its_services_questions(en_client, municipality, lighting):
    area = ServiceAreaFactory(municipality=municipality, service_type=lighting)
    response = en_client.get(NEW, {"area": area.pk})
    assert response.context["form"].initial["service_type"] == lighting.pk
    assert f'name="q{lighting.pk}-lamp_condition"' in response.content.decode()


@pytest.mark.parametrize("query", [{"space": "NO-EXISTE"}, {"area": "987654"}, {"area": "x"}])
def test_an_unknown_place_is_404(en_client, municipality, query):
    assert en_client.get(NEW, query).status_code == 404


def test_another_municipalitys_place_is_404(en_client, municipality):
    other = MunicipalityFactory(slug="otra-lugar")
    space = PublicSpaceFactory(municipality=other)
    area = ServiceAreaFactory(municipality=other)
    assert en_client.get(NEW, {"space": space.code}).status_code == 404
    assert en_client.get(NEW, {"area": area.pk}).status_code == 404


def test_the_hidden_confirmation_keeps_the_answers(en_client, municipality, lighting):
    from .factories import make_complaint

    make_complaint(municipality=municipality, service_type=lighting, lat=28.6303)
    data = form_data(lighting, **{f"q{lighting.pk}-lamp_condition": "damaged"})
    body = en_client.post(NEW, data).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', body))
    assert hidden[f"q{lighting.pk}-lamp_condition"] == "damaged"
