"""Uploaded documents (minutes, evidence, contract documents, training material) and the media
they become.

One place for the rules, so that no upload field can be weaker than another:

- ``validate_document``: the extension is on the field's allow-list, and the bytes are what the
  extension says (a PDF starts with ``%PDF-`` and carries no web page in its head; a photo is a
  JPEG, PNG or WebP that Pillow reads, in the format its extension names). Only PDF and those
  photos are accepted anywhere: no SVG (it runs scripts), no HTML, no office formats.
- ``RandomName``: the ``upload_to`` of every document field; the stored name is a uuid4 and the
  checked extension, so nothing of the uploader's file name reaches the disk or a URL.
- ``safe_storage_name``: a stored name that comes back from a request, a form, a token or a job
  is normalised and refused if it leaves its folder.
- ``serve_media``: media served by Django (``SERVE_MEDIA``, on with ``DEBUG``) are never
  sniffed, and only images are shown inline; the rest is a download, sandboxed if a browser
  opens it anyway. In production the web server (or a media host) serves ``MEDIA_ROOT`` with
  the same headers (docs/security.md).
"""

import posixpath
import re
import uuid

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.http import Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from .photos import reencode_photo, validate_photo

PDF_EXTENSIONS = {"pdf"}
PHOTO_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
DOCUMENT_EXTENSIONS = PDF_EXTENSIONS | set(PHOTO_FORMATS)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# A PDF reader finds the header anywhere in the first 1024 bytes, and a browser that sniffs
# looks for markup near the start, so a file can be both. We want the header at byte 0 and no
# markup in the head: real PDFs keep their text in compressed streams, so markup there makes a
# polyglot, not a minute. 8 KB covers what browsers sniff (at most 1445 bytes) with a margin,
# while a marker turning up by chance in binary data stays rare (1 in 30,000 random heads).
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
PDF_HEAD_BYTES = 8 * 1024
MARKUP_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<frame",
    b"<object",
    b"<embed",
    b"<svg",
    b"<meta",
    b"<link",
    b"<style",
    b"<form",
    b"<img",
    b"javascript:",
)
# Served inline; everything else in MEDIA_ROOT is sent as a download.
INLINE_EXTENSIONS = set(PHOTO_FORMATS)
MEDIA_CSP = "default-src 'none'; sandbox"


def extension_of(name: str) -> str:
    """The lower-case extension of a file name ("" when it has none)."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    stem, dot, extension = base.rpartition(".")
    return extension.lower() if dot and stem else ""


def _read_head(upload, size: int) -> bytes:
    upload.seek(0)
    try:
        return upload.read(size)
    finally:
        upload.seek(0)


def _validate_pdf(upload) -> None:
    head = _read_head(upload, PDF_HEAD_BYTES)
    if not PDF_HEADER.match(head):
        raise ValidationError(_("The file is not a PDF document."), code="not_a_pdf")
    lowered = head.lower()
    if any(marker in lowered for marker in MARKUP_MARKERS):
        raise ValidationError(
            _(
                "The file %(name)s contains web page code (HTML or script) and cannot be "
                "accepted. Export it again as a plain PDF."
            ),
            code="pdf_with_markup",
            params={"name": upload.name},
        )


def _validate_photo(upload, extension: str) -> None:
    image_format = validate_photo(upload)
    if image_format != PHOTO_FORMATS[extension]:
        raise ValidationError(
            _("The file %(name)s is a %(format)s image, not a %(extension)s one."),
            code="wrong_extension",
            params={
                "name": upload.name,
                "format": image_format,
                "extension": extension.upper(),
            },
        )


def validate_document(upload, *, extensions, max_bytes: int = MAX_DOCUMENT_BYTES) -> str:
    """Checks one uploaded document and returns its (lower-case) extension.

    ``extensions`` is the field's allow-list, a subset of ``DOCUMENT_EXTENSIONS``. The type
    comes from the bytes and must match the extension, which must be on the list: a PDF named
    ``.html`` is refused as surely as a web page named ``.pdf``.
    """
    if getattr(upload, "_committed", False):
        # A file already stored (its record saved again with no new upload) was checked when
        # it came in; it is not read back from the storage on every save.
        return extension_of(upload.name)
    allowed = sorted(set(extensions) & DOCUMENT_EXTENSIONS)
    FileExtensionValidator(allowed)(upload)
    extension = extension_of(upload.name)
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file %(name)s is larger than %(megabytes)s MB."),
            code="too_large",
            params={"name": upload.name, "megabytes": max_bytes // (1024 * 1024)},
        )
    if extension in PDF_EXTENSIONS:
        _validate_pdf(upload)
    else:
        _validate_photo(upload, extension)
    return extension


def reencode_if_photo(upload):
    """A new upload of a document: photos come back re-encoded without their metadata (EXIF,
    GPS), PDFs as they are. Stored files and anything else pass through. Validate first."""
    if isinstance(upload, UploadedFile) and extension_of(upload.name) in PHOTO_FORMATS:
        return reencode_photo(upload)
    return upload


@deconstructible
class RandomName:
    """``upload_to`` for uploaded files: ``<folder>/<uuid4 hex>.<extension>``.

    ``folder`` may hold ``strftime`` codes, as a string ``upload_to`` does. The extension is
    kept only if it is one the portal accepts (the validators have checked the bytes match it);
    anything else is stored as ``.bin``, which no server renders.
    """

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        extension = extension_of(filename)
        if extension not in DOCUMENT_EXTENSIONS:
            extension = "bin"
        folder = timezone.now().strftime(self.folder)
        return f"{folder}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and self.folder == other.folder

    def __hash__(self):
        return hash(self.folder)


def safe_storage_name(name, *, folder: str) -> str:
    """``name`` (a storage name such as ``complaints/pending/ab12.jpg``) normalised, if it
    stays inside ``folder``; ``SuspiciousFileOperation`` otherwise.

    For names that come back from outside (a request, a form, a signed token, a job argument):
    ``..``, absolute paths, backslashes and NUL bytes never reach the storage.
    """
    folder = folder.strip("/")
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        raise SuspiciousFileOperation(f"Refused the stored name {name!r}.")
    normal = posixpath.normpath(name)
    if name.startswith("/") or not normal.startswith(folder + "/"):
        raise SuspiciousFileOperation(f"The stored name {name!r} leaves {folder}/.")
    return normal


def serve_media(request, path):
    """MEDIA_URL while ``SERVE_MEDIA`` is on (with ``DEBUG``, the embedded default, or set for
    a deployment without a web server in front): never sniffed, images inline,
    anything else a download, sandboxed. Production serves media from the web server."""
    if not settings.SERVE_MEDIA:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    if extension_of(path) not in INLINE_EXTENSIONS:
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=posixpath.basename(path)
        )
    return response
