"""A directorate's evidence on a finding is checked like every other uploaded document:
extension and content must agree, the stored name is random, photos lose EXIF/GPS."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from findings.models import Finding, FindingEvent
from findings.services import findings_reconcile

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def finding(world):
    world.file(**{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    return Finding.objects.get(item_code="grass-cut")


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (28.0, 38.0, 0.0), 3: "W", 4: (106.0, 5.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("evidencia.pdf", b"%PDF-1.4\n<html><script>alert(document.cookie)</script>"),
        ("evidencia.pdf", b"<html><body>not a pdf</body></html>"),
        ("evidencia.jpg", b"%PDF-1.4 a pdf named as a photo"),
        ("evidencia.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    ],
)
def test_finding_evidence_in_disguise_is_refused_and_nothing_is_stored(
    client, world, finding, media, name, content
):
    client.force_login(world.parks_staff)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("findings:act", args=[finding.pk]),
        {"action": "answer", "note": "Evidencia", "attachment": upload},
    )
    assert response.status_code == 400  # the form again, with the error
    assert response.context["form"].errors["attachment"]
    assert not FindingEvent.objects.filter(note="Evidencia").exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_finding_evidence_photo_is_stored_under_a_random_name_without_gps(
    client, world, finding, media
):
    client.force_login(world.parks_staff)
    upload = SimpleUploadedFile("casa-de-juan-perez.jpg", jpeg_with_gps())
    client.post(
        reverse("findings:act", args=[finding.pk]),
        {"action": "answer", "note": "Foto", "attachment": upload},
    )
    event = FindingEvent.objects.get(note="Foto")
    assert "juan" not in event.attachment.name
    assert event.attachment.name.endswith(".jpg")
    with Image.open(event.attachment.path) as stored:
        assert not stored.getexif().get(0x8825)
