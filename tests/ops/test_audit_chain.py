"""`carebook audit verify|export|purge`: tampering is found and named, purges stay verifiable."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.settings import Settings
from store.models import AuditEvent, SystemSetting
from tests.conftest import server_env
from tests.ops.support import invoke, with_session

NOW = datetime.now(UTC)


@pytest.fixture()
def env(data_dir: Path, database_url: str) -> dict[str, str]:
    return server_env(data_dir, database_url)


def _add_events(settings: Settings, ages_days: list[float], action: str = "test.event") -> None:
    async def work(session: AsyncSession) -> None:
        for index, age in enumerate(ages_days):
            await audit.record(
                session,
                at=NOW - timedelta(days=age),
                actor=audit.Actor(login_id="nurse-01", ip="192.0.2.7", device_key="dev-abcdefgh"),
                action=action,
                target_type="post",
                target_id=f"t-{index}",
                details={"note": f"行{index}", "n": index},
            )
        await session.commit()

    with_session(settings, work)


def _sql(settings: Settings, statement: str) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(text(statement))
        await session.commit()

    with_session(settings, work)


def _count(settings: Settings) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    return with_session(settings, work)


def test_help_of_every_ops_command(env: dict[str, str]) -> None:
    for args in (["audit"], ["audit", "verify"], ["audit", "export"], ["audit", "purge"]):
        result = invoke(env, *args, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_verify_passes_then_names_the_altered_row(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [5, 4, 3, 2, 1])
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "OK: 5 audit event(s) verified" in result.output

    _sql(settings, """UPDATE audit_event SET details = '{"note": "改", "n": 2}' WHERE seq = 3""")
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at seq 3" in result.output
    assert "content does not match its hash" in result.output


def test_verify_names_a_deleted_middle_row(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [5, 4, 3, 2, 1])
    _sql(settings, "DELETE FROM audit_event WHERE seq = 3")
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at seq 3" in result.output
    assert "missing" in result.output


def test_verify_finds_a_relinked_row(env: dict[str, str], settings: Settings) -> None:
    """Deleting a row and re-pointing the next one's prev_hash still breaks that row's hash."""
    _add_events(settings, [3, 2, 1])
    _sql(settings, "UPDATE audit_event SET prev_hash = '" + "0" * 64 + "' WHERE seq = 2")
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at seq 2" in result.output


def test_purge_keeps_the_chain_verifiable(env: dict[str, str], settings: Settings) -> None:
    # Retention 1825 days: the first three rows are older, the last two are kept.
    _add_events(settings, [2100, 2000, 1900, 30, 1])
    env = {**env, "CAREBOOK_AUDIT_RETENTION_DAYS": "1825"}
    result = invoke(env, "audit", "purge")
    assert result.exit_code == 0, result.output
    assert "purged 3 audit event(s) through seq 3" in result.output

    async def state(session: AsyncSession) -> tuple[list[int], object, dict[str, object]]:
        seqs = list(await session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        anchor = (await session.get(SystemSetting, "audit_anchor")).value  # type: ignore[union-attr]
        purge_event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "audit.purge")
        )
        assert purge_event is not None
        return seqs, anchor, purge_event.details

    seqs, anchor, details = with_session(settings, state)
    assert seqs == [4, 5, 6]  # two kept, plus the purge's own record
    assert isinstance(anchor, dict) and anchor["seq"] == 3 and anchor["purgedRows"] == 3
    assert details["throughSeq"] == 3 and details["throughHash"] == anchor["hash"]

    result = invoke(env, "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "OK: 3 audit event(s) verified, starting from anchor seq 3" in result.output

    # New events keep extending the chain after a purge.
    _add_events(settings, [0])
    assert invoke(env, "audit", "verify").exit_code == 0

    # A row deleted right after the anchor is found like any other.
    _sql(settings, "DELETE FROM audit_event WHERE seq = 4")
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 1
    assert "BROKEN at seq 4" in result.output


def test_a_forged_anchor_is_found(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [2100, 2000, 30])
    assert invoke(env, "audit", "purge").exit_code == 0

    async def forge(session: AsyncSession) -> None:
        row = await session.get(SystemSetting, "audit_anchor")
        assert row is not None
        # Pretend the purge went one row further, and drop that row too.
        third = await session.get(AuditEvent, 3)
        assert third is not None
        row.value = {**row.value, "seq": 3, "hash": third.hash}
        await session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
        await session.commit()

    with_session(settings, forge)
    result = invoke(env, "audit", "verify")
    assert result.exit_code == 1
    assert "purge anchor does not match" in result.output


def test_purge_never_deletes_the_newest_row(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [3000, 2900])
    result = invoke(env, "audit", "purge")
    assert result.exit_code == 0, result.output
    assert "purged 1 audit event(s) through seq 1" in result.output
    assert _count(settings) == 2  # the newest old row and the purge record
    assert invoke(env, "audit", "verify").exit_code == 0
    # A second purge takes the old row that was newest before, never the purge record.
    second = invoke(env, "audit", "purge")
    assert second.exit_code == 0, second.output
    assert invoke(env, "audit", "verify").exit_code == 0


def test_purge_before_only_narrows(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [2100, 2000, 1900, 10])
    before = (NOW - timedelta(days=2050)).date().isoformat()
    result = invoke(env, "audit", "purge", "--before", before)
    assert result.exit_code == 0, result.output
    assert "purged 1 audit event(s) through seq 1" in result.output
    # A --before inside the retention period purges no more than retention allows.
    recent = (NOW - timedelta(days=5)).date().isoformat()
    result = invoke(env, "audit", "purge", "--before", recent)
    assert result.exit_code == 0, result.output
    assert "through seq 3" in result.output
    assert invoke(env, "audit", "verify").exit_code == 0


def test_purge_refuses_a_broken_chain(env: dict[str, str], settings: Settings) -> None:
    _add_events(settings, [2100, 2000, 1])
    _sql(settings, "UPDATE audit_event SET action = 'forged' WHERE seq = 1")
    result = invoke(env, "audit", "purge")
    assert result.exit_code == 1
    assert "broken at seq 1" in result.output
    assert _count(settings) == 3


def test_export_csv_and_jsonl(env: dict[str, str], settings: Settings, tmp_path: Path) -> None:
    async def arrange(session: AsyncSession) -> None:
        times = [
            datetime(2026, 10, 31, 14, 59, tzinfo=UTC),  # 2026-10-31 23:59 JST: outside
            datetime(2026, 10, 31, 15, 0, tzinfo=UTC),  # 2026-11-01 00:00 JST: inside
            datetime(2026, 11, 30, 14, 59, tzinfo=UTC),  # 2026-11-30 23:59 JST: inside
            datetime(2026, 11, 30, 15, 0, tzinfo=UTC),  # 2026-12-01 00:00 JST: outside
        ]
        for index, at in enumerate(times):
            await audit.record(
                session,
                at=at,
                actor=audit.Actor(login_id="=HYPERLINK(1)" if index == 1 else "dr-02"),
                action="post.read",
                details={"reason": "訪問前の確認"},
            )
        await session.commit()

    with_session(settings, arrange)
    out = tmp_path / "nov.csv"
    result = invoke(
        env, "audit", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv",
        "--output", str(out),
    )
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["seq"] for row in rows] == ["2", "3"]
    assert rows[0]["at"] == "2026-10-31T15:00:00+00:00"
    assert rows[0]["at_local"] == "2026-11-01T00:00:00+09:00"
    assert rows[0]["actor_login"] == "'=HYPERLINK(1)"  # no formula for the spreadsheet
    assert json.loads(rows[1]["details"]) == {"reason": "訪問前の確認"}

    result = invoke(
        env, "audit", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "jsonl"
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    # (the first export's own record may fall in the period too, depending on today's date)
    lines = [line for line in lines if line["action"] == "post.read"]
    assert [line["seq"] for line in lines] == [2, 3]
    assert lines[0]["actor_login"] == "=HYPERLINK(1)"  # JSON keeps the value as it is

    async def exports(session: AsyncSession) -> list[dict[str, object]]:
        found = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(AuditEvent.seq)
        )
        return [event.details for event in found]

    recorded = with_session(settings, exports)
    assert [d["format"] for d in recorded] == ["csv", "jsonl"]
    assert recorded[0]["rows"] == 2
    assert invoke(env, "audit", "verify").exit_code == 0


def test_export_refuses_bad_dates(env: dict[str, str]) -> None:
    result = invoke(env, "audit", "export", "--from", "2026-13-01", "--to", "2026-11-30")
    assert result.exit_code == 2
    assert "is not a date" in result.output
    result = invoke(env, "audit", "export", "--from", "2026-11-30", "--to", "2026-11-01")
    assert result.exit_code == 2
