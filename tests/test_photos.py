import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.photos import reencode_photo, validate_photo


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (28.0, 38.0, 0.0)}  # GPSInfo
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def test_a_real_jpeg_passes_and_is_reencoded_without_metadata():
    upload = SimpleUploadedFile("park.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert b"PhoneMaker" in upload.read()
    upload.seek(0)
    assert validate_photo(upload) == "JPEG"
    clean = reencode_photo(upload)
    data = clean.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_file_that_lies_about_its_type_is_rejected():
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        validate_photo(upload)
    assert error.value.code == "not_an_image"


def test_a_gif_is_rejected_even_though_it_is_an_image():
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, format="GIF")
    upload = SimpleUploadedFile("a.png", output.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError):
        validate_photo(upload)


def test_a_photo_over_5_mb_is_rejected():
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), "image/jpeg")
    with pytest.raises(ValidationError) as error:
        validate_photo(upload)
    assert error.value.code == "too_large"
