"""A patient's vitals as CSV for Excel (server/spreadsheet.py: BOM, CRLF, no cell run as a
formula), Japanese headers, one row per post that carries vitals, oldest first, times in
Japan."""

from __future__ import annotations

from ..accounts.refs import job_label
from ..japan import JST
from ..spreadsheet import excel_csv
from .record import RoomRecord

COLUMNS = (
    ("systolic", "血圧（上）mmHg"),
    ("diastolic", "血圧（下）mmHg"),
    ("pulse", "脈拍 /分"),
    ("temperature", "体温 ℃"),
    ("spo2", "SpO2 %"),
    ("respirationRate", "呼吸数 /分"),
    ("weight", "体重 kg"),
    ("bloodGlucose", "血糖 mg/dL"),
)


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
