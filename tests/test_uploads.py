"""Uploaded documents (minutes, evidence, contract documents, training material): an allowed
extension, bytes that are what the extension says, a random stored name, and media served so
that a browser never renders an upload as a page of the portal's origin."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from committees.models import Forum, Need
from committees.tests.factories import (
    CitizenCommitteeFactory,
    CivilEmployeeFactory,
    make_committee_member_user,
)
from contracts.models import ContractDocument
from contracts.tests.factories import ContractFactory
from core.uploads import RandomName, validate_document
from guardians.models import TrainingSession

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
POLYGLOT = b"%PDF-1.4\n<html><script>fetch('/accounts/')</script></html>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script></svg>"
)
RANDOM_NAME = r"[0-9a-f]{32}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (16.0, 25.0, 0.0), 3: "W", 4: (93.0, 16.0, 0.0)}  # GPSInfo
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(output, format="PNG")
    return output.getvalue()


# --- Through the forms, as a browser submits them -----------------------------------------


@pytest.fixture
def member(client, municipality):
    committee = CitizenCommitteeFactory(municipality=municipality)
    client.force_login(make_committee_member_user(committee=committee))
    return committee


def forum_data(committee, municipality):
    facilitator = CivilEmployeeFactory(association__municipality=municipality)
    return {
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
        "attendance_total": "58",
        "agreements-TOTAL_FORMS": "0",
        "agreements-INITIAL_FORMS": "0",
    }


def need_data(committee):
    return {
        "colonia": committee.communities.get().pk,
        "category": "roads",
        "description": "Camino saca-cosechas intransitable en lluvias",
        "people_affected": "230",
        "estimated_cost": "480000",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", HTML, "The file is not a PDF document."),
        ("minutes.html", PDF, "File extension “html” is not allowed."),
        ("minutes.pdf", POLYGLOT, "contains web page code"),
        ("minutes.svg", SVG, "File extension “svg” is not allowed."),
    ],
    ids=["html-named-pdf", "pdf-named-html", "pdf-html-polyglot", "svg"],
)
def test_forum_minutes_that_are_html_in_disguise_are_refused_and_nothing_is_stored(
    client, municipality, member, media, name, content, message
):
    data = {**forum_data(member, municipality), "minutes": SimpleUploadedFile(name, content)}
    response = client.post(reverse("committees:forum_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Forum.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plano.svg", SVG, "File extension “svg” is not allowed."),
        ("plano.png", SVG, "The file plano.png is not a JPEG, PNG or WebP image."),
        ("foto.jpg", png_bytes(), "The file foto.jpg is a PNG image, not a JPG one."),
        ("evidencia.pdf", POLYGLOT, "contains web page code"),
        ("evidencia.html", PDF, "File extension “html” is not allowed."),
    ],
    ids=["svg", "svg-named-png", "png-named-jpg", "pdf-html-polyglot", "pdf-named-html"],
)
def test_need_evidence_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(
    client, member, media, name, content, message
):
    data = {**need_data(member), "evidence": SimpleUploadedFile(name, content)}
    response = client.post(reverse("committees:need_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Need.objects.exists()
    assert stored_files(media) == []


def test_need_evidence_photo_is_reencoded_without_exif_or_gps(client, member, media):
    photo = SimpleUploadedFile("mi casa en la colonia.jpg", jpeg_with_gps(), "image/jpeg")
    data = {**need_data(member), "evidence": photo}
    response = client.post(reverse("committees:need_create"), data)
    need = Need.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(rf"committees/evidence/{RANDOM_NAME}\.jpg", need.evidence.name)
    data = (media / need.evidence.name).read_bytes()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_a_pdf_need_evidence_is_kept_as_it_is_under_a_random_name(client, member, media):
    pdf = SimpleUploadedFile("acta de asamblea.pdf", PDF, "application/pdf")
    data = {**need_data(member), "evidence": pdf}
    response = client.post(reverse("committees:need_create"), data)
    need = Need.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(rf"committees/evidence/{RANDOM_NAME}\.pdf", need.evidence.name)
    assert (media / need.evidence.name).read_bytes() == PDF


# --- Every document field, at the model (the admin's forms run the same validators) --------


def clean_one_field(instance, field: str) -> None:
    instance.clean_fields(exclude=[f.name for f in instance._meta.fields if f.name != field])


def document_fields(municipality):
    contract = ContractFactory(municipality=municipality)
    committee = CitizenCommitteeFactory(municipality=municipality)
    return [
        (ContractDocument(contract=contract, title="Contrato"), "file"),
        (TrainingSession(municipality=municipality, title="Curso", date="2025-01-10"), "material"),
        (committee, "registration_certificate"),
        (Need(municipality=municipality), "evidence"),
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("documento.pdf", HTML),
        ("documento.html", PDF),
        ("documento.pdf", POLYGLOT),
        ("documento.svg", SVG),
        ("documento.pdf", b"%PDF-1.4\n<!-- a comment -->\n<IFRAME SRC='//evil.example'>"),
        ("documento", PDF),
    ],
    ids=["html-named-pdf", "pdf-named-html", "polyglot", "svg", "pdf-with-iframe", "no-extension"],
)
def test_every_document_field_refuses_html_in_disguise(municipality, name, content):
    for instance, field in document_fields(municipality):
        setattr(instance, field, SimpleUploadedFile(name, content))
        with pytest.raises(ValidationError) as error:
            clean_one_field(instance, field)
        assert field in error.value.message_dict, (type(instance).__name__, field)


def test_a_real_pdf_passes_every_document_field(municipality):
    for instance, field in document_fields(municipality):
        setattr(instance, field, SimpleUploadedFile("documento.PDF", PDF))
        clean_one_field(instance, field)


def test_a_stored_document_is_not_checked_again_when_its_record_is_saved(municipality, media):
    # Stored before this check: a PNG named .jpeg, which the old evidence check let in.
    (media / "committees" / "evidence").mkdir(parents=True)
    (media / "committees" / "evidence" / "plano.jpeg").write_bytes(png_bytes())
    committee = CitizenCommitteeFactory(municipality=municipality)
    need = Need(municipality=municipality, evidence="committees/evidence/plano.jpeg")
    clean_one_field(need, "evidence")
    committee.registration_certificate = "committees/certificates/missing.pdf"
    clean_one_field(committee, "registration_certificate")


def test_documents_are_stored_under_a_random_name_in_their_folder(municipality, media):
    contract = ContractFactory(municipality=municipality)
    document = ContractDocument.objects.create(
        contract=contract,
        title="Contrato",
        file=SimpleUploadedFile("contrato <script>.pdf", PDF, "application/pdf"),
    )
    committee = CitizenCommitteeFactory(municipality=municipality)
    committee.registration_certificate = SimpleUploadedFile("acta.pdf", PDF)
    committee.save()
    session = TrainingSession.objects.create(
        municipality=municipality,
        title="Curso",
        date="2025-01-10",
        material=SimpleUploadedFile("manual del guardián.pdf", PDF),
    )
    assert re.fullmatch(rf"contracts/\d{{4}}/{RANDOM_NAME}\.pdf", document.file.name)
    assert re.fullmatch(
        rf"committees/certificates/{RANDOM_NAME}\.pdf", committee.registration_certificate.name
    )
    assert re.fullmatch(rf"guardians/training/\d{{4}}/{RANDOM_NAME}\.pdf", session.material.name)
    assert (media / document.file.name).read_bytes() == PDF


def test_a_random_name_keeps_only_an_allowed_extension_and_never_the_given_path():
    upload_to = RandomName("committees/minutes/")
    assert re.fullmatch(rf"committees/minutes/{RANDOM_NAME}\.pdf", upload_to(None, "Acta.PDF"))
    assert re.fullmatch(
        rf"committees/minutes/{RANDOM_NAME}\.bin", upload_to(None, "../../villaguard/x.html")
    )
    assert upload_to(None, "a.pdf") != upload_to(None, "a.pdf")
    assert RandomName("committees/minutes") == upload_to  # migrations compare them


def test_the_shared_check_returns_the_extension_it_accepted():
    assert validate_document(SimpleUploadedFile("a.PDF", PDF), extensions=["pdf"]) == "pdf"
    jpeg = SimpleUploadedFile("a.jpeg", jpeg_with_gps())
    assert validate_document(jpeg, extensions=["pdf", "jpeg"]) == "jpeg"


def test_a_document_over_the_size_limit_is_refused():
    big = SimpleUploadedFile("a.pdf", PDF + b"0" * 2048)
    with pytest.raises(ValidationError) as error:
        validate_document(big, extensions=["pdf"], max_bytes=1024)
    assert error.value.code == "too_large"


# --- Serving media --------------------------------------------------------------------------


@pytest.fixture
def served(settings, media):
    settings.SERVE_MEDIA = True
    files = {
        "committees/minutes/acta.pdf": PDF,
        "complaints/2025/01/foto.jpg": jpeg_with_gps(),
        "committees/forum-photos/foto.png": png_bytes(),
        "contracts/2024/old-upload.html": HTML,  # stored before names were random
        "committees/evidence/plano.svg": SVG,
    }
    for name, content in files.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
    return files


@pytest.mark.parametrize(
    "name",
    [
        "committees/minutes/acta.pdf",
        "contracts/2024/old-upload.html",
        "committees/evidence/plano.svg",
    ],
)
def test_media_that_are_not_images_are_served_as_attachments_with_nosniff(client, served, name):
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == served[name]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "name", ["complaints/2025/01/foto.jpg", "committees/forum-photos/foto.png"]
)
def test_image_media_are_shown_inline_with_nosniff(client, served, name):
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")


def test_media_paths_that_leave_the_media_folder_are_not_served(client, served):
    for path in ["/media/../config/settings/base.py", "/media/..%2F..%2Fetc%2Fpasswd"]:
        assert client.get(path).status_code in (400, 404)


def test_media_are_not_served_by_django_unless_serve_media_is_on(client, served, settings):
    settings.SERVE_MEDIA = False
    assert client.get("/media/committees/minutes/acta.pdf").status_code == 404
