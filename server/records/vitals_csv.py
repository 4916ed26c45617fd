"""A patient's vitals as CSV for Excel (server/spreadsheet.py: BOM, CRLF, no cell run as a
formula), Japanese headers, one row per post that carries vitals, oldest first, times in
Japan."""

from __future__ import annotations

from store.models.enums import VitalSign

from ..accounts.refs import job_label
from ..japan import JST
from ..spreadsheet import excel_csv
from .record import RoomRecord

# The sign's label is the screens' (VitalSign); the unit follows it, as Excel users expect.
UNITS = {
    VitalSign.systolic: "mmHg",
    VitalSign.diastolic: "mmHg",
    VitalSign.pulse: " /分",
    VitalSign.temperature: " ℃",
    VitalSign.spo2: " %",
    VitalSign.respiration_rate: " /分",
    VitalSign.weight: " kg",
    VitalSign.blood_glucose: " mg/dL",
}
COLUMNS = tuple((sign.value, sign.label() + UNITS[sign]) for sign in VitalSign)


def vitals_csv(record: RoomRecord) -> bytes:
    headers = ["日時", "記録者", "職種", "事業所", "ケアレポート標題",
               *(label for _, label in COLUMNS)]
    rows = []
    for post in record.posts:
        if not post.vitals:
            continue
        author = record.people.get(post.author_id)
        rows.append([
            post.created_at.astimezone(JST).strftime("%Y/%m/%d %H:%M"),
            author.name if author else "",
            job_label(author.job_type) if author else "",
            author.office_name if author else "",
            post.title,
            *(str(post.vitals.get(key, "")) for key, _ in COLUMNS),
        ])
    return excel_csv(headers, rows)
