from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def validate_pdf(upload) -> None:
    """Accept only real PDF files (checked from the bytes, not the name) of at most 20 MB."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 20 MB."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(position)
    if b"%PDF-" not in head:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
