"""CSV that a city clerk opens in Excel: UTF-8 with a BOM, CRLF, and no cell run as a formula.

Excel reads a CSV without a BOM as Shift_JIS and garbles every Japanese word; and it runs a
cell that starts with = + - @ (or a tab or CR before one) as a formula, so a name typed as
`=HYPERLINK(…)` in a form would become a live link in the city's ledger (CSV injection,
OWASP). Every CSV the city downloads is made here (the ledger, a patient's access log) or
defuses its cells here (the audit export).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula's first sign."""
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def excel_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The whole file: BOM, the header row, then every row with each cell defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([defuse(cell) for cell in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
