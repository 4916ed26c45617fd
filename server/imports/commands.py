"""`carebook export --to DIR` and `carebook import PATH`: the city's data out and in.

Thin like the other commands: read settings, call one function, print the outcome,
exit 0 (done), 1 (refused or failed: the problems are listed) or 2 (bad usage).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from store.writer import begin_write

from ..clock import Clock
from .progress import Progress
from .report import Report

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:d}:{secs:02d}"


def progress_bar(stream: Any = None) -> tuple[Progress, Callable[[], None]]:
    """A Progress drawn on standard error as one line: phase, rows, rows/s and time left."""
    out = stream or sys.stderr
    interactive = hasattr(out, "isatty") and out.isatty()
    last = [0.0]
    phases = [""]

    def draw(progress: Progress) -> None:
        import time

        now = time.monotonic()
        finished = progress.total and progress.done >= progress.total
        if progress.phase != phases[0]:
            if phases[0] and interactive:
                out.write("\n")
            phases[0] = progress.phase
        elif not finished and now - last[0] < (0.2 if interactive else 5.0):
            return
        last[0] = now
        width = 30
        filled = int(width * progress.done / progress.total) if progress.total else width
        line = (
            f"{progress.phase:<9} [{'#' * filled}{'.' * (width - filled)}] "
            f"{progress.done:,}/{progress.total:,} rows, {progress.rate():,.0f} rows/s, "
            f"{_duration(progress.seconds_left())} left"
        )
        out.write(("\r" + line) if interactive else (line + "\n"))
        out.flush()

    def close() -> None:
        if interactive and phases[0]:
            out.write("\n")
            out.flush()

    return Progress(listener=draw), close


def print_report(report: Report, *, applied: bool, dry_run: bool) -> None:
    for kind in report.out().kinds:
        click.echo(
            f"  {kind.kind}: {kind.created} new, {kind.updated} changed, "
            f"{kind.unchanged} unchanged"
        )
    if report.problems:
        click.echo(f"carebook: {len(report.problems)} problem(s); nothing was written:", err=True)
        click.echo("ファイル\t行\t列\t内容", err=True)
        for p in report.problems:
            click.echo(f"{p.file}\t{p.row or '-'}\t{p.column or '-'}\t{p.message_ja}", err=True)
        if report.truncated:
            click.echo("（問題が多いため、ここまでを表示しています）", err=True)
    elif dry_run:
        click.echo("carebook: dry run: no problems found; nothing was written "
                   "(run again without --dry-run to apply)")
    elif applied:
        click.echo("carebook: import applied")


@click.command(name="export", context_settings=CONTEXT_SETTINGS)
@click.option("--to", "target", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new (or empty) directory for the city's copy.")
def export_command(target: Path) -> None:
    """Write every office, person (without secrets), patient, room, member, post, comment,
    receipt, attachment and the audit log as JSON Lines plus files (docs/export.md).

    The copy holds patients' records in the clear: keep it like the database. The export
    is recorded in the audit log. `carebook import DIR` loads it into an empty installation.
    """
    from ..city_data.export import ExportError, export_city
    from ..commands import fail as _fail
    from ..commands import settings_or_exit as _settings
    from ..commands import upgrade_or_exit as _upgrade
    from ..ops.commands import cli_actor

    settings = _settings()
    _upgrade(settings)
    try:
        report = asyncio.run(
            export_city(settings, target, now=Clock().now(), actor=cli_actor())
        )
    except (ExportError, OSError) as exc:
        _fail(f"export failed: {exc}")
    for name, count in report.counts.items():
        click.echo(f"  {name}: {count}")
    for sha256 in report.missing_files:
        click.echo(f"carebook: warning: attachment {sha256} is missing on disk", err=True)
    click.echo(f"carebook: exported to {report.directory}: {report.files} files; "
               f"content checksum {report.checksum}")


def _uploads(paths: tuple[Path, ...]) -> list[Any]:
    from .engine import Upload
    from .files import SUFFIXES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in SUFFIXES and not p.name.startswith("~$"))
        else:
            files.append(path)
    return [Upload(p.name, p.read_bytes()) for p in files]


@click.command(name="import", context_settings=CONTEXT_SETTINGS)
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check everything and list every problem (file, row, column, reason), "
                   "write nothing.")
@click.option("--send-activation", is_flag=True,
              help="After applying, mail each new person with a mail address an activation "
                   "link (in batches, see --batch-size and --batch-pause).")
@click.option("--letters", type=click.Path(dir_okay=False, path_type=Path),
              help="After applying, write printable activation letters (HTML, one A4 page "
                   "each) for the new people without a mail address to this file.")
@click.option("--batch-size", type=click.IntRange(1, 500), default=20, show_default=True,
              help="Activation mails per batch.")
@click.option("--batch-pause", type=click.FloatRange(0, 3600), default=30.0,
              show_default=True, help="Seconds between two batches of activation mails.")
def import_command(sources: tuple[Path, ...], dry_run: bool, send_activation: bool,
                   letters: Path | None, batch_size: int, batch_pause: float) -> None:
    """Import the city's files from its current vendor (CSV in UTF-8 or Shift_JIS/CP932, or
    .xlsx: offices, people, patients, rooms, room members, contact-book history; templates
    and columns in docs/import.md), given as files or directories; or a directory written by
    `carebook export --to` (into an empty installation, docs/export.md).

    All or nothing: with any problem, nothing is written and every problem is listed with
    its file, row and column. Re-running the same files changes nothing; a corrected file
    updates what changed. Nobody gets a password: new people activate by mail or letter.
    """
    from .carebook_copy import is_carebook_copy

    if len(sources) == 1 and sources[0].is_dir() and is_carebook_copy(sources[0]):
        _load_copy(sources[0], dry_run)
        return
    _import_files(sources, dry_run, send_activation, letters, batch_size, batch_pause)


def _load_copy(source: Path, dry_run: bool) -> None:
    from .. import db
    from ..commands import settings_or_exit as _settings
    from ..commands import upgrade_or_exit as _upgrade
    from ..ops.commands import cli_actor
    from .carebook_copy import load_copy

    settings = _settings()
    _upgrade(settings)
    progress, close = progress_bar()

    async def work() -> Any:
        engine = db.create_engine(settings.database)
        try:
            async with db.session_factory(engine)() as session:
                await begin_write(session)
                result = await load_copy(
                    session, settings, source, now=Clock().now(), actor=cli_actor(),
                    dry_run=dry_run, progress=progress,
                )
                if result.applied:
                    await session.commit()
                else:
                    await session.rollback()
                return result
        finally:
            await engine.dispose()

    result = asyncio.run(work())
    close()
    print_report(result.report, applied=result.applied, dry_run=dry_run)
    if not result.report.ok:
        sys.exit(1)


def _write_private(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def _import_files(sources: tuple[Path, ...], dry_run: bool, send_activation: bool,
                  letters: Path | None, batch_size: int, batch_pause: float) -> None:
    from .. import db
    from ..commands import fail as _fail
    from ..commands import settings_or_exit as _settings
    from ..commands import upgrade_or_exit as _upgrade
    from ..mail.service import Mailer
    from ..ops.commands import cli_actor
    from .activation import activation_letters, letters_html, send_activation_mails
    from .engine import record_dry_run, run_import
    from .rows import ImportContext

    settings = _settings()
    _upgrade(settings)
    uploads = _uploads(sources)
    if not uploads:
        _fail("no .csv or .xlsx file found in the sources given", 2)
    progress, close = progress_bar()
    ctx = ImportContext(settings=settings, now=Clock().now(), ip="", user_agent="carebook import",
                        command_actor=cli_actor())

    async def work() -> Any:
        engine = db.create_engine(settings.database)
        try:
            maker = db.session_factory(engine)
            async with maker() as session:
                await begin_write(session)
                outcome = await run_import(session, ctx, uploads, progress=progress)
                applied = outcome.report.ok and not dry_run
                issued = [u.id for u in outcome.issued] if applied else []
                without_mail = [u.id for u in outcome.issued if not u.email]
                if applied:
                    await session.commit()
                else:
                    await session.rollback()
                    await record_dry_run(session, ctx, outcome)
            close()
            mailed = printed = 0
            if issued and send_activation:
                mailed = await send_activation_mails(
                    maker, ctx, Mailer(settings), issued, batch=batch_size,
                    pause_s=batch_pause,
                    on_sent=lambda n: click.echo(f"carebook: {n} activation mail(s) sent",
                                                 err=True))
            if issued and letters is not None:
                async with maker() as session:
                    await begin_write(session)
                    made = await activation_letters(session, ctx, without_mail)
                    await session.commit()
                await asyncio.to_thread(_write_private, letters, letters_html(made))
                printed = len(made)
            return outcome, applied, mailed, printed, len(issued)
        finally:
            await engine.dispose()

    outcome, applied, mailed, printed, issued_count = asyncio.run(work())
    for name, title in outcome.files.items():
        click.echo(f"  {name}: {title}")
    for note in outcome.notes:
        click.echo(f"  {note}")
    print_report(outcome.report, applied=applied, dry_run=dry_run)
    if applied and issued_count:
        click.echo(f"carebook: {issued_count} new ID(s) issued; "
                   f"{mailed} activation mail(s) sent, {printed} letter(s) written"
                   + (f" to {letters}" if printed else ""))
    if not outcome.report.ok:
        sys.exit(1)


IMPORT_COMMANDS: list[click.Command] = [export_command, import_command]
