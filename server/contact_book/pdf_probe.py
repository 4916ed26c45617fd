"""Reads one uploaded PDF with PDFium in a child process and reports what it found.

Run as `python -I pdf_probe.py` with the PDF on stdin; answers one msgpack map on stdout.
A PDF from outside is parsed here, not in the server: this process limits its own memory
and CPU time before it reads a byte, so a crafted file that makes PDFium crash, loop or
allocate without end costs one child, never the server (pdfs.py treats any failure as
"cannot be read"). PDFium is also not thread-safe, which one process per file sidesteps.

What it reports (pdfs.py decides):
- `problem`: "password" (needs a password to open), "unreadable" (not a PDF PDFium can
  open, or no pages) or "active" (document JavaScript, embedded files, an XFA form, a
  launch or remote action in a link or bookmark, a file-attachment, rich-media, screen,
  movie or sound annotation) — or none;
- the page count and the first page's size in points;
- `thumbnail`: the first page as a JPEG at most `edge` pixels on its long side (when asked);
- `plain`: the document written out again by PDFium, in full (never incrementally): every
  object plain, out of compressed object streams, and without the encryption of a file
  that opens without a password (an owner password that only restricts printing or
  editing, common in hospital letters) — so that the byte scan sees what those hid.

Self-contained on purpose (imports nothing of the server), so it starts fast.
"""

from __future__ import annotations

import io
import resource
import sys
from typing import Any

MEMORY_LIMIT = 1024 * 1024 * 1024  # address space: PDFium rendering one small page needs far less
CPU_SECONDS = 20
_ACTIVE_ANNOTATIONS = (
    "FPDF_ANNOT_FILEATTACHMENT",
    "FPDF_ANNOT_RICHMEDIA",
    "FPDF_ANNOT_SCREEN",
    "FPDF_ANNOT_MOVIE",
    "FPDF_ANNOT_SOUND",
)
_ACTIVE_ACTIONS = ("PDFACTION_LAUNCH", "PDFACTION_REMOTEGOTO", "PDFACTION_EMBEDDEDGOTO")


def _limit_self() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # writes no file (stdout is a pipe)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _active(raw: Any, doc: Any) -> bool:
    handle = doc.raw
    if raw.FPDFDoc_GetJavaScriptActionCount(handle) > 0:
        return True
    if raw.FPDFDoc_GetAttachmentCount(handle) > 0:
        return True
    if raw.FPDF_GetFormType(handle) in (raw.FORMTYPE_XFA_FULL, raw.FORMTYPE_XFA_FOREGROUND):
        return True
    actions = {getattr(raw, name) for name in _ACTIVE_ACTIONS}
    annotations = {getattr(raw, name) for name in _ACTIVE_ANNOTATIONS}
    for bookmark in doc.get_toc(max_depth=64):
        action = raw.FPDFBookmark_GetAction(bookmark)
        if action and raw.FPDFAction_GetType(action) in actions:
            return True
    for index in range(len(doc)):
        page = doc[index]
        try:
            for position in range(raw.FPDFPage_GetAnnotCount(page.raw)):
                annot = raw.FPDFPage_GetAnnot(page.raw, position)
                if not annot:
                    continue
                try:
                    if raw.FPDFAnnot_GetSubtype(annot) in annotations:
                        return True
                    link = raw.FPDFAnnot_GetLink(annot)
                    action = raw.FPDFLink_GetAction(link) if link else None
                    if action and raw.FPDFAction_GetType(action) in actions:
                        return True
                finally:
                    raw.FPDFPage_CloseAnnot(annot)
        finally:
            page.close()
    return False


def _thumbnail(doc: Any, edge: int) -> bytes:
    page = doc[0]
    try:
        width, height = page.get_size()
        scale = min(edge / max(width, height, 1.0), 4.0)
        image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def probe(data: bytes, edge: int) -> dict[str, Any]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        wrong_password = getattr(exc, "err_code", None) == raw.FPDF_ERR_PASSWORD
        return {"problem": "password" if wrong_password else "unreadable"}
    try:
        pages = len(doc)
        if pages < 1:
            return {"problem": "unreadable"}
        if _active(raw, doc):
            return {"problem": "active", "pages": pages}
        first = doc[0]
        width, height = first.get_size()
        first.close()
        answer: dict[str, Any] = {
            "problem": None,
            "pages": pages,
            "width": round(width),
            "height": round(height),
        }
        encrypted = raw.FPDF_GetSecurityHandlerRevision(doc.raw) != -1
        copy = io.BytesIO()
        doc.save(copy, flags=raw.FPDF_REMOVE_SECURITY if encrypted else raw.FPDF_NO_INCREMENTAL)
        answer["plain"] = copy.getvalue()
        if edge > 0:
            answer["thumbnail"] = _thumbnail(doc, edge)
        return answer
    finally:
        doc.close()


def main() -> None:
    _limit_self()
    import msgspec

    edge = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    data = sys.stdin.buffer.read()
    sys.stdout.buffer.write(msgspec.msgpack.encode(probe(data, edge)))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
