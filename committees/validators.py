"""Checks on uploaded documents: the type comes from the bytes, never from the name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villaguard.photos import validate_photo

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _is_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"


def validate_pdf(upload) -> None:
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if not _is_pdf(upload):
        raise ValidationError(_("The file is not a PDF document."), code="not_a_pdf")


def validate_evidence(upload) -> None:
    """Evidence of a need: a PDF document or a JPEG, PNG or WebP photo."""
    if _is_pdf(upload):
        validate_pdf(upload)
        return
    validate_photo(upload)
