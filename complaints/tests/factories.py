import io

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.services import user_create
from complaints.models import Complaint
from complaints.services import complaint_create

REPORTER_EMAIL = "vecina.secreta@example.org"
REPORTER_PHONE = "614-555-0199"
REPORTER_NAME = "Rosalba Quiñónez Tepehuana"
FOLLOWER_EMAIL = "vecino.que.sigue@example.org"


def jpeg_upload(name="foto.jpg", color="green") -> SimpleUploadedFile:
    image = Image.new("RGB", (80, 60), color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (28.0, 38.0, 0.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def make_complaint(*, municipality, service_type, lon=-106.08, lat=28.63, **kwargs) -> Complaint:
    defaults = {
        "description": "Lámpara apagada desde hace una semana",
        "source": Complaint.Source.WEB,
        "point": Point(lon, lat, srid=4326) if lon is not None else None,
        "reporter_name": REPORTER_NAME,
        "reporter_email": REPORTER_EMAIL,
        "reporter_phone": REPORTER_PHONE,
    }
    defaults.update(kwargs)
    return complaint_create(municipality=municipality, service_type=service_type, **defaults)


def make_user(*, municipality, roles=(), directorate=None, username=None, **kwargs):
    return user_create(
        username=username
        or f"user-{'-'.join(roles) or 'plain'}-{directorate.pk if directorate else 0}",
        password=None,
        municipality=municipality,
        directorate=directorate,
        roles=roles,
        **kwargs,
    )
