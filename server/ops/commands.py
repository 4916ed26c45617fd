"""The operator's commands: `carebook audit …`, `carebook backup`, `carebook restore`.

Registered on the `carebook` group by `server/cli.py`; thin like the others: read
settings, call one function, print the outcome, exit 0 (done), 1 (refused or
failed) or 2 (bad usage). The shared helpers come from `server/commands.py`.
"""

from __future__ import annotations

import asyncio
import getpass
import io
import sys
from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from sqlalchemy.ext.asyncio import AsyncSession

from ..audit.service import Actor
from ..clock import Clock
from ..commands import CONTEXT_SETTINGS
from ..commands import fail as _fail
from ..commands import settings_or_exit as _settings
from ..commands import upgrade_or_exit as _upgrade
from ..commands import with_session as _with_session
from ..japan import TIME_ZONE


def cli_actor() -> Actor:
    """Who ran the command: the operating-system account, as `cli:<name>`."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(login_id=f"cli:{name}"[:64])


# --- audit -----------------------------------------------------------------------------------


@click.group(name="audit", context_settings=CONTEXT_SETTINGS)
def audit_group() -> None:
    """The audit log (アクセスログ): verify its hash chain, export a period, purge old rows."""


@audit_group.command(name="verify", context_settings=CONTEXT_SETTINGS)
def audit_verify() -> None:
    """Check the hash chain end to end; name the first broken link (exit 1) or print OK."""
    from .audit_commands import verify

    settings = _settings()
    _upgrade(settings)
    report = _with_session(settings, verify)
    start = f"anchor seq {report.anchor.seq}" if report.anchor else "genesis"
    if not report.ok:
        _fail(
            f"audit chain BROKEN at seq {report.first_broken_seq}: {report.reason} "
            f"({report.checked} row(s) verified before it, starting from {start})"
        )
    click.echo(f"OK: {report.checked} audit event(s) verified, starting from {start}")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-01") from None


@audit_group.command(name="export", context_settings=CONTEXT_SETTINGS)
@click.option("--from", "from_", required=True, metavar="YYYY-MM-DD",
              help="First day to include.")
@click.option("--to", "to", required=True, metavar="YYYY-MM-DD",
              help="Last day to include (the whole day).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV (UTF-8 with BOM, for Excel) or JSON lines.")
@click.option("--tz", default=TIME_ZONE, show_default=True,
              help="Time zone the days are counted in (the `at` column stays UTC).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
def audit_export(from_: str, to: str, fmt: str, tz: str, output: Path | None) -> None:
    """Export the audit events of a period for the city's reviews; the export is audited too."""
    from .audit_commands import export, record_export

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {tz!r}", param_hint="--tz") from None
    first, last = _day(from_), _day(to)
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    settings = _settings()
    _upgrade(settings)
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"

    async def work(session: AsyncSession) -> int:
        with ExitStack() as stack:
            out: TextIO
            if output is None:
                stdout: Any = sys.stdout.buffer
                wrapper = io.TextIOWrapper(stdout, encoding=encoding, newline="")
                stack.callback(wrapper.detach)  # flush, and leave stdout open
                out = wrapper
            else:
                out = stack.enter_context(output.open("w", encoding=encoding, newline=""))
            rows = await export(session, out, start=start, end=end, fmt=fmt, tz=zone)
        await session.rollback()
        await record_export(
            session, now=Clock().now(), actor=cli_actor(), start=start, end=end, fmt=fmt,
            rows=rows,
        )
        return rows

    try:
        rows = _with_session(settings, work)
    except OSError as exc:
        _fail(f"cannot write the export: {exc}")
    where = str(output) if output else "standard output"
    click.echo(f"carebook: {rows} audit event(s) from {first} to {last} ({tz}) → {where}",
               err=True)


@audit_group.command(name="purge", context_settings=CONTEXT_SETTINGS)
@click.option("--before", metavar="YYYY-MM-DD",
              help="Purge only rows before this day (UTC); it can narrow the purge, never "
                   "reach rows the retention keeps.")
def audit_purge(before: str | None) -> None:
    """Delete audit rows older than CAREBOOK_AUDIT_RETENTION_DAYS, keeping the chain verifiable.

    The last purged row's seq and hash become the anchor `audit verify` starts from;
    the purge is recorded in the chain. Refuses when the chain does not verify.
    """
    from .audit_commands import PurgeReport, purge

    settings = _settings()
    _upgrade(settings)
    now = Clock().now()
    days = settings.ops.audit_retention_days
    if before is not None:
        cutoff = datetime.combine(_day(before), time(), UTC)
        if cutoff > now:
            raise click.BadParameter("--before is in the future", param_hint="--before")
        # --before may only keep more than retention asks, or purge exactly as far.
        days = max(days, (now - cutoff).days)

    async def work(session: AsyncSession) -> PurgeReport:
        return await purge(session, now=now, retention_days=days, actor=cli_actor())

    try:
        report = _with_session(settings, work)
    except ValueError as exc:
        _fail(str(exc))
    if report.deleted == 0:
        click.echo(f"carebook: nothing older than {days} day(s) to purge")
        return
    click.echo(
        f"carebook: purged {report.deleted} audit event(s) through seq {report.through_seq} "
        f"(older than {days} day(s)); the chain now starts from that anchor"
    )


# --- backup and restore ----------------------------------------------------------------------


@click.command(name="backup", context_settings=CONTEXT_SETTINGS)
@click.option("--to", "target", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="A new (or empty) directory for the backup.")
def backup_command(target: Path) -> None:
    """Back up the database (online), the attachments and the keys, with a checksum manifest.

    SQLite: a consistent snapshot through SQLite's backup API while the server runs.
    PostgreSQL: pg_dump -Fc in an exported snapshot (pg_dump from PATH or
    /usr/lib/postgresql/*/bin). The backup holds the secret key and the VAPID key:
    store it as carefully as the keys themselves.
    """
    from .backup import BackupError, backup

    settings = _settings()
    _upgrade(settings)
    try:
        report = asyncio.run(backup(settings, target, now=Clock().now()))
    except (BackupError, OSError) as exc:
        _fail(f"backup failed: {exc}")
    click.echo(
        f"carebook: backup written to {report.directory}: {report.tables} tables, "
        f"{report.rows} rows, {report.files} files; data checksum {report.checksum}"
    )


@click.command(name="restore", context_settings=CONTEXT_SETTINGS)
@click.option("--from", "source", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A directory written by `carebook backup`.")
@click.option("--force", is_flag=True,
              help="Replace the data of a target that is not empty (it is lost).")
def restore_command(source: Path, force: bool) -> None:
    """Restore a backup into the configured database and data directory; start a new sync epoch.

    Checks every file against the manifest first, refuses a target that holds data
    unless --force, proves the restored tables match the backup's checksums, upgrades
    the schema to head, and starts a new sync epoch so that every device resyncs.
    Stop every `carebook serve` and `carebook worker` first.
    """
    from .backup import BackupError, restore, start_new_epoch

    settings = _settings()
    try:
        report = asyncio.run(restore(settings, source, force=force))
    except (BackupError, OSError) as exc:
        _fail(f"restore failed: {exc}")
    _upgrade(settings)
    epoch = asyncio.run(
        start_new_epoch(settings, now=Clock().now(), actor=cli_actor(), manifest=report.manifest)
    )
    for warning in report.warnings:
        click.echo(f"carebook: warning: {warning}", err=True)
    click.echo(
        f"carebook: restored {report.tables} tables, {report.rows} rows, {report.files} files "
        f"from the backup of {report.manifest['createdAt']}; data checksum {report.checksum} "
        f"(identical to the backup); new sync epoch {epoch}: devices will resync"
    )


# --- secret key ------------------------------------------------------------------------------


@click.command(name="rotate-secret-key", context_settings=CONTEXT_SETTINGS)
@click.option("--new-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding the new key (at least 32 characters). Default: a new random "
                   "key, written to <data dir>/secret_key (only when the key lives there).")
def rotate_secret_key_command(new_key_file: Path | None) -> None:
    """Change the secret key: re-seal every TOTP and device recovery secret under the new key.

    Stop every `carebook serve` and `carebook worker` first. Sessions stay signed in;
    clients fetch a new CSRF token and resync (their sync cursors were signed with the
    old key). When CAREBOOK_SECRET_KEY is set, set it to the new key afterwards.
    """
    from .keys import RotationError, key_from_file, new_key, rotate_secret_key

    settings = _settings()
    _upgrade(settings)
    if new_key_file is not None:
        new = new_key_file.read_text().strip()
    elif key_from_file(settings):
        new = new_key()
    else:
        _fail("CAREBOOK_SECRET_KEY is set: write the new key to a file (mode 600) and pass "
              "--new-key-file", 2)
    try:
        report = asyncio.run(rotate_secret_key(settings, new))
    except RotationError as exc:
        _fail(str(exc))
    click.echo(f"carebook: {report.factors} TOTP secret(s) re-sealed under the new key")
    click.echo(f"carebook: {report.device_keys} device recovery secret(s) re-sealed")
    if report.key_file is not None:
        click.echo(f"carebook: new key written to {report.key_file} (the old one in "
                   f"{report.key_file}.previous: delete it once all is well)")
    else:
        click.echo("carebook: now set CAREBOOK_SECRET_KEY to the new key in every process's "
                   "environment, then start carebook again")


OPS_COMMANDS: list[click.Command] = [
    audit_group,
    backup_command,
    restore_command,
    rotate_secret_key_command,
]
