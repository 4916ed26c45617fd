"""Issue 17 item 8: the opt-in daily mail. Once a day, from 07:00 Japan time and never in the
user's quiet hours, a mail says how many rooms have new posts or posts addressed to the user
— a number and a link, no patient's name or text; one mail a day however many schedulers
run; unsubscribed in one click from the mail, signed out. Real SMTP on loopback, the clock
frozen and moved by hand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from server.clock import FrozenClock
from server.japan import JST
from server.mail.service import Mailer
from server.scheduler import Scheduler
from server.settings import Settings, load_settings
from store.models import NotificationPreference
from store.models.enums import Permission
from tests.conftest import server_env
from tests.support.smtp import SmtpSink
from tests.sync.support import signed_in
from tests.sync.test_push_engine import post_args, push
from tests.sync.world import add_user, open_room

PATIENT = "患者 太郎"


@pytest.fixture()
def smtp() -> Any:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture()
def settings(data_dir: Path, database_url: str, smtp: SmtpSink) -> Settings:
    return load_settings(server_env(data_dir, database_url, CAREBOOK_SMTP_HOST=smtp.host,
                                    CAREBOOK_SMTP_PORT=str(smtp.port)))


def at_jst(clock: FrozenClock, hour: int, minute: int = 0, days: int = 0) -> None:
    """Moves the frozen clock to a wall-clock time in Japan (today, or `days` later)."""
    now = clock.now().astimezone(JST)
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0) + timedelta(days=days)
    clock.advance(seconds=(target - now).total_seconds())


async def scheduler_pass(settings: Settings, sessionmaker: Any, clock: FrozenClock,
                         holder: str = "one") -> int:
    scheduler = Scheduler(settings, sessionmaker, clock, holder=holder, mailer=Mailer(settings))
    return (await scheduler.run_once()).daily_mails


async def test_an_opted_in_doctor_gets_one_count_a_day_and_leaves_in_one_click(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock, smtp: SmtpSink
) -> None:
    at_jst(clock, 6, 0, days=1)
    doctor, doctor_api = await signed_in(client, sessionmaker, settings, clock, "doctor-mail")
    nurse = await add_user(sessionmaker, "nurse-mail")
    rooms = [await open_room(sessionmaker, clock.now(),
                             {doctor.id: Permission.write, nurse: Permission.write},
                             patient_name=PATIENT) for _ in range(3)]
    # Opt in (and keep quiet hours 22:00–07:30); the other settings stay as they were.
    response = await doctor_api.request("PUT", "/api/push/preferences", {
        "enabled": True, "quietHours": {"start": "22:00", "end": "07:30"}, "mutedRoomIds": [],
        "showRoomLabel": False, "dailyMail": True})
    assert response.status_code == 200, response.text
    assert response.json()["dailyMail"] is True
    # In two rooms something waits: a new post, and a question addressed to the doctor.
    await push(sessionmaker, nurse, "tablet", [
        (1, "post.create", post_args(rooms[0], body="夜間に発熱あり。")),
        (2, "post.create", post_args(rooms[1], body="酸素の指示をお願いします。",
                                     addresseeIds=[str(doctor.id)], asksAnswer=True)),
    ], clock.now())

    assert await scheduler_pass(settings, sessionmaker, clock) == 0  # 06:00: too early
    at_jst(clock, 7, 10)
    assert await scheduler_pass(settings, sessionmaker, clock) == 0  # quiet until 07:30
    at_jst(clock, 7, 30)
    # Two processes run the scheduler: one holds the lease, and one mail goes out.
    sent = [await scheduler_pass(settings, sessionmaker, clock, holder)
            for holder in ("one", "two", "one")]
    assert sent == [1, 0, 0]
    (mail,) = smtp.wait_for(1)
    assert mail.to == f"{doctor.login_id}@example.jp"
    assert "2 件" in mail.subject and "2 件" in mail.text
    assert PATIENT not in mail.text + mail.subject
    assert "発熱" not in mail.text and "酸素" not in mail.text
    assert f"{settings.base_url}/\n" in mail.text
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mail.message["List-Unsubscribe"]).strip("<>")
    assert link in mail.text

    # The same day again: nothing. The next day, again one.
    clock.advance(hours=3)
    assert await scheduler_pass(settings, sessionmaker, clock) == 0
    at_jst(clock, 8, 0, days=1)
    assert await scheduler_pass(settings, sessionmaker, clock) == 1
    smtp.wait_for(2)

    # One click from the mail program (RFC 8058), no session, no CSRF token.
    url = urlsplit(link)
    client.cookies.clear()  # signed out
    # Opened in a browser tab from the mail: a navigation naming no device, which the API
    # refuses everywhere else (docs/api/requests.md); the signed link is its own authority.
    tab = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    page = await client.get(f"{url.path}?{url.query}", headers=tab)
    assert page.status_code == 200 and "配信を停止する" in page.text  # opening changes nothing
    forged = await client.post(f"{url.path}?token={doctor.id}.AAAA",
                               content=b"List-Unsubscribe=One-Click", headers=tab)
    assert forged.status_code == 400 and "正しくありません" in forged.text
    async with sessionmaker() as session:
        prefs = await session.get(NotificationPreference, doctor.id)
    assert prefs is not None and prefs.daily_mail is True
    done = await client.post(f"{url.path}?{url.query}", content=b"List-Unsubscribe=One-Click",
                             headers={"content-type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200, done.text
    assert "配信を停止しました" in done.text
    async with sessionmaker() as session:
        prefs = await session.get(NotificationPreference, doctor.id)
    assert prefs is not None and prefs.daily_mail is False
    at_jst(clock, 8, 0, days=1)
    assert await scheduler_pass(settings, sessionmaker, clock) == 0


async def test_no_mail_without_opting_in_or_when_nothing_waits(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock, smtp: SmtpSink
) -> None:
    doctor = await add_user(sessionmaker, "doctor-quiet")
    nurse, nurse_api = await signed_in(client, sessionmaker, settings, clock, "nurse-quiet")
    room = await open_room(sessionmaker, clock.now(), {doctor: Permission.write,
                                                       nurse.id: Permission.write})
    response = await nurse_api.request("PUT", "/api/push/preferences", {
        "enabled": True, "quietHours": None, "mutedRoomIds": [], "showRoomLabel": False,
        "dailyMail": True})
    assert response.status_code == 200
    # Without `dailyMail`, an older PWA's settings leave the choice as it was.
    kept = await nurse_api.request("PUT", "/api/push/preferences", {
        "enabled": False, "quietHours": None, "mutedRoomIds": [], "showRoomLabel": False})
    assert kept.json()["dailyMail"] is True
    await push(sessionmaker, nurse.id, "tablet", [(1, "post.create", post_args(room))],
               clock.now())
    at_jst(clock, 9, 0, days=1)
    # The doctor did not opt in; the nurse did, but her own post is nothing new to her.
    assert await scheduler_pass(settings, sessionmaker, clock) == 0
    async with sessionmaker() as session:
        handled = await session.scalar(select(NotificationPreference.daily_mail_on).where(
            NotificationPreference.user_id == nurse.id))
    assert handled == clock.now().astimezone(JST).date()
    assert smtp.messages == []
