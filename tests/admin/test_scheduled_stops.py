"""An ID stop with a 停止希望日 still to come: scheduled at approval, shown in the inbox and the
ledger, cancellable, announced to the person some days before, and carried out at 00:00 JST
of the day by exactly one process — also when several race, and after downtime.

The scheduler runs here with the test's clock (`server/clock.py`), moved by hand.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from server import db
from server.admin.common import JST, start_of_day_jst
from server.admin.scheduled_stops import run_stops
from server.app import create_app
from server.clock import Clock, FrozenClock
from server.mail.service import Mailer
from server.scheduler import Scheduler
from server.settings import Settings
from store.models import AuditEvent, Device, JobLease, ScheduledStop, User, UserSession
from store.models.enums import JobType, Role
from tests.browser.server import carebook_executable, free_port
from tests.conftest import BASE_URL, server_env
from tests.factories import make_user
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, SignIn

# The test clock starts at 2026-11-26 18:00 in Japan (09:00 UTC).


def jst(day: str, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock moment in Japan (`2026-12-01`, 0:00 …) as an aware datetime."""
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, second, tzinfo=JST)


async def ask_stop(office: ApiClient, user_id: uuid.UUID, on: str, reason: str = "退職のため"
                   ) -> dict[str, Any]:
    response = await office.post(
        "/api/applications",
        {"kind": "idStop", "payload": {"userId": str(user_id), "reason": reason, "date": on}},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def approved(admin: ApiClient, application: dict[str, Any]) -> dict[str, Any]:
    response = await admin.post(f"/api/admin/applications/{application['id']}/approve")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def user_status(sessionmaker: Any, user_id: uuid.UUID) -> str:
    async with sessionmaker() as s:
        user = await s.get(User, user_id)
        assert user is not None
        return user.status


async def stops_carried_out(sessionmaker: Any, user_id: uuid.UUID) -> int:
    """How many times the user's ID was stopped (each stop writes one audit event)."""
    async with sessionmaker() as s:
        return int(
            await s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "admin.user_stopped",
                       AuditEvent.target_id == str(user_id))
            )
            or 0
        )


async def test_a_stop_waits_for_its_day_and_happens_at_midnight_in_japan(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    nurse_id = city.id("station_nurse")
    nurse = await sign_in(city.users["station_nurse"])
    station = await sign_in(city.users["station_admin"])
    admin = await sign_in(city.users["admin"])
    application = await ask_stop(station, nurse_id, "2026-12-01")
    smtp.clear()
    done = await approved(admin, application)

    # Approved, but not carried out: scheduled for 2026-12-01 00:00 JST.
    scheduled = done["scheduledStop"]
    assert scheduled["state"] == "scheduled" and scheduled["stopOn"] == "2026-12-01"
    assert datetime.fromisoformat(scheduled["dueAt"]) == jst("2026-12-01")
    assert scheduled["user"]["loginId"] == "station-nurse"
    assert (await nurse.get("/api/me")).status_code == 200
    (letter,) = smtp.wait_for(1)
    assert letter.rcpt_tos == ("station-admin@example.jp",)
    assert "停止予定日：2026年12月1日" in letter.text

    # The inbox lists it; the ledger shows it as scheduled (screen and CSV).
    listed = (await admin.get("/api/admin/scheduled-stops", params={"state": "scheduled"})).json()
    assert [s["id"] for s in listed] == [scheduled["id"]]
    row = next(
        u for u in (await admin.get("/api/admin/ledger")).json()["users"]
        if u["loginId"] == "station-nurse"
    )
    assert row["status"] == "active" and row["stopScheduledOn"] == "2026-12-01"
    sheet = list(csv.reader(io.StringIO(
        (await admin.get("/api/admin/ledger.csv")).content.decode("utf-8-sig"))))
    column = sheet[0].index("停止予定日")
    assert [r[column] for r in sheet if r[0] == "station-nurse"] == ["2026-12-01"]
    own = (await station.get("/api/applications")).json()[0]
    assert own["scheduledStop"]["stopOn"] == "2026-12-01"  # the office sees it too

    scheduler = Scheduler(settings, sessionmaker, clock, holder="serve-1")
    smtp.clear()
    # Four days ahead: nothing yet, not even the notice.
    first = await scheduler.run_once()
    assert first.held and (first.work.stopped, first.work.notices) == (0, 0)

    # Three days before (CAREBOOK_ID_STOP_NOTICE_DAYS): she is told, once.
    clock.set(jst("2026-11-28"))
    notified = await scheduler.run_once()
    assert (notified.work.stopped, notified.work.notices) == (0, 1)
    (notice,) = smtp.wait_for(1)
    assert notice.rcpt_tos == ("station-nurse@example.jp",)
    assert "ID停止予定" in notice.subject
    assert "2026年12月1日 0時" in notice.text and "station-nurse" in notice.text
    assert "未送信" in notice.text
    assert (await scheduler.run_once()).work.notices == 0

    # One second before midnight: still active.
    clock.set(jst("2026-11-30", 23, 59, 59))
    assert (await scheduler.run_once()).work.stopped == 0
    assert await user_status(sessionmaker, nurse_id) == "active"

    # 00:00 JST on the day: stopped, exactly as an approved 様式3 stops an ID.
    smtp.clear()
    clock.set(jst("2026-12-01"))
    at_midnight = await scheduler.run_once()
    assert at_midnight.work.stopped == 1
    assert await user_status(sessionmaker, nurse_id) == "stopped"
    assert (await scheduler.run_once()).work.stopped == 0
    assert await stops_carried_out(sessionmaker, nurse_id) == 1
    async with sessionmaker() as s:
        devices = list(await s.scalars(select(Device).where(Device.user_id == nurse_id)))
        sessions = list(await s.scalars(select(UserSession).where(UserSession.user_id == nurse_id)))
        carried = await s.scalar(
            select(AuditEvent).where(AuditEvent.action == "scheduler.user_stop_carried_out")
        )
    assert devices and all(d.wipe_requested_at is not None for d in devices)
    assert sessions == []
    assert carried is not None and carried.actor_login == "system:scheduler"
    (completed,) = smtp.wait_for(1)
    assert completed.rcpt_tos == ("station-admin@example.jp",) and "完了" in completed.subject

    admin = await sign_in(city.users["admin"])  # the clock moved on: a fresh sign-in
    row = next(
        u for u in (await admin.get("/api/admin/ledger")).json()["users"]
        if u["loginId"] == "station-nurse"
    )
    assert row["status"] == "stopped" and row["stopScheduledOn"] is None
    assert datetime.fromisoformat(row["stoppedAt"]) == jst("2026-12-01")
    listed = (await admin.get("/api/admin/scheduled-stops")).json()
    assert [(s["state"], s["doneAt"] is not None) for s in listed] == [("done", True)]


async def test_two_schedulers_racing_stop_each_id_exactly_once(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    station = await sign_in(city.users["station_admin"])
    care = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    people = {
        "station_nurse": station,
        "care_manager": care,
    }
    for key, office in people.items():
        await approved(admin, await ask_stop(office, city.id(key), "2026-11-28"))
    clock.set(jst("2026-11-28", 0, 0, 1))
    smtp.clear()

    # Two server processes: two engines, two schedulers, racing for the lease.
    engines = [db.create_engine(settings.database) for _ in range(2)]
    try:
        schedulers = [
            Scheduler(settings, db.session_factory(engine), clock, holder=f"serve-{i}")
            for i, engine in enumerate(engines)
        ]
        passes = await asyncio.gather(*(s.run_once() for s in schedulers))
        assert sorted(p.held for p in passes) == [False, True]
        assert sum(p.work.stopped for p in passes) == 2
        for key in people:
            assert await stops_carried_out(sessionmaker, city.id(key)) == 1

        # The holder keeps the lease while it renews it; the other waits …
        holder = next(s for s, p in zip(schedulers, passes, strict=True) if p.held)
        other = next(s for s in schedulers if s is not holder)
        assert (await other.run_once()).held is False
        assert (await holder.run_once()).held is True
        # … until the holder stops renewing (it died): then the other takes over.
        clock.advance(seconds=settings.scheduler.lease_seconds + 1)
        assert (await other.run_once()).held is True
        assert (await holder.run_once()).held is False

        # Even two passes that both think they may work stop an ID once (guarded UPDATE).
        hospital = await make_user(
            sessionmaker, settings, "hospital-admin", now=clock.now(), name="病院 管理",
            job_type=JobType.nurse, role=Role.office_admin, office_id=city.offices["hospital"],
        )
        office = await sign_in(hospital)
        admin = await sign_in(city.users["admin"])
        await approved(admin, await ask_stop(office, city.id("hospital_nurse"), "2026-11-29"))
        clock.set(jst("2026-11-29", 0, 5))
        mailer = Mailer(settings)
        both = await asyncio.gather(
            *(run_stops(db.session_factory(e), settings, mailer, clock.now()) for e in engines)
        )
        assert sorted(p.stopped for p in both) == [0, 1]
        assert await stops_carried_out(sessionmaker, city.id("hospital_nurse")) == 1
    finally:
        for engine in engines:
            await engine.dispose()
    completed = [m for m in smtp.messages if "ID停止完了" in m.subject]
    assert len(completed) == 3  # one per stop, to the office that asked


async def test_after_downtime_every_stop_that_fell_due_is_caught_up(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    station = await sign_in(city.users["station_admin"])
    care = await sign_in(city.users["care_admin"])
    admin = await sign_in(city.users["admin"])
    dates = {"station_nurse": "2026-12-01", "care_manager": "2026-12-02"}
    for key, on in dates.items():
        office = station if key == "station_nurse" else care
        await approved(admin, await ask_stop(office, city.id(key), on))
    later = await approved(admin, await ask_stop(care, city.id("care_admin"), "2026-12-20"))

    # Every server was down from 26 November to the morning of 6 December.
    clock.set(jst("2026-12-06", 9, 30))
    smtp.clear()
    scheduler = Scheduler(settings, sessionmaker, clock, holder="worker-1")
    caught_up = await scheduler.run_once()
    assert caught_up.work.stopped == 2
    assert caught_up.work.notices == 0  # no notice for a stop already carried out
    for key in dates:
        assert await user_status(sessionmaker, city.id(key)) == "stopped"
    assert await user_status(sessionmaker, city.id("care_admin")) == "active"
    async with sessionmaker() as s:
        rows = {
            r.stop_on.isoformat(): r
            for r in await s.scalars(select(ScheduledStop).order_by(ScheduledStop.stop_on))
        }
    assert rows["2026-12-01"].state == rows["2026-12-02"].state == "done"
    assert rows["2026-12-20"].state == "scheduled"
    assert rows["2026-12-20"].id == uuid.UUID(later["scheduledStop"]["id"])
    assert not [m for m in smtp.messages if "ID停止予定" in m.subject]


async def test_the_city_cancels_a_scheduled_stop(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    nurse_id = city.id("station_nurse")
    station = await sign_in(city.users["station_admin"])
    admin = await sign_in(city.users["admin"])
    stop = (await approved(admin, await ask_stop(station, nurse_id, "2026-11-28")))[
        "scheduledStop"]
    # Within the notice window: she has already been told.
    scheduler = Scheduler(settings, sessionmaker, clock, holder="serve-1")
    assert (await scheduler.run_once()).work.notices == 1

    # Refusals first: an office admin cannot cancel, a bad body is 400, unknown is 404.
    path = f"/api/admin/scheduled-stops/{stop['id']}/cancel"
    refused = await station.post(path, {"reason": "x"})
    assert refused.status_code == 403 and refused.json()["error"] == "admin_only"
    assert (await admin.post(path, {"reason": 1})).status_code == 400
    assert (await admin.post(path, {"why": "x"})).status_code == 400
    unknown = await admin.post(f"/api/admin/scheduled-stops/{uuid.uuid4()}/cancel")
    assert unknown.status_code == 404 and unknown.json()["error"] == "scheduled_stop_not_found"
    async with sessionmaker() as s:
        row = await s.get(ScheduledStop, uuid.UUID(stop["id"]))
    assert row is not None and row.state == "scheduled"

    smtp.clear()
    cancelled = await admin.post(path, {"reason": "退職が取りやめになったため"})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["state"] == "cancelled" and body["cancelledBy"] == "市役所 太郎"
    assert body["cancelReason"] == "退職が取りやめになったため"
    mails = smtp.wait_for(2)
    assert {m.rcpt_tos[0] for m in mails} == {
        "station-nurse@example.jp", "station-admin@example.jp"}
    assert all("取り消し" in m.subject for m in mails)
    again = await admin.post(path)
    assert again.status_code == 409 and again.json()["error"] == "scheduled_stop_not_pending"
    assert again.json()["state"] == "cancelled"

    row_after = next(
        u for u in (await admin.get("/api/admin/ledger")).json()["users"]
        if u["loginId"] == "station-nurse"
    )
    assert row_after["stopScheduledOn"] is None
    clock.set(jst("2026-11-29"))
    assert (await scheduler.run_once()).work.stopped == 0
    assert await user_status(sessionmaker, nurse_id) == "active"
    history = (await (await sign_in(city.users["admin"])).get(f"/api/admin/users/{nurse_id}")
               ).json()["history"]
    actions = [h["action"] for h in history]
    assert "admin.user_stop_scheduled" in actions and "admin.user_stop_cancelled" in actions


async def test_stop_dates_and_duplicates_are_checked(
    city: City, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse_id = city.id("station_nurse")
    station = await sign_in(city.users["station_admin"])
    admin = await sign_in(city.users["admin"])
    far = await station.post("/api/applications", {"kind": "idStop", "payload": {
        "userId": str(nurse_id), "reason": "退職", "date": "2028-01-01"}})
    assert far.status_code == 400 and far.json()["error"] == "stop_date_too_far"
    await approved(admin, await ask_stop(station, nurse_id, "2026-12-10"))
    twice = await station.post("/api/applications", {"kind": "idStop", "payload": {
        "userId": str(nurse_id), "reason": "退職", "date": "2026-12-01"}})
    assert twice.status_code == 409 and twice.json()["error"] == "stop_scheduled"
    assert "2026年12月10日" in twice.json()["message"]

    # The city stops an ID directly from a paper 様式3: with a future date it is scheduled …
    pharmacist = city.id("pharmacist")
    direct = await admin.post(
        f"/api/admin/users/{pharmacist}/stop", {"reason": "様式3（郵送）", "date": "2026-12-03"}
    )
    assert direct.status_code == 200, direct.text
    assert direct.json()["user"]["status"] == "active"
    assert direct.json()["user"]["stopScheduledOn"] == "2026-12-03"
    # … and stopping at once supersedes the plan.
    now = await admin.post(f"/api/admin/users/{nurse_id}/stop", {"reason": "至急"})
    assert now.status_code == 200 and now.json()["user"]["status"] == "stopped"
    assert now.json()["user"]["stopScheduledOn"] is None
    async with sessionmaker() as s:
        states = {
            r.user_id: r.state for r in await s.scalars(select(ScheduledStop))
        }
    assert states == {nurse_id: "done", pharmacist: "scheduled"}
    # A day in the past (a late 様式3) stops at once.
    past = await admin.post(
        f"/api/admin/users/{city.id('hospital_nurse')}/stop",
        {"reason": "退職（届出遅れ）",
         "date": (clock.now() - timedelta(days=3)).date().isoformat()},
    )
    assert past.status_code == 200 and past.json()["user"]["status"] == "stopped"


@pytest.mark.postgres_only
async def test_two_worker_processes_on_postgresql_stop_an_id_once(
    city: City, sessionmaker: Any, database_url: str, tmp_path: Path, smtp: SmtpSink
) -> None:
    """Two `carebook worker --once` processes (the real clock), started together."""
    nurse_id = city.id("station_nurse")
    today = Clock().now().astimezone(JST).date()
    async with sessionmaker() as s:
        s.add(ScheduledStop(
            user_id=nurse_id, stop_on=today, due_at=start_of_day_jst(today),
            reason="退職のため", state="scheduled", created_at=Clock().now(),
        ))
        await s.commit()

    async def worker(name: str) -> str:
        data_dir = tmp_path / name
        data_dir.mkdir()
        env = server_env(data_dir, database_url, CAREBOOK_SMTP_HOST=smtp.host,
                         CAREBOOK_SMTP_PORT=str(smtp.port))
        process = await asyncio.create_subprocess_exec(
            carebook_executable(), "worker", "--once",
            env={**os.environ, **env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, out.decode()
        return out.decode()

    outputs = await asyncio.gather(worker("a"), worker("b"))
    assert sum("1 ID stop(s) carried out" in o for o in outputs) == 1, outputs
    assert all(
        "1 ID stop(s) carried out" in o or "0 ID stop(s)" in o or "holds the scheduler" in o
        for o in outputs
    ), outputs
    assert await user_status(sessionmaker, nurse_id) == "stopped"
    assert await stops_carried_out(sessionmaker, nurse_id) == 1


async def test_serve_runs_the_scheduler_in_its_own_loop(
    city: City, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    """`CAREBOOK_SCHEDULER=1` (the default outside tests): the app's lifespan runs it."""
    nurse_id = city.id("station_nurse")
    async with sessionmaker() as s:
        s.add(ScheduledStop(
            user_id=nurse_id, stop_on=jst("2026-11-26").date(),
            due_at=start_of_day_jst(jst("2026-11-26").date()), reason="退職のため",
            state="scheduled", created_at=clock.now(),
        ))
        await s.commit()
    serving = replace(settings, scheduler=replace(settings.scheduler, in_process=True))
    async with AsyncTestClient(create_app(serving, clock=clock), base_url=BASE_URL):
        for _ in range(200):  # the first pass runs at start-up
            if await user_status(sessionmaker, nurse_id) == "stopped":
                break
            await asyncio.sleep(0.05)
    assert await user_status(sessionmaker, nurse_id) == "stopped"
    async with sessionmaker() as s:
        lease = await s.get(JobLease, "scheduledStops")
    assert lease is not None and lease.holder is None  # given up at shutdown


async def test_a_notice_the_mail_server_refused_goes_out_at_the_next_pass(
    city: City,
    sign_in: SignIn,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    smtp: SmtpSink,
) -> None:
    station = await sign_in(city.users["station_admin"])
    admin = await sign_in(city.users["admin"])
    await approved(admin, await ask_stop(station, city.id("station_nurse"), "2026-11-28"))
    smtp.clear()
    away = replace(settings, smtp=replace(settings.smtp, port=free_port()))  # nobody listens
    refused = await Scheduler(settings, sessionmaker, clock, holder="serve-1",
                              mailer=Mailer(away)).run_once()
    assert refused.work.notices == 0
    async with sessionmaker() as s:
        row = await s.scalar(select(ScheduledStop))
    assert row is not None and row.notice_sent_at is None
    again = await Scheduler(settings, sessionmaker, clock, holder="serve-1").run_once()
    assert again.work.notices == 1
    (notice,) = smtp.wait_for(1)
    assert notice.rcpt_tos == ("station-nurse@example.jp",) and "ID停止予定" in notice.subject
