"""Reading the files a clerk really has: CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932,
as Excel in Japan writes it, and `.xlsx` workbooks.

Encodings are decided by the BOM, then by a strict UTF-8 decode, then by
charset-normalizer among the Japanese encodings a city's PC produces; Shift_JIS
is read as CP932, its superset that Excel actually writes (①, ㈱, 髙 …). Workbooks
are read with openpyxl in read-only mode, first sheet, values not formulas;
dates typed as dates come back as `YYYY-MM-DD`, whole numbers without `.0`
(an insurer number stays 10 digits, a login ID stays as typed).

Headers are matched after NFKC normalisation (full-width letters, half-width kana),
without spaces and without marks such as ※ or （必須）.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".csv", ".xlsx")
MAX_FILE_BYTES = 64 * 1024 * 1024


class UnreadableFile(Exception):
    """The file is not a CSV or workbook we can read; the message says why (ja, en)."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


@dataclass
class Sheet:
    """A file's header and data rows (row numbers as a spreadsheet shows them)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = ""


_MARKS = re.compile(r"[\s\u3000※*＊]|[（(]必須[)）]|[（(]任意[)）]")


def header_key(text: str) -> str:
    """A header as compared: NFKC, no spaces or required/optional marks."""
    return _MARKS.sub("", unicodedata.normalize("NFKC", text or ""))


def cell_text(text: str) -> str:
    """A cell as the engine reads it: NFKC except kana width kept, trimmed."""
    return text.replace("\u3000", " ").strip()


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # ~2 MiB, for the odd file only

    best = from_bytes(data, cp_isolation=["cp932", "shift_jis", "euc_jp", "utf_8"]).best()
    if best is None:
        raise UnreadableFile(
            "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。",
            "The character encoding cannot be told: save as UTF-8 or Shift_JIS (CP932).",
        )
    encoding = "cp932" if best.encoding in {"shift_jis", "cp932"} else best.encoding
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise UnreadableFile(
            "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。",
            "The character encoding cannot be told: save as UTF-8 or Shift_JIS (CP932).",
        ) from None


def _csv_rows(text: str) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a corrupt or foreign zip: openpyxl raises many kinds
        raise UnreadableFile(
            "Excel ファイル（.xlsx）として読み込めません。",
            "The file cannot be read as an Excel workbook (.xlsx).",
        ) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_xlsx_value(value) for value in row]
    finally:
        book.close()


def read_sheet(name: str, data: bytes) -> Sheet:
    """Headers and non-empty rows of a CSV or `.xlsx` file given as bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("ファイルが大きすぎます（64 MB まで）。",
                             "The file is too large (64 MB at most).")
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        rows, encoding = _xlsx_rows(data), "xlsx"
    elif suffix == ".csv":
        text, encoding = decode_csv(data)
        rows = _csv_rows(text)
    else:
        raise UnreadableFile("CSV（.csv）または Excel（.xlsx）のファイルを指定してください。",
                             "Give a CSV (.csv) or Excel (.xlsx) file.")
    sheet: Sheet | None = None
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(v) for v in values]
        if sheet is None:
            if not any(cells):
                continue  # blank lines above the header
            sheet = Sheet(name=name, headers=cells, encoding=encoding)
            continue
        if any(cells):
            sheet.rows.append((number, cells))
    if sheet is None:
        raise UnreadableFile("見出しの行がありません（空のファイルです）。",
                             "The file has no header row (it is empty).")
    return sheet


def read_file(path: Path) -> Sheet:
    return read_sheet(path.name, path.read_bytes())
