"""Checks on contract documents; the rules live in ``core.uploads``."""

from core.uploads import validate_document

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def validate_pdf(upload) -> None:
    """Contract documents and training material: a PDF named ``.pdf``, at most 20 MB."""
    validate_document(upload, extensions=["pdf"], max_bytes=MAX_DOCUMENT_BYTES)
