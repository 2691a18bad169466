"""Checks on the participation program's uploads; the rules live in ``core.uploads``."""

from core.uploads import validate_document

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "webp"]


def validate_pdf(upload) -> None:
    """Minutes and certificates: a PDF named ``.pdf``, at most 10 MB."""
    validate_document(upload, extensions=["pdf"], max_bytes=MAX_DOCUMENT_BYTES)


def validate_evidence(upload) -> None:
    """Evidence of a need: a PDF document or a JPEG, PNG or WebP photo, named for what it is."""
    validate_document(upload, extensions=EVIDENCE_EXTENSIONS, max_bytes=MAX_DOCUMENT_BYTES)
