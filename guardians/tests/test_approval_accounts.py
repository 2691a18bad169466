"""Approving a guardian application never attaches an account of another municipality or a
superuser that happens to have the applicant's e-mail (issue 14, item 13)."""

import pytest
from django.contrib import messages
from django.urls import reverse

from accounts.models import User
from territory.tests.factories import MunicipalityFactory

from ..models import Guardian, GuardianApplication
from .factories import GuardianApplicationFactory

pytestmark = pytest.mark.django_db


def approve_from_the_staff_page(client, world, application, capture):
    client.force_login(world.staff)
    with capture(execute=True):
        response = client.post(
            reverse("guardians:application_review", args=[application.pk]),
            {"decision": "approve"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def deployment_superuser(email):
    return User.objects.create_superuser(username="root", email=email, password=None)


def superuser_of(municipality, email):
    return User.objects.create_superuser(
        username="mayor-it", email=email, password=None, municipality=municipality
    )


def account_of_another_municipality(municipality, email):
    other = MunicipalityFactory()
    return User.objects.create_user(username="elsewhere", email=email, municipality=other)


@pytest.mark.parametrize(
    "make_account",
    [deployment_superuser, superuser_of, account_of_another_municipality],
    ids=["deployment-superuser", "superuser-of-this-municipality", "other-municipality"],
)
def test_approval_refuses_an_email_of_a_superuser_or_another_municipalitys_account(
    world, client, mailoutbox, django_capture_on_commit_callbacks, make_account
):
    if make_account is deployment_superuser:
        account = make_account("Root@Example.org")
    else:
        account = make_account(world.municipality, "Root@Example.org")
    groups_before = set(account.groups.all())
    application = GuardianApplicationFactory(
        municipality=world.municipality, colonia=world.colonia_b, email="root@example.org"
    )

    errors = approve_from_the_staff_page(
        client, world, application, django_capture_on_commit_callbacks
    )

    assert errors == [
        "This e-mail belongs to an administrator or to an account of another municipality, "
        "so it cannot become a guardian. Ask the applicant for another e-mail."
    ]
    application.refresh_from_db()
    assert application.status == GuardianApplication.Status.PENDING
    assert application.guardian is None and application.reviewed_by is None
    assert not Guardian.private_objects.filter(user=account).exists()
    account.refresh_from_db()
    assert set(account.groups.all()) == groups_before
    assert account.municipality_id == (
        None if make_account is deployment_superuser else account.municipality_id
    )
    assert mailoutbox == []


def test_approval_still_attaches_a_plain_account_of_the_same_municipality(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    account = User.objects.create_user(
        username="vecina", email="vecina@example.org", municipality=world.municipality
    )
    application = GuardianApplicationFactory(
        municipality=world.municipality, colonia=world.colonia_b, email="Vecina@example.org"
    )
    errors = approve_from_the_staff_page(
        client, world, application, django_capture_on_commit_callbacks
    )
    assert errors == []
    assert Guardian.private_objects.get(user=account).colonia == world.colonia_b
    assert [m.to for m in mailoutbox] == [["vecina@example.org"]]
