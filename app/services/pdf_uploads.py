"""Checking an uploaded PDF by its content, never by its name or the browser's content type
(fab-and-security.md, "Uploads"; issues 8 and 10): the visit request's attachment and the
documents exchanged with the service go through the same checks."""

import io
import unicodedata

from pypdf import PdfReader

from app.services import ServiceError

PDF_TYPE = "application/pdf"


def check_pdf(data: bytes, max_bytes: int) -> None:
    """A size limit, the magic bytes and the end-of-file marker, then the structure read by a real
    PDF parser in strict mode (an HTML page wrapped between `%PDF-` and `%%EOF` has the markers,
    not the structure): at least one page, and readable without a password."""
    if not data:
        raise ServiceError("attachment_empty")
    if len(data) > max_bytes:
        raise ServiceError("attachment_too_large")
    if not data.startswith(b"%PDF-"):
        raise ServiceError("attachment_not_pdf")
    if b"%%EOF" not in data[-1024:]:
        raise ServiceError("attachment_truncated")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        _check_readable(reader)
        pages = len(reader.pages)
    except ServiceError:
        raise
    except Exception as error:  # untrusted input: whatever the parser trips on, it is no PDF
        raise ServiceError("attachment_unreadable") from error
    if pages < 1:
        raise ServiceError("attachment_unreadable")


def _check_readable(reader: PdfReader) -> None:
    """An encrypted PDF is accepted only if it opens without a password (owner-only
    protection); otherwise neither the parser nor the team can read it."""
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except Exception as error:  # e.g. an algorithm the parser cannot decrypt
        raise ServiceError("attachment_encrypted") from error
    if not opened:
        raise ServiceError("attachment_encrypted")


def display_name(filename: str | None) -> str:
    """The uploaded name, kept only to be shown (escaped), never used to serve the file: the last
    path part (browsers may send `C:\\fakepath\\x.pdf`), without control or format characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:200] or "document.pdf"
