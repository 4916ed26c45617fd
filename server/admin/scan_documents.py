"""Checking a scan of a signed paper form (様式5) by its content: an image or a plain PDF.

Images go through the photo pipeline (re-encoded, EXIF and location dropped).
A PDF is kept as it came (re-writing it would alter a signed record) but only
when nothing in it can act on the reader's machine: no JavaScript, launch or
submit actions, embedded files, rich media or XFA forms, also inside
compressed streams and behind `#xx`-escaped names. Scans are shown only to the
city's administrators, always as a download.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from ..contact_book import images
from ..errors import DomainError

MAX_SCAN_BYTES = images.MAX_UPLOAD_BYTES
_ACTIVE = (
    b"/javascript",
    b"/js",
    b"/launch",
    b"/embeddedfiles?",
    b"/richmedia",
    b"/xfa",
    b"/submitform",
    b"/importdata",
    b"/gotor",
    b"/gotoe",
    b"<script",
    b"<html",
)
_ACTIVE_NAME = re.compile(rb"(" + b"|".join(_ACTIVE) + rb")(?![a-z])")
_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_MAX_INFLATED = 64 * 1024 * 1024


class UnsupportedScan(DomainError):
    status_code = 415
    code = "unsupported_scan"
    message_ja = "同意書の画像は PDF・JPEG・PNG・WebP のみ登録できます。"
    message_en = "A consent scan must be a PDF, JPEG, PNG or WebP file."


class ActivePdf(DomainError):
    status_code = 415
    code = "pdf_active_content"
    message_ja = (
        "スクリプトや埋め込みファイルなどを含む PDF は登録できません。スキャンし直してください。"
    )
    message_en = "PDFs with scripts, actions or embedded files are refused. Please scan again."


@dataclass(frozen=True)
class CleanScan:
    data: bytes
    content_type: str
    width: int
    height: int


def _unescaped(data: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data).lower()


def _inflated(data: bytes) -> list[bytes]:
    out = []
    budget = _MAX_INFLATED
    for match in _STREAM.finditer(data):
        try:
            inflater = zlib.decompressobj()
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (an image's DCT data, say): nothing to read as PDF syntax
        budget -= len(chunk)
        out.append(chunk)
        if budget <= 0:
            raise ActivePdf()  # a decompression bomb is not a scan
    return out


def check_pdf(raw: bytes) -> bytes:
    if not re.match(rb"%PDF-[12]\.[0-9]", raw[:8]) or b"%%EOF" not in raw[-1024:]:
        raise UnsupportedScan()
    for part in [raw, *_inflated(raw)]:
        if _ACTIVE_NAME.search(_unescaped(part)):
            raise ActivePdf()
    return raw


def sanitize_scan(raw: bytes) -> CleanScan:
    if len(raw) > MAX_SCAN_BYTES:
        raise images.ImageTooLarge()
    if raw.startswith(b"%PDF-"):
        return CleanScan(check_pdf(raw), "application/pdf", 0, 0)
    if images.sniff(raw[:16]) is None:
        raise UnsupportedScan()
    clean = images.sanitize(raw)
    return CleanScan(clean.data, clean.content_type, clean.width, clean.height)
