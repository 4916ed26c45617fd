"""The one check for a PDF from outside: a documents' attachment (診療情報提供書, 退院時サマリ,
ケアプラン, 訪問看護報告書) or the scan of a signed consent (様式5) — SECURITY.md 26.

A PDF is kept as it came (re-writing it would alter a signed record), so it is accepted
only when nothing in it can act on the reader's machine: no JavaScript, launch, submit or
import actions, remote or embedded go-to actions, embedded files, rich media or XFA forms.
Checked by two readers that fail differently:

1. The bytes as they came: a PDF header and end marker, and no name of an active feature
   outside the stream bodies, also behind `#xx`-escaped names.
2. PDFium (Chrome's PDF engine), in a child process with its own memory and CPU limits
   (pdf_probe.py): the file must open without a password and have pages; document
   JavaScript, embedded files, XFA, launch or remote actions in links and bookmarks, and
   file-attachment or media annotations are refused. PDFium then writes the document out
   again, every object plain — out of compressed object streams (whatever their filters
   and predictors) and, for a file encrypted with an owner password only (hospital
   systems send letters so), decrypted — and that copy goes through the byte scan too:
   what a compressed object stream or the encryption hid from step 1 is in plain view
   there. PDFium also renders the first page as the document's thumbnail.

PDFium comes from PyPI (pypdfium2, a wheel with the library inside), so `make run` on a
fresh machine has it with no system package; poppler's pdftoppm would need root and apt.
CPU-bound and blocking: callers run `check_pdf` in a worker thread.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import msgspec

from ..errors import DomainError
from . import images

log = logging.getLogger("carebook.pdfs")

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
THUMBNAIL_EDGE = images.THUMBNAIL_EDGE
PROBE_TIMEOUT_SECONDS = 90  # wall clock; the child's own CPU limit is 20 s
_PROBE = Path(__file__).with_name("pdf_probe.py")
# One PDFium child per core this machine is meant for; more would only queue in the kernel.
_PROBE_SLOTS = threading.BoundedSemaphore(2)

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


class NotAPdf(DomainError):
    status_code = 415
    code = "not_a_pdf"
    message_ja = "PDF ファイルではありません。PDF として保存された文書を選んでください。"
    message_en = "This is not a PDF file. Please choose a document saved as PDF."


class ActivePdf(DomainError):
    status_code = 415
    code = "pdf_active_content"
    message_ja = (
        "スクリプト・プログラムの起動・埋め込みファイルなどを含む PDF は受け付けられません。"
        "印刷機能で PDF に保存し直すか、スキャンし直してください。"
    )
    message_en = (
        "PDFs with scripts, launch actions or embedded files are refused. Print the document "
        "to a new PDF, or scan it again."
    )


class ProtectedPdf(DomainError):
    status_code = 415
    code = "pdf_password"
    message_ja = (
        "パスワードで保護された PDF は受け付けられません。パスワードを外して保存し直してください。"
    )
    message_en = "Password-protected PDFs are refused. Please save it again without a password."


class UnreadablePdf(DomainError):
    status_code = 415
    code = "pdf_unreadable"
    message_ja = (
        "PDF を読み込めませんでした（壊れているか、確認できない形式です）。"
        "保存し直してから添付してください。"
    )
    message_en = (
        "The PDF could not be read (damaged, or in a form that cannot be checked). "
        "Please save it again and attach the new file."
    )


class DocumentTooLarge(DomainError):
    status_code = 413
    code = "document_too_large"
    message_ja = "文書が大きすぎます（20 MB まで）。"
    message_en = "The document is too large (20 MB at most)."


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes  # the file as it came
    pages: int
    width: int  # the first page, in points
    height: int
    thumbnail: bytes | None  # JPEG of the first page, when asked for


class _Probe(msgspec.Struct):
    problem: str | None
    pages: int = 0
    width: int = 0
    height: int = 0
    thumbnail: bytes | None = None
    plain: bytes | None = None


# --- 1. the bytes -----------------------------------------------------------------------------


def _unescaped(data: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data).lower()


def _scan_bytes(data: bytes) -> None:
    """Refuse a name of an active feature anywhere outside stream bodies. Stream bodies are
    left out: compressed page and image data is random bytes, in which `/JS` turns up by
    chance about once in 5 MB; a reader takes syntax from a stream only in a compressed
    object stream, and PDFium's plain copy has those objects out in the open."""
    outside = _STREAM.sub(b"stream\nendstream", data)
    if _ACTIVE_NAME.search(_unescaped(outside)):
        raise ActivePdf()


# --- 2. PDFium --------------------------------------------------------------------------------


def _probe(raw: bytes, edge: int) -> _Probe:
    with _PROBE_SLOTS:
        try:
            # A fixed argv of this interpreter and our own script; the PDF goes in on stdin.
            done = subprocess.run(  # noqa: S603
                [sys.executable, "-I", str(_PROBE), str(edge)],
                input=raw,
                capture_output=True,
                timeout=PROBE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            log.warning("PDF probe timed out on a %d-byte file", len(raw))
            raise UnreadablePdf() from None
    if done.returncode != 0:
        log.warning("PDF probe ended with %s: %s", done.returncode, done.stderr[-300:])
        raise UnreadablePdf()
    try:
        return msgspec.msgpack.decode(done.stdout, type=_Probe)
    except msgspec.DecodeError:
        raise UnreadablePdf() from None


def looks_like_pdf(raw: bytes) -> bool:
    return re.match(rb"%PDF-[12]\.[0-9]", raw[:8]) is not None


def check_pdf(raw: bytes, *, thumbnail_edge: int = 0) -> CheckedPdf:
    """Accept the PDF as it came, or raise the DomainError that says why not.
    The caller has checked the size (documents and consent scans have their own limits)."""
    if not looks_like_pdf(raw) or b"%%EOF" not in raw[-1024:]:
        raise NotAPdf()
    _scan_bytes(raw)
    found = _probe(raw, thumbnail_edge)
    if found.problem == "password":
        raise ProtectedPdf()
    if found.problem == "active":
        raise ActivePdf()
    if found.problem is not None or found.pages < 1:
        raise UnreadablePdf()
    if found.plain is None:
        raise UnreadablePdf()
    _scan_bytes(found.plain)
    if thumbnail_edge and not found.thumbnail:
        raise UnreadablePdf()
    return CheckedPdf(raw, found.pages, found.width, found.height, found.thumbnail)
