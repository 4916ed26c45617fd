"""Checking a scan of a signed paper form (様式5) by its content: an image or a plain PDF.

Images go through the photo pipeline (re-encoded, EXIF and location dropped). A PDF
goes through the one PDF check (contact_book/pdfs.py, the same as documents' attachments)
and is kept as it came. Scans are shown only to the city's administrators, always as a
download.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contact_book import images, pdfs
from ..errors import DomainError

MAX_SCAN_BYTES = images.MAX_UPLOAD_BYTES


class UnsupportedScan(DomainError):
    status_code = 415
    code = "unsupported_scan"
    message_ja = "同意書の画像は PDF・JPEG・PNG・WebP のみ登録できます。"
    message_en = "A consent scan must be a PDF, JPEG, PNG or WebP file."


@dataclass(frozen=True)
class CleanScan:
    data: bytes
    content_type: str
    width: int
    height: int


def sanitize_scan(raw: bytes) -> CleanScan:
    if len(raw) > MAX_SCAN_BYTES:
        raise images.ImageTooLarge()
    if raw.startswith(b"%PDF-"):
        checked = pdfs.check_pdf(raw)
        return CleanScan(checked.data, "application/pdf", checked.width, checked.height)
    if images.sniff(raw[:16]) is None:
        raise UnsupportedScan()
    clean = images.sanitize(raw)
    return CleanScan(clean.data, clean.content_type, clean.width, clean.height)
