import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from committees.models import (
    Agreement,
    CommitteeMember,
    Forum,
    Need,
    PlanningCommittee,
    PlanningMember,
    Requisition,
)
from territory.tests.factories import ColoniaFactory

from .factories import (
    AllocationFactory,
    CitizenCommitteeFactory,
    CivilEmployeeFactory,
    CommitteeMemberFactory,
    ForumFactory,
    InstitutionFactory,
    NeedFactory,
    make_committee_member_user,
    make_staff,
)

PHONE_MARKER = "961-000-4321"
EMAIL_MARKER = "secreto.personal@example.org"
ADDRESS_MARKER = "Calle Privada Número 77"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _populate(municipality, count):
    for _ in range(count):
        committee = CitizenCommitteeFactory(municipality=municipality)
        for position in ("president", "secretary", "treasurer", "vocal"):
            CommitteeMemberFactory(
                committee=committee,
                position=position,
                phone=PHONE_MARKER,
                email=EMAIL_MARKER,
                address=ADDRESS_MARKER,
            )
        colonia = committee.communities.get()
        ForumFactory(municipality=municipality, colonia=colonia, committee=committee)
        ForumFactory(
            municipality=municipality,
            colonia=colonia,
            starts_at=timezone.now() + datetime.timedelta(days=5),
        )
        need = NeedFactory(municipality=municipality, colonia=colonia, committee=committee)
        AllocationFactory(
            municipality=municipality, colonia=colonia, need=need, committee=committee
        )


PUBLIC_LISTS = ["committees:committee_list", "committees:forum_list", "committees:equity"]


@pytest.mark.parametrize("name", PUBLIC_LISTS)
def test_public_lists_cost_the_same_queries_with_few_and_many_rows(
    client, municipality, name, django_assert_max_num_queries, django_assert_num_queries
):
    url = reverse(name)
    _populate(municipality, 1)
    client.get(url)  # caches the municipality's host map
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _populate(municipality, 12)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(few.captured_queries) <= 6


def test_public_pages_never_show_contact_data(client, municipality):
    _populate(municipality, 2)
    committee = municipality.citizencommittee_set.first()
    forum = Forum.objects.first()
    body = PlanningCommittee.objects.create(municipality=municipality, name="COPLADEM")
    PlanningMember.objects.create(
        body=body,
        full_name="Ing. Pedro Ruiz",
        position="technical_secretary",
        designated_on=datetime.date(2024, 1, 1),
        phone=PHONE_MARKER,
        email=EMAIL_MARKER,
        address=ADDRESS_MARKER,
    )
    urls = [
        reverse("committees:committee_list"),
        committee.get_absolute_url(),
        reverse("committees:forum_list"),
        forum.get_absolute_url(),
        reverse("committees:planning"),
        reverse("committees:work_list"),
        reverse("committees:equity"),
        reverse("committees:equity_csv"),
        reverse("committees:equity_geojson"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for marker in (PHONE_MARKER, EMAIL_MARKER, ADDRESS_MARKER):
            assert marker not in content, (url, marker)
    detail = client.get(committee.get_absolute_url()).content.decode()
    president = committee.members.get(position="president")
    assert president.full_name in detail
    assert "Ing. Pedro Ruiz" in client.get(reverse("committees:planning")).content.decode()


def test_committee_page_hides_committees_of_other_municipalities(client, municipality):
    from territory.tests.factories import MunicipalityFactory

    foreign = CitizenCommitteeFactory(municipality=MunicipalityFactory())
    assert client.get(foreign.get_absolute_url()).status_code == 404


def test_forum_list_splits_coming_from_past(client, municipality):
    ForumFactory(municipality=municipality, title="Foro pasado")
    ForumFactory(
        municipality=municipality,
        title="Foro próximo",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    content = client.get(reverse("committees:forum_list")).content.decode()
    coming, past = content.split("Record of past forums")
    assert "Foro próximo" in coming and "Foro pasado" not in coming
    assert "Foro pasado" in past


def test_equity_csv_and_flag_filter(client, municipality):
    flagged = ColoniaFactory(municipality=municipality, name="Sin necesidades", population=100)
    AllocationFactory(municipality=municipality, colonia=flagged, value=Decimal("5000"))
    ColoniaFactory(municipality=municipality, name="Tranquila", population=100)
    csv_text = client.get(reverse("committees:equity_csv")).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("community,kind,rural,population,received_mxn")
    assert any(
        line.startswith("Sin necesidades,") and line.endswith("no_need_on_record") for line in lines
    )
    page = client.get(reverse("committees:equity") + "?flagged=1").content.decode()
    assert "Sin necesidades" in page and "Tranquila" not in page
    sorted_page = client.get(reverse("committees:equity") + "?sort=-received").content.decode()
    assert sorted_page.index("Sin necesidades") < sorted_page.index("Tranquila")


# --- Members and staff ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login_and_citizens_are_refused(client, municipality):
    url = reverse("committees:need_create")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from .factories import make_user

    client.force_login(make_user(municipality=municipality))
    assert client.get(url).status_code == 403


def test_member_files_a_need_through_the_form(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    other = ColoniaFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    form = client.get(reverse("committees:need_create")).content.decode()
    assert committee.communities.get().name in form
    assert other.name not in form

    data = {
        "colonia": committee.communities.get().pk,
        "category": "roads",
        "description": "Camino saca-cosechas intransitable en lluvias",
        "people_affected": "230",
        "estimated_cost": "480000",
    }
    response = client.post(reverse("committees:need_create"), {**data, "colonia": other.pk})
    assert response.status_code == 200
    assert not Need.objects.exists()

    bad_evidence = SimpleUploadedFile("foto.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(reverse("committees:need_create"), {**data, "evidence": bad_evidence})
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert not Need.objects.exists()

    response = client.post(reverse("committees:need_create"), data)
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert need.committee == committee and need.status == Need.Status.IDENTIFIED


def test_member_cannot_see_or_change_needs_of_other_committees(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    foreign = NeedFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    assert client.get(foreign.get_absolute_url()).status_code == 403
    assert client.get(reverse("committees:need_edit", args=[foreign.pk])).status_code == 403
    response = client.post(
        reverse("committees:need_status", args=[foreign.pk]),
        {"to_status": "prioritised", "priority": "1"},
    )
    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.status == Need.Status.IDENTIFIED
    listing = client.get(reverse("committees:need_list")).content.decode()
    assert foreign.description not in listing
    assert client.get(reverse("committees:requisition_list")).status_code == 403


def test_forbidden_transition_through_the_page_shows_the_message(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    need = NeedFactory(municipality=municipality, colonia=committee.communities.get())
    client.force_login(make_committee_member_user(committee=committee))
    response = client.post(
        reverse("committees:need_status", args=[need.pk]), {"to_status": "delivered"}, follow=True
    )
    assert "Only municipal staff can move a need" in response.content.decode()
    need.refresh_from_db()
    assert need.status == Need.Status.IDENTIFIED


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile("foro.png", buffer.getvalue(), content_type="image/png")


def test_member_records_a_forum_with_agreements_and_photos(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    facilitator = CivilEmployeeFactory(association__municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    data = {
        "kind": "debate",
        "title": "Debate sobre el agua",
        "starts_at": "2025-03-10T17:00",
        "place": "Escuela primaria",
        "colonia": committee.communities.get().pk,
        "committee": committee.pk,
        "facilitator": facilitator.pk,
        "agenda": "Agua potable",
        "attendance_women": "30",
        "attendance_men": "25",
        "attendance_total": "50",
        "agreements-TOTAL_FORMS": "3",
        "agreements-INITIAL_FORMS": "0",
        "agreements-0-description": "Gestionar pipa de agua",
        "agreements-0-owner": "Presidenta del comité",
        "agreements-0-due_on": "2025-04-01",
    }
    response = client.post(reverse("committees:forum_create"), data)
    assert response.status_code == 200
    assert "less than women plus men" in response.content.decode()
    assert not Forum.objects.exists()

    data["attendance_total"] = "58"
    response = client.post(reverse("committees:forum_create"), {**data, "photos": [_png()]})
    forum = Forum.objects.get()
    assert response.status_code == 302
    assert forum.attendance_total == 58
    assert forum.photos.count() == 1
    agreement = Agreement.objects.get()
    assert (agreement.owner, agreement.due_on) == (
        "Presidenta del comité",
        datetime.date(2025, 4, 1),
    )


def test_staff_bundles_needs_and_downloads_the_documents(client, municipality):
    institution = InstitutionFactory(municipality=municipality)
    needs = [
        NeedFactory(municipality=municipality, status="prioritised", priority=1) for _ in range(2)
    ]
    client.force_login(make_staff(municipality=municipality))
    response = client.post(
        reverse("committees:requisition_create"),
        {"institution": institution.pk, "subject": "Agua", "needs": [n.pk for n in needs]},
    )
    requisition = Requisition.objects.get()
    assert response.status_code == 302
    for fmt, kind in [("pdf", "application/pdf"), ("csv", "text/csv"), ("xlsx", "spreadsheet")]:
        response = client.get(
            reverse("committees:requisition_document", args=[requisition.pk, fmt])
        )
        assert response.status_code == 200 and kind in response["Content-Type"]
    client.post(reverse("committees:requisition_submit", args=[requisition.pk]))
    response = client.post(
        reverse("committees:requisition_answer", args=[requisition.pk]),
        {"approved": "yes", "answered_on": "2025-06-01", "approved_amount": ""},
        follow=True,
    )
    assert "Give the approved amount" in response.content.decode()
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.SUBMITTED
    client.post(
        reverse("committees:requisition_answer", args=[requisition.pk]),
        {"approved": "yes", "answered_on": "2025-06-01", "approved_amount": "300000"},
    )
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.APPROVED
    assert set(Need.objects.values_list("status", flat=True)) == {Need.Status.APPROVED}


def test_staff_need_list_filters_and_map(client, municipality, django_assert_num_queries):
    NeedFactory(municipality=municipality, category="water", description="Pozo profundo")
    NeedFactory(municipality=municipality, category="roads", description="Puente vado")
    client.force_login(make_staff(municipality=municipality))
    content = client.get(reverse("committees:need_list") + "?category=water").content.decode()
    assert "Pozo profundo" in content and "Puente vado" not in content
    geo = client.get(reverse("committees:needs_geojson") + "?category=roads").json()
    assert [f["properties"]["category"] for f in geo["features"]] == ["Roads"]
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert -107 < lon < -106 and 28 < lat < 29


def test_committee_member_records_are_not_in_public_api_of_members(municipality):
    member = CommitteeMemberFactory(
        committee=CitizenCommitteeFactory(municipality=municipality), phone=PHONE_MARKER
    )
    public = CommitteeMember.public_objects.get(pk=member.pk)
    assert set(public.get_deferred_fields()) == {"phone", "email", "address"}
