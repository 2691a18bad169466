import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..models import Card, GuardianApplication
from .conftest import file_card
from .factories import image_bytes

pytestmark = pytest.mark.django_db

PRIVATE_URLS = [
    ("guardians:card_list", []),
    ("guardians:card_new", []),
    ("guardians:review_queue", []),
    ("guardians:application_list", []),
    ("guardians:visit_list", []),
    ("guardians:visit_create", []),
    ("guardians:training_list", []),
    ("guardians:training_report_all", []),
]


@pytest.mark.parametrize(("name", "args"), PRIVATE_URLS)
def test_anonymous_users_reach_none_of_it(world, client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_users_cannot_read_a_card(world, client):
    card, _ = file_card(world)
    response = client.get(card.get_absolute_url())
    assert response.status_code == 302


def test_guardians_cannot_open_staff_pages(world, client):
    client.force_login(world.guardian_a.user)
    for name in ("guardians:review_queue", "guardians:application_list", "guardians:visit_list"):
        assert client.get(reverse(name)).status_code == 403


def test_who_reads_which_card(world, client):
    card_a, _ = file_card(world)
    card_a2, _ = file_card(world, guardian=world.guardian_a2, space=world.spaces_a[1])
    card_b, _ = file_card(world, guardian=world.guardian_b, space=world.spaces_b[0])
    expectations = {
        world.guardian_a.user: {card_a},
        world.guardian_b.user: {card_b},
        world.lead_a.user: {card_a, card_a2},
        world.staff: {card_a, card_a2, card_b},
    }
    for user, visible in expectations.items():
        client.force_login(user)
        listed = set(client.get(reverse("guardians:card_list")).context["page"].object_list)
        assert listed == visible, user
        for card in (card_a, card_a2, card_b):
            status = client.get(card.get_absolute_url()).status_code
            assert status == (200 if card in visible else 404), (user, card)


def test_the_public_space_summary_never_names_the_guardian(world):
    file_card(world)
    old = timezone.localdate() - datetime.timedelta(days=120)
    file_card(world, observed_on=old)
    summary = selectors.space_card_summary(space=world.spaces_a[0])
    assert summary["cards"] == 2 and summary["recent_cards"] == 1
    assert summary["last_card_date"] == timezone.localdate() - datetime.timedelta(days=1)
    failing = {row["code"]: row for row in summary["failing_items"]}
    assert set(failing) == {"litter-removed", "overall", "problems"}
    assert failing["overall"] == {
        "code": "overall",
        "text": "Overall score of the service",
        "failures": 1,
        "answers": 1,
    }
    flat = repr(summary)
    assert world.guardian_a.user.username not in flat and "guardian" not in flat


def test_the_public_space_page_shows_the_card_summary_without_the_guardian(world, client):
    file_card(world)
    response = client.get(world.spaces_a[0].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "What citizen guardians report" in html
    assert "Overall score of the service" in html
    assert world.guardian_a.user.username not in html
    assert world.guardian_a.user.email not in html


def test_first_card_dates_per_colonia(world):
    today = timezone.localdate()
    file_card(world, observed_on=today - datetime.timedelta(days=3))
    file_card(world, observed_on=today - datetime.timedelta(days=9))
    file_card(world, guardian=world.guardian_b, space=world.spaces_b[0], observed_on=today)
    with CaptureQueriesContext(connection) as queries:
        dates = selectors.first_card_dates(municipality=world.municipality)
    assert len(queries) == 1
    assert dates == {
        world.colonia_a.pk: today - datetime.timedelta(days=9),
        world.colonia_b.pk: today,
    }
    assert selectors.first_card_date(colonia=world.colonia_a) == today - datetime.timedelta(days=9)
    assert selectors.first_card_date(colonia=world.colonia_a.__class__(pk=0)) is None


def _queries(client, url) -> int:
    client.get(url)  # warms the host → municipality cache, which costs one query once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user_attr", ["staff", "lead_a"])
def test_the_card_list_costs_the_same_queries_with_few_and_many_cards(world, client, user_attr):
    user = getattr(world, user_attr)
    client.force_login(getattr(user, "user", user))
    url = reverse("guardians:card_list")
    file_card(world)
    few = _queries(client, url)
    for index in range(25):
        file_card(world, space=world.spaces_a[index % 3])
    assert _queries(client, url) == few


def test_the_review_queue_and_visit_list_cost_the_same_with_more_rows(world, client):
    from .. import services

    client.force_login(world.staff)
    file_card(world)
    services.visit_create(
        municipality=world.municipality,
        date=timezone.localdate(),
        colonia=world.colonia_a,
        people_contacted=4,
    )
    few = (
        _queries(client, reverse("guardians:review_queue")),
        _queries(client, reverse("guardians:visit_list")),
    )
    for index in range(20):
        file_card(world, space=world.spaces_a[index % 3])
        services.visit_create(
            municipality=world.municipality,
            date=timezone.localdate(),
            colonia=world.colonia_b,
            people_contacted=index,
        )
    many = (
        _queries(client, reverse("guardians:review_queue")),
        _queries(client, reverse("guardians:visit_list")),
    )
    assert many == few


def _form_data(world, template=None, **overrides):
    template = template or world.green_template
    prefix = f"t{template.pk}-item-"
    items = {item.code: item for item in template.items.all()}
    data = {
        "client_id": str(uuid.uuid4()),
        "space": world.spaces_a[0].pk,
        "service_type": template.service_type_id,
        "observed_on": timezone.localdate().isoformat(),
        "template": template.pk,
        f"{prefix}{items['grass-cut'].pk}": "yes",
        f"{prefix}{items['litter-removed'].pk}": "yes",
        f"{prefix}{items['irrigation'].pk}": "no",
        f"{prefix}{items['trees-pruned'].pk}": "yes",
        f"{prefix}{items['furniture'].pk}": "5",
        f"{prefix}{items['overall'].pk}": "4",
    }
    data.update(overrides)
    return data


def test_filing_a_card_through_the_form_with_a_photo(world, client):
    client.force_login(world.guardian_a.user)
    url = reverse("guardians:card_new")
    page = client.get(url)
    assert page.status_code == 200
    assert world.spaces_a[0].name in page.content.decode()
    assert world.spaces_b[0].name not in page.content.decode()  # another colonia
    data = _form_data(world)
    data["photos"] = SimpleUploadedFile("p.webp", image_bytes("WEBP"), "image/webp")
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("guardians:card_list")
    card = Card.objects.get()
    assert card.photos.count() == 1 and card.failure_count == 1  # irrigation: no


def test_the_form_shows_per_field_errors_and_files_nothing(world, client):
    client.force_login(world.guardian_a.user)
    template = world.green_template
    grass = template.items.get(code="grass-cut")
    data = _form_data(world, **{f"t{template.pk}-item-{grass.pk}": ""})
    data["photos"] = SimpleUploadedFile("x.jpg", b"GIF89a not really", "image/jpeg")
    response = client.post(reverse("guardians:card_new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["photos"]
    data.pop("photos")
    response = client.post(reverse("guardians:card_new"), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert f"t{template.pk}-item-{grass.pk}" in response.json()["errors"]
    assert not Card.objects.exists()


def test_a_guardian_cannot_file_for_another_colonia_through_the_form(world, client):
    client.force_login(world.guardian_b.user)
    response = client.post(
        reverse("guardians:card_new"), _form_data(world), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "space" in response.json()["errors"]
    assert not Card.objects.exists()


def test_staff_cannot_file_cards(world, client):
    client.force_login(world.staff)
    assert client.get(reverse("guardians:card_new")).status_code == 403


def test_a_retried_json_submission_returns_the_existing_card(world, client):
    client.force_login(world.guardian_a.user)
    data = _form_data(world)
    url = reverse("guardians:card_new")
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    second = client.post(url, data, HTTP_ACCEPT="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["status"] == "existing"
    assert Card.objects.count() == 1


def test_the_join_form_creates_a_pending_application(world, client):
    url = reverse("guardians:join")
    data = {
        "full_name": "Rosa Martínez",
        "email": "rosa@example.org",
        "phone": "6145550000",
        "colonia": world.colonia_a.pk,
        "service_types": [world.green.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["accept_privacy_notice"]
    assert not GuardianApplication.private_objects.exists()
    response = client.post(url, {**data, "accept_privacy_notice": "on"})
    assert response.status_code == 302
    application = GuardianApplication.private_objects.get()
    assert application.status == "pending" and list(application.service_types.all()) == [
        world.green
    ]


def test_staff_approve_an_application_from_their_page(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    from .factories import GuardianApplicationFactory

    application = GuardianApplicationFactory(
        municipality=world.municipality, colonia=world.colonia_b
    )
    client.force_login(world.staff)
    assert (
        application.full_name in client.get(reverse("guardians:application_list")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("guardians:application_review", args=[application.pk]),
            {"decision": "approve", f"a{application.pk}-is_lead": "on"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved" and application.guardian.is_lead
    assert len(mailoutbox) == 1


def test_the_program_page_and_home_show_only_counts(world, client):
    file_card(world)
    response = client.get(reverse("guardians:program"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "Centro" in body
    assert world.guardian_a.user.username not in body and world.guardian_a.phone not in body
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    counts = dict(home.context["counts"])
    assert counts["Active guardians"] == 4
    assert counts["Surveillance cards filed"] == 1


def test_the_service_worker_is_served_for_the_guardians_scope(client):
    response = client.get(reverse("guardians:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/guardians/"
    assert "/guardians/cards/new/" in response.content.decode()


def test_staff_record_a_visit(world, client):
    client.force_login(world.staff)
    response = client.post(
        reverse("guardians:visit_create"),
        {
            "date": timezone.localdate().isoformat(),
            "colonia": world.colonia_a.pk,
            "space_codes": "A-0, A-1",
            "staff_present": [world.staff.pk],
            "people_contacted": 12,
            "photos": SimpleUploadedFile("v.png", image_bytes("PNG"), "image/png"),
        },
    )
    assert response.status_code == 302
    visit = world.municipality.visit_set.get()
    assert visit.spaces.count() == 2 and visit.photos.count() == 1
    response = client.get(visit.get_absolute_url())
    assert response.status_code == 200
    bad = client.post(
        reverse("guardians:visit_create"),
        {
            "date": "2020-01-01",
            "colonia": world.colonia_a.pk,
            "space_codes": "NOPE",
            "people_contacted": 3,
        },
    )
    assert bad.status_code == 200 and bad.context["form"].errors["space_codes"]
    assert world.municipality.visit_set.count() == 1


def test_editing_a_card_template_in_the_admin_creates_a_new_version(world, admin_client):
    template = world.green_template
    card, _ = file_card(world)
    url = reverse("admin:guardians_cardtemplate_change", args=[template.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": "Parques (v2)",
            "service_type": world.green.pk,
            "municipality": world.municipality.pk,
        }
    )
    formset = page.context["inline_admin_formsets"][0].formset
    data.update(
        {
            f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms) - 1),
            f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, item_form in enumerate(formset.forms[: formset.initial_form_count()]):
        for name, field in item_form.fields.items():
            value = item_form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[f"{formset.prefix}-{index}-{name}"] = getattr(value, "pk", value)
    data[f"{formset.prefix}-0-text"] = "¿Se cortó el pasto?"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    template.refresh_from_db()
    new = world.green.card_templates.get(is_current=True)
    assert new.pk != template.pk and new.version == 2 and not template.is_current
    assert new.items.count() == template.items.count() == 9
    assert new.items.get(code="grass-cut").text == "¿Se cortó el pasto?"
    assert template.items.get(code="grass-cut").text == "Has the grass been cut?"
    card.refresh_from_db()
    assert card.template == template
