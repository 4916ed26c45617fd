"""Real PDFs for tests, written byte by byte: pages with text, a correct cross-reference
table, and on demand the ways a hostile file hides what it does — an action in the
catalog, objects in a compressed object stream (PDF 1.5) behind several filters, and the
standard security handler's RC4 encryption with an owner password only (a file any reader
opens without asking, as hospital systems send them).

Nothing here is mocked: PDFium, the server's byte scan and a browser all read these files.
"""

from __future__ import annotations

import hashlib
import random
import zlib
from collections.abc import Sequence

PAGE_SIZE = (595, 842)  # A4 in points
_PAD = bytes.fromhex(
    "28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a"
)  # the standard security handler's padding string (ISO 32000-1, 7.6.3.3)
_ID = hashlib.md5(b"carebook test document", usedforsecurity=False).digest()


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


class _Encryption:
    """Revision 2, 40-bit RC4, empty user password, an owner password restricting edits."""

    permissions = -3904

    def __init__(self, owner_password: bytes = b"hospital-owner") -> None:
        padded = (owner_password + _PAD)[:32]
        owner_key = hashlib.md5(padded, usedforsecurity=False).digest()[:5]
        self.owner = _rc4(owner_key, _PAD)
        seed = _PAD + self.owner + (self.permissions & 0xFFFFFFFF).to_bytes(4, "little") + _ID
        self.key = hashlib.md5(seed, usedforsecurity=False).digest()[:5]
        self.user = _rc4(self.key, _PAD)

    def seal(self, number: int, data: bytes) -> bytes:
        seed = self.key + number.to_bytes(3, "little") + b"\0\0"
        object_key = hashlib.md5(seed, usedforsecurity=False).digest()
        return _rc4(object_key[:10], data)

    def dictionary(self) -> bytes:
        return (b"<< /Filter /Standard /V 1 /R 2 /O <" + self.owner.hex().encode()
                + b"> /U <" + self.user.hex().encode() + b"> /P "
                + str(self.permissions).encode() + b" >>")


def _encode(data: bytes, filters: Sequence[str]) -> bytes:
    for name in reversed(filters):
        if name == "FlateDecode":
            data = zlib.compress(data)
        elif name == "ASCIIHexDecode":
            data = data.hex().encode() + b">"
        else:
            raise ValueError(name)
    return data


def _filter_entry(filters: Sequence[str]) -> bytes:
    if not filters:
        return b""
    return b" /Filter [" + b" ".join(b"/" + f.encode() for f in filters) + b"]"


def document(
    *,
    pages: int = 2,
    title: str = "Discharge summary",
    catalog: bytes = b"",
    hidden: dict[int, bytes] | None = None,
    hidden_filters: Sequence[str] = ("FlateDecode",),
    encrypt: bool = False,
    padding: int = 0,
) -> bytes:
    """A PDF of `pages` A4 pages, each with a shaded box and a line of text.

    `catalog`: extra entries of the document catalog (an /OpenAction, say).
    `hidden`: objects (number → body, numbers from 100 up) kept in one object stream encoded
    with `hidden_filters`, found through a cross-reference stream instead of a table.
    `encrypt`: RC4-encrypt every stream under an owner password (opens without one).
    `padding`: an extra stream of that many random bytes, as compressed images are (for
    size limits, and to show that chance bytes in streams are not taken for names).
    """
    sealer = _Encryption() if encrypt else None
    font = 3
    objects: dict[int, bytes] = {}
    kids = []
    for index in range(pages):
        page, contents = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page} 0 R".encode())
        text = f"{title} - page {index + 1}".encode()
        stream = (b"0.80 0.88 1 rg 40 690 515 110 re f 0 0 0 rg BT /F1 26 Tf 60 740 Td ("
                  + text + b") Tj ET 0.2 0.2 0.2 rg 40 120 515 8 re f")
        if sealer:
            stream = sealer.seal(contents, stream)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
                         + f"{contents} 0 R".encode()
                         + b" /Resources << /Font << /F1 3 0 R >> >> >>")
        objects[contents] = (b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n"
                             + stream + b"\nendstream")
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>"
    objects[2] = (b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count "
                  + str(pages).encode() + b" >>")
    objects[font] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    extra = 4 + 2 * pages
    if padding:
        objects[extra] = (b"<< /Length " + str(padding).encode() + b" >>\nstream\n"
                          + random.Random(padding).randbytes(padding) + b"\nendstream")
        extra += 1
    encrypt_number = None
    if sealer:
        encrypt_number = extra
        objects[encrypt_number] = sealer.dictionary()
        extra += 1
    compressed: dict[int, tuple[int, int]] = {}
    if hidden:
        stream_number = extra
        header, body = b"", b""
        for position, (number, value) in enumerate(sorted(hidden.items())):
            header += f"{number} {len(body)} ".encode()
            body += value + b"\n"
            compressed[number] = (stream_number, position)
        data = _encode(header + body, hidden_filters)
        if sealer:
            data = sealer.seal(stream_number, data)
        objects[stream_number] = (
            b"<< /Type /ObjStm /N " + str(len(hidden)).encode() + b" /First "
            + str(len(header)).encode() + b" /Length " + str(len(data)).encode()
            + _filter_entry(hidden_filters) + b" >>\nstream\n" + data + b"\nendstream"
        )
        extra += 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    trailer_extra = b" /ID [<" + _ID.hex().encode() + b"> <" + _ID.hex().encode() + b">]"
    if encrypt_number is not None:
        trailer_extra += f" /Encrypt {encrypt_number} 0 R".encode()
    if compressed:
        xref_number = extra
        size = max([*offsets, *compressed, xref_number]) + 1
        rows = bytearray()
        for number in range(size):
            if number in offsets:
                rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\0\0"
            elif number in compressed:
                stream_number, position = compressed[number]
                rows += b"\x02" + stream_number.to_bytes(4, "big") + position.to_bytes(2, "big")
            elif number == xref_number:
                rows += b"\x01" + len(out).to_bytes(4, "big") + b"\0\0"
            else:
                rows += b"\x00" + b"\0\0\0\0" + b"\xff\xff"
        start = len(out)
        out += (f"{xref_number} 0 obj\n".encode()
                + b"<< /Type /XRef /Size " + str(size).encode() + b" /W [1 4 2] /Root 1 0 R"
                + trailer_extra + b" /Length " + str(len(rows)).encode() + b" >>\nstream\n"
                + bytes(rows) + b"\nendstream\nendobj\n")
    else:
        size = max(offsets) + 1
        start = len(out)
        out += f"xref\n0 {size}\n".encode() + b"0000000000 65535 f \n"
        for number in range(1, size):
            if number in offsets:
                out += f"{offsets[number]:010d} 00000 n \n".encode()
            else:
                out += b"0000000000 65535 f \n"
        out += (b"trailer\n<< /Size " + str(size).encode() + b" /Root 1 0 R" + trailer_extra
                + b" >>\n")
    out += f"startxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


JAVASCRIPT_ACTION = b"/OpenAction << /S /JavaScript /JS (app.alert('hello')) >>"
LAUNCH_ACTION = b"/OpenAction << /S /Launch /F (cmd.exe) >>"
