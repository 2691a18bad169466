"""Photos uploaded by citizens (cards, complaints): type checked from the bytes, re-encoded so
that EXIF and location metadata are stripped, at most 5 MB each and 3 per record."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 3
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
LONGEST_SIDE = 2048


def validate_photo(upload) -> str:
    """Checks one uploaded photo and returns its real format (JPEG, PNG or WEBP).

    The type comes from the bytes, never from the name or the browser's content type.
    """
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo %(name)s is larger than 5 MB."),
            code="too_large",
            params={"name": upload.name},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo %(name)s has too many pixels."),
                    code="too_many_pixels",
                    params={"name": upload.name},
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("The file %(name)s is not a JPEG, PNG or WebP image."),
            code="not_an_image",
            params={"name": upload.name},
        ) from error
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("The file %(name)s is not a JPEG, PNG or WebP image."),
            code="not_an_image",
            params={"name": upload.name},
        )
    return image_format


def validate_photos(uploads) -> None:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("Attach at most 3 photos."), code="too_many_photos")
    for upload in uploads:
        validate_photo(upload)


def reencode_photo(upload) -> ContentFile:
    """A clean copy of the photo: orientation applied, metadata (EXIF, GPS) dropped, at most
    2048 px on its longest side. Call validate_photo first."""
    upload.seek(0)
    with Image.open(upload) as image:
        image_format = image.format
        image = ImageOps.exif_transpose(image)
        image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        output = io.BytesIO()
        # Saving without exif=/pnginfo= writes no metadata at all.
        image.save(output, format=image_format, quality=85)
    upload.seek(0)
    return ContentFile(
        output.getvalue(), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    )
