"""A patient's access log for the city: who read or wrote the room, when, from which device.

For a disclosure request the clerk lists every read and write of one patient's room, with
the person's name and office and the device — never the text of a post. The clerk's own
look at the log is an entry of the log.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from sqlalchemy import update

from server.clock import FrozenClock
from store.models import User

from .conftest import City, SignIn, audit_events
from .test_rooms import open_room

SECRET_BODY = "血圧 150/90、夜間の咳が続いています"


async def test_the_log_lists_reads_and_writes_with_person_office_and_device_but_no_text(
    city: City, sign_in: SignIn, clock: FrozenClock, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    nurse = await sign_in(city.users["station_nurse"])
    assert (await nurse.post("/api/sync/pull", {"cursor": None})).status_code == 200
    clock.advance(minutes=5)
    title = room["reportTitles"][0]["id"]
    pushed = await nurse.post(
        "/api/sync/push",
        {"clientId": "nurse-tablet", "mutations": [{"id": 1, "name": "post.create", "args": {
            "id": str(uuid.uuid4()), "roomId": room["id"], "reportTitleId": title,
            "body": SECRET_BODY}}]},
    )
    assert pushed.status_code == 200, pushed.text

    answer = await admin.get(f"/api/admin/rooms/{room['id']}/access-log")
    assert answer.status_code == 200, answer.text
    log = answer.json()
    assert SECRET_BODY not in answer.text and "150/90" not in answer.text
    assert log["room"]["patientName"] == "青木 ハナ"
    by_action = {e["action"]: e for e in log["entries"]}
    wrote, read = by_action["post.create"], by_action["sync.pull"]
    assert wrote["actionLabel"] == "投稿" and wrote["kind"] == "write"
    assert read["kind"] == "read" and read["count"] and read["count"] > 0
    for entry in (wrote, read):
        assert entry["actorName"] == "鈴木 真理子"
        assert entry["actorOfficeName"] == "みどり訪問看護ステーション"
        assert entry["actorJobTypeLabel"] == "看護師"
        assert entry["deviceId"] and entry["deviceLabel"] is not None
    assert wrote["at"] > read["at"]  # newest first
    assert by_action["admin.room_opened"]["kind"] == "admin"

    (viewed,) = await audit_events(sessionmaker, "admin.access_log_viewed")
    assert str(viewed.room_id) == room["id"] and viewed.patient_id is not None
    assert viewed.actor_id == city.id("admin")
    again = (await admin.get(f"/api/admin/rooms/{room['id']}/access-log")).json()
    assert again["entries"][0]["action"] == "admin.access_log_viewed"
    assert again["entries"][0]["actorName"] == "市役所 太郎"


async def test_the_log_pages_back_and_filters_by_day(
    city: City, sign_in: SignIn, clock: FrozenClock
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    nurse = await sign_in(city.users["station_nurse"])
    await nurse.post("/api/sync/pull", {"cursor": None})
    path = f"/api/admin/rooms/{room['id']}/access-log"
    # The room's opening and the nurse's first pull: one a page.
    first = (await admin.get(path, params={"limit": 1})).json()
    assert len(first["entries"]) == 1 and first["nextBefore"] is not None
    older = (await admin.get(path, params={"limit": 1, "before": first["nextBefore"]})).json()
    assert len(older["entries"]) == 1
    assert {e["seq"] for e in older["entries"]}.isdisjoint(e["seq"] for e in first["entries"])
    assert max(e["seq"] for e in older["entries"]) < min(e["seq"] for e in first["entries"])
    # Nothing happened on the next day (JST).
    tomorrow = (await admin.get(path, params={"since": "2026-11-27"})).json()
    assert tomorrow["entries"] == [] and tomorrow["nextBefore"] is None
    today = (await admin.get(path, params={"since": "2026-11-26", "until": "2026-11-26"})).json()
    assert any(e["action"] == "sync.pull" for e in today["entries"])


async def test_the_log_refuses_others_and_bad_input(city: City, sign_in: SignIn) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    path = f"/api/admin/rooms/{room['id']}/access-log"
    for who in ("station_nurse", "station_admin"):
        other = await sign_in(city.users[who])
        refused = await other.get(path)
        assert refused.status_code == 403 and refused.json()["error"] == "admin_only"
    assert (await admin.get(f"/api/admin/rooms/{uuid.uuid4()}/access-log")).status_code == 404
    reversed_period = await admin.get(path, params={"since": "2026-11-27", "until": "2026-11-26"})
    assert reversed_period.status_code == 400
    assert reversed_period.json()["error"] == "period_reversed"
    for params in ({"limit": 0}, {"limit": 501}, {"since": "yesterday"}, {"before": -1}):
        assert (await admin.get(path, params=params)).status_code == 400, params


async def test_the_log_downloads_as_an_excel_ready_csv_that_is_itself_audited(
    city: City, sign_in: SignIn, clock: FrozenClock, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    # A name typed as a formula must reach the spreadsheet as text (arranged in the database).
    async with sessionmaker() as s:
        await s.execute(
            update(User)
            .where(User.id == city.id("station_nurse"))
            .values(name='=HYPERLINK("http://evil.example/","鈴木")')
        )
        await s.commit()
    nurse = await sign_in(city.users["station_nurse"])
    assert (await nurse.post("/api/sync/pull", {"cursor": None})).status_code == 200
    clock.advance(minutes=5)
    pushed = await nurse.post(
        "/api/sync/push",
        {"clientId": "nurse-tablet", "mutations": [{"id": 1, "name": "post.create", "args": {
            "id": str(uuid.uuid4()), "roomId": room["id"],
            "reportTitleId": room["reportTitles"][0]["id"], "body": SECRET_BODY}}]},
    )
    assert pushed.status_code == 200, pushed.text

    answer = await admin.get(f"/api/admin/rooms/{room['id']}/access-log.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="access-log-')
    assert "青木" not in disposition  # the file's name does not name the patient
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and SECRET_BODY not in text and "150/90" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["日時", "ログインID", "氏名", "事業所", "職種", "区分", "操作", "件数",
                       "結果", "端末", "端末ID", "IPアドレス"]
    body = rows[1:]
    # Oldest first, as a report reads: the opening, then her read, then her post.
    actions = [r[6] for r in body]
    assert actions.index("部屋の作成（管理者）") < actions.index("閲覧（端末への同期）")
    assert actions.index("閲覧（端末への同期）") < actions.index("投稿")
    wrote = body[actions.index("投稿")]
    assert wrote[0] == "2026-11-26 18:05:00"  # Japan's time
    assert wrote[1] == "station-nurse"
    assert wrote[2] == '\'=HYPERLINK("http://evil.example/","鈴木")'
    assert wrote[3] == "みどり訪問看護ステーション" and wrote[4] == "看護師"
    assert wrote[5] == "書込" and wrote[8] == "成功" and wrote[10]
    assert not [cell for row in body for cell in row if cell[:1] in ("=", "+", "-", "@")]

    (exported,) = await audit_events(sessionmaker, "admin.access_log_exported")
    assert str(exported.room_id) == room["id"] and exported.patient_id is not None
    assert exported.actor_id == city.id("admin") and exported.details["count"] == len(body)
    # The download shows in the log it came from.
    again = (await admin.get(f"/api/admin/rooms/{room['id']}/access-log")).json()
    assert again["entries"][0]["action"] == "admin.access_log_exported"
    assert again["entries"][0]["actionLabel"] == "アクセスログのCSV出力（管理者）"

    # A period: the next day holds nothing but the header.
    tomorrow = await admin.get(f"/api/admin/rooms/{room['id']}/access-log.csv",
                               params={"since": "2026-11-27"})
    assert list(csv.reader(io.StringIO(tomorrow.content.decode("utf-8-sig"))))[1:] == []


async def test_the_csv_refuses_others_and_bad_input_and_records_nothing(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    path = f"/api/admin/rooms/{room['id']}/access-log.csv"
    for who in ("station_nurse", "station_admin"):
        other = await sign_in(city.users[who])
        refused = await other.get(path)
        assert refused.status_code == 403 and refused.json()["error"] == "admin_only"
    assert (await admin.get(f"/api/admin/rooms/{uuid.uuid4()}/access-log.csv")).status_code == 404
    reversed_period = await admin.get(path, params={"since": "2026-11-27", "until": "2026-11-26"})
    assert reversed_period.status_code == 400
    assert reversed_period.json()["error"] == "period_reversed"
    assert (await admin.get(path, params={"since": "yesterday"})).status_code == 400
    assert await audit_events(sessionmaker, "admin.access_log_exported") == []
