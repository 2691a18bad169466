"""Citizen Guardians in a phone-sized headless Chromium: sign up, approval by staff, the
pre-test, a card with a photo, and a card finished offline and sent once back online."""

import re

import pytest
from django.core import mail

from guardians.models import Card, EvaluationAttempt
from guardians.tests.conftest import make_world
from guardians.tests.factories import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # noqa: S105 - the factories' test password


def log_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def answer_green_card(page, template):
    items = {item.code: item for item in template.items.all()}
    prefix = f"t{template.pk}-item-"
    for code, value in [
        ("grass-cut", "yes"),
        ("litter-removed", "no"),
        ("irrigation", "yes"),
        ("trees-pruned", "yes"),
        ("furniture", "4"),
        ("overall", "3"),
    ]:
        page.check(f"input[name='{prefix}{items[code].pk}'][value='{value}']")


def test_sign_up_approval_pre_test_and_a_card_with_a_photo(
    live_server, municipality, phone_page, page, screenshot, axe
):
    from guardians.tests.test_training import make_session

    world = make_world(municipality)
    session, questions = make_session(world)
    base = live_server.url
    phone = phone_page

    # A neighbour signs up on their phone.
    phone.goto(f"{base}/guardians/join/")
    phone.fill("input[name=full_name]", "Rosa Martínez")
    phone.fill("input[name=email]", "rosa@example.org")
    phone.fill("input[name=phone]", "6145550000")
    phone.select_option("select[name=colonia]", str(world.colonia_a.pk))
    phone.check(f"input[name=service_types][value='{world.green.pk}']")
    screenshot(phone, "join")
    violations = axe(phone)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    phone.check("input[name=accept_privacy_notice]")
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r"/guardians/join/thanks/$"))

    # Staff approve the application on their page.
    log_in(page, base, world.staff.username)
    page.goto(f"{base}/guardians/applications/")
    assert "Rosa Martínez" in page.inner_text("main")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    screenshot(page, "applications")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/guardians/welcome/\S+", mail.outbox[0].body).group(0)
    path = link.split("/guardians/", 1)[1]

    # The new guardian chooses a password from the e-mail's link and is logged in.
    phone.goto(f"{base}/guardians/{path}")
    phone.fill("input[name=new_password1]", "parque-limpio-2024")
    phone.fill("input[name=new_password2]", "parque-limpio-2024")
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r"/guardians/welcome/done/$"))

    # The pre-test.
    phone.goto(f"{base}/guardians/training/{session.pk}/pre/")
    for question in questions:
        right = question.choices.get(is_correct=True)
        phone.check(f"input[name=q{question.pk}][value='{right.pk}']")
    phone.click("main button[type=submit]")
    phone.wait_for_selector(".score")
    screenshot(phone, "pre-test-score")
    attempt = EvaluationAttempt.objects.get()
    assert (attempt.correct, attempt.total) == (4, 4)

    # A card with a photo.
    phone.goto(f"{base}/guardians/cards/new/")
    phone.fill("#space-search", "A1")
    assert phone.input_value("#id_space") == str(world.spaces_a[1].pk)
    answer_green_card(phone, world.green_template)
    phone.set_input_files(
        "input[name=photos]",
        files=[
            {
                "name": "parque.jpg",
                "mimeType": "image/jpeg",
                "buffer": image_bytes(with_gps=True, size=(640, 480)),
            }
        ],
    )
    screenshot(phone, "card-form")
    violations = axe(phone)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    phone.click("#card-submit")
    phone.wait_for_url(re.compile(r"/guardians/cards/$"))
    card = Card.objects.get()
    assert card.space == world.spaces_a[1] and card.photos.count() == 1
    assert world.spaces_a[1].name in phone.inner_text("main table")
    screenshot(phone, "my-cards")


def test_a_card_finished_offline_is_sent_once_when_the_connection_returns(
    live_server, municipality, phone_page, screenshot
):
    world = make_world(municipality)
    base = live_server.url
    phone = phone_page
    log_in(phone, base, world.guardian_a.user.username)
    phone.goto(f"{base}/guardians/cards/new/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()  # now controlled by the service worker, which keeps a copy of the page
    phone.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    phone.reload()  # served by the service worker without a network
    phone.wait_for_selector("#card-form")
    phone.select_option("#id_space", str(world.spaces_a[0].pk))
    phone.select_option("select[name=service_type]", str(world.green.pk))
    answer_green_card(phone, world.green_template)
    phone.click("#card-submit")
    phone.wait_for_selector("#outbox li[data-state=pending]")
    assert phone.inner_text("#connection-status").strip() != ""  # says it is offline
    screenshot(phone, "pending")
    assert Card.objects.count() == 0

    phone.context.set_offline(False)
    phone.wait_for_selector("#outbox li[data-state=sent]", timeout=15000)
    screenshot(phone, "sent")
    assert Card.objects.count() == 1
    # A reload finds an empty outbox and files nothing more.
    phone.reload()
    phone.wait_for_timeout(500)
    assert phone.locator("#outbox li").count() == 0
    assert Card.objects.count() == 1
    assert Card.objects.get().guardian == world.guardian_a
