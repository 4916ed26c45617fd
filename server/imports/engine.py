"""One import of the city's files, the same for the command and the admin screen.

The files are read and recognised, then applied kind by kind in the order their
references need (offices, people, patients with their rooms and members, history)
inside the caller's one write transaction. A dry run applies everything the same way
and the caller rolls back: the report it gives is exactly what applying would meet,
including rules that span files (a room's opening rule over people issued by the same
import). When the report lists any problem, the caller rolls back too: all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from store.models import User
from store.writer import begin_write

from ..admin.common import record
from .columns import KINDS, missing_columns, recognise
from .directory import import_offices, import_users, load_directory
from .files import UnreadableFile, read_sheet
from .history import import_history, read_history
from .progress import Progress
from .report import Report, TooManyProblems
from .rooms import import_rooms
from .rows import ImportContext, Problems, Row


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass
class Outcome:
    report: Report
    issued: list[User] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name → kind title


def _read(uploads: list[Upload], problems: Problems,
          outcome: Outcome) -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {kind.key: [] for kind in KINDS}
    for upload in uploads:
        try:
            sheet = read_sheet(upload.name, upload.data)
        except UnreadableFile as exc:
            problems.report.add(upload.name, None, None, "unreadable", exc.message_ja,
                                exc.message_en)
            continue
        mapped = recognise(sheet)
        if mapped is None:
            kind, lacking = missing_columns(sheet)
            problems.report.add(
                upload.name, 1, None, "unknown_file",
                f"どの種類のファイルか分かりません。{kind.title}のファイルなら、次の列が"
                f"足りません：{'、'.join(lacking)}",
                f"Cannot tell what this file holds; as a {kind.key} file it lacks: "
                f"{', '.join(lacking)}",
            )
            continue
        outcome.files[upload.name] = mapped.kind.title
        if mapped.ignored:
            outcome.notes.append(f"{upload.name}: 使わない列 {'、'.join(mapped.ignored)}")
        rows[mapped.kind.key].extend(
            Row(upload.name, number, cells, mapped) for number, cells in sheet.rows
        )
    return rows


async def run_import(session: AsyncSession, ctx: ImportContext, uploads: list[Upload], *,
                     progress: Progress | None = None) -> Outcome:
    """Apply the files in the caller's write transaction; the caller commits only when the
    outcome's report is ok and this is not a dry run."""
    progress = progress or Progress()
    outcome = Outcome(Report())
    problems = Problems(outcome.report)
    try:
        progress.begin("reading", len(uploads))
        rows = _read(uploads, problems, outcome)
        progress.begin("people", len(rows["offices"]) + len(rows["users"]))
        directory = await load_directory(session)
        await import_offices(session, ctx, rows["offices"], directory, problems)
        await import_users(session, ctx, rows["users"], directory, problems)
        progress.advance(len(rows["offices"]) + len(rows["users"]))
        progress.begin("rooms", len(rows["patients"]) + len(rows["rooms"]))
        rooms = await import_rooms(session, ctx, rows["patients"], rows["rooms"],
                                   rows["members"], directory, problems)
        progress.advance(len(rows["patients"]) + len(rows["rooms"]))
        entries = await read_history(session, ctx, rows["history"], directory, rooms, problems)
        await import_history(session, ctx, entries, problems, progress)
        outcome.issued = directory.issued
        await record(session, ctx, "import.files_applied", target_type="installation",
                     target_id=None, files=sorted(outcome.files.values()),
                     created=dict(outcome.report.created), updated=dict(outcome.report.updated))
    except TooManyProblems:
        pass
    return outcome


async def record_dry_run(session: AsyncSession, ctx: ImportContext, outcome: Outcome) -> None:
    """A dry run writes nothing but its own trace in the audit log (after the rollback)."""

    await begin_write(session)
    await record(session, ctx, "import.files_checked", target_type="installation",
                 target_id=None, files=sorted(outcome.files.values()),
                 problems=len(outcome.report.problems))
    await session.commit()
