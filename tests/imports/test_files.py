"""Importing a city's files from its previous vendor with `carebook import`: CP932 CSV and
xlsx read alike, the dry run lists every mistake with file, row, column and reason and writes
nothing, applying brings in offices, people (pending, no password), rooms opened by the room
rules and 300 posts of history (original times and authors, marked imported, read, no push),
re-running changes nothing, a corrected file changes what it corrects, and people get in by
an activation mail or a printed letter."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from server.app import create_app
from server.demo import data as demo
from server.imports.columns import KINDS, recognise, template_csv
from server.imports.files import read_file, read_sheet
from server.settings import load_settings
from store.models import (
    Addressee,
    AuditEvent,
    Comment,
    OneTimeToken,
    Outbox,
    Patient,
    Post,
    ReadReceipt,
    Room,
    RoomMember,
    RoomPersonal,
    User,
)
from store.models.enums import RoomStatus, UserStatus
from tests.conftest import BASE_URL, server_env
from tests.factories import DEFAULT_PASSWORD, set_password_and_totp
from tests.ops.support import invoke, run, with_session
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
JST = timezone(timedelta(hours=9))

# What the dry run of the mistakes set must say, row by row: (file, row, column, code).
EXPECTED_MISTAKES = [
    ("利用者.csv", 5, "事業所番号", "unknown_office"),
    ("利用者.csv", 12, "ログインID", "duplicate_login_id"),
    ("利用者.csv", 13, "職種", "unknown_code"),
    ("利用者.csv", 14, "フリガナ", "invalid_value"),
    ("患者.csv", 4, "生年月日", "invalid_date"),
    ("部屋.csv", 3, None, "room_requirements_missing"),
    ("部屋.csv", 5, "通知用の表示名", "label_names_patient"),
    ("連絡帳.csv", 12, "投稿者ログインID", "author_not_member"),
    ("連絡帳.csv", 22, "ケアレポート標題", "unknown_title"),
    ("連絡帳.csv", 32, "体温", "vitals_out_of_range"),
]


@pytest.fixture()
def env(data_dir: Path, database_url: str) -> dict[str, str]:
    return server_env(data_dir, database_url)


def _count(env: dict[str, str], model: Any, *where: Any) -> int:
    settings = load_settings(env)
    return int(with_session(settings, lambda s: s.scalar(
        select(func.count()).select_from(model).where(*where))))


def _history_row(record_id: str) -> dict[str, str]:
    sheet = read_file(FIXTURES / "cp932" / "連絡帳.csv")
    row = next(cells for _, cells in sheet.rows if cells[3] == record_id)
    return dict(zip(sheet.headers, row, strict=True))


def _problems(output: str) -> list[tuple[str, int, str | None, str]]:
    """The problem table the command prints: file, row, column, reason."""
    lines = output.split("ファイル\t行\t列\t内容\n", 1)[1].strip().splitlines()
    out = []
    for line in lines:
        file, row, column, reason = line.split("\t")
        out.append((file, int(row), None if column == "-" else column, reason))
    return out


def test_cp932_csv_and_xlsx_read_as_the_same_data() -> None:
    for kind in KINDS:
        csv_sheet = read_file(FIXTURES / "cp932" / f"{kind.title}.csv")
        xlsx_sheet = read_file(FIXTURES / "xlsx" / f"{kind.title}.xlsx")
        assert csv_sheet.encoding == "cp932"
        assert csv_sheet.headers == xlsx_sheet.headers
        assert csv_sheet.rows == xlsx_sheet.rows, kind.title
        mapped = recognise(csv_sheet)
        assert mapped is not None and mapped.kind is kind
    users = read_file(FIXTURES / "cp932" / "利用者.csv")
    assert users.rows[0][1][1] == "髙橋 誠"  # a CP932 character Shift_JIS proper lacks


def test_utf8_with_and_without_bom_and_a_template_read_alike() -> None:
    text = (FIXTURES / "cp932" / "患者.csv").read_bytes().decode("cp932")
    plain = read_sheet("患者.csv", text.encode("utf-8"))
    bom = read_sheet("患者.csv", ("\ufeff" + text).encode("utf-8"))
    assert (plain.encoding, bom.encoding) == ("utf-8", "utf-8-sig")
    assert plain.headers == bom.headers and plain.rows == bom.rows
    for kind in KINDS:
        blank = read_sheet(kind.template_name, template_csv(kind))
        assert blank.headers == [c.header for c in kind.columns]
        assert blank.rows == []
        found = recognise(blank)
        assert found is not None and found.kind is kind


def test_dry_run_lists_every_mistake_by_file_row_and_column(env: dict[str, str]) -> None:
    done = invoke(env, "import", "--dry-run", str(FIXTURES / "mistakes"))
    assert done.exit_code == 1
    found = _problems(done.output)
    assert [(f, r, c) for f, r, c, _ in found] == [(f, r, c) for f, r, c, _ in EXPECTED_MISTAKES]
    reasons = [reason for *_, reason in found]
    assert "「0110199999」が見つかりません" in reasons[0]
    assert "4行目" in reasons[1]
    assert reasons[2].startswith("職種が正しくありません（医師、")
    assert reasons[3] == "ひらがなまたはカタカナで入力してください。"
    assert reasons[4] == "昭和70年1月1日は昭和の期間外です。"
    assert "ケアマネジャー（介護支援専門員）" in reasons[5]
    assert "氏名を含めないでください" in reasons[6]
    assert reasons[7] == "投稿者「坂本 光」はこの部屋の参加者ではありません。"
    assert reasons[8] == "標題「入浴」はこの部屋のケアレポート標題にありません。"
    assert "範囲を外れています" in reasons[9]
    for model in (User, Room, Post):
        assert _count(env, model) == 0, model
    # Only the check itself is in the audit log.
    assert _count(env, AuditEvent) == _count(
        env, AuditEvent, AuditEvent.action == "import.files_checked") == 1
    # Applying the same files is refused the same way: all or nothing.
    applied = invoke(env, "import", str(FIXTURES / "mistakes"))
    assert applied.exit_code == 1
    assert _count(env, User) == 0


def test_the_city_comes_in_once_and_a_rerun_changes_nothing(env: dict[str, str]) -> None:
    dry = invoke(env, "import", "--dry-run", str(FIXTURES / "cp932"))
    assert dry.exit_code == 0, dry.output
    assert "users: 30 new" in dry.output and "posts: 300 new" in dry.output
    assert _count(env, User) == 0

    done = invoke(env, "import", str(FIXTURES / "cp932"))
    assert done.exit_code == 0, done.output
    assert "carebook: 30 new ID(s) issued; 0 activation mail(s) sent" in done.output
    assert _count(env, User, User.status == UserStatus.pending,
                  User.password_hash.is_(None)) == 30
    assert _count(env, Room, Room.status == RoomStatus.open) == 5
    assert _count(env, Patient) == 5
    assert _count(env, Post, Post.import_key.is_not(None), Post.urgent.is_(False)) == 300
    assert _count(env, Comment, Comment.import_key.is_not(None)) == 45
    assert _count(env, Outbox) == 0  # no push for history
    assert _count(env, OneTimeToken) == 0  # nobody was sent anything yet

    settings = load_settings(env)

    async def facts(session: Any) -> dict[str, Any]:
        post = (await session.execute(
            select(Post, User.login_id).join(User, User.id == Post.author_id)
            .where(Post.import_key == "r:K00001"))).one()
        receipts = (await session.execute(
            select(func.count(), func.min(ReadReceipt.up_to_version - Room.version))
            .select_from(ReadReceipt).join(Room, Room.id == ReadReceipt.room_id))).one()
        members = await session.scalar(select(func.count()).select_from(RoomMember).where(
            RoomMember.left_at.is_(None)))
        return {"post": post, "receipts": receipts, "members": members}

    got = with_session(settings, facts)
    post, author = got["post"]
    record = _history_row("K00001")
    assert author == record["記録者ID"]
    written = post.created_at.astimezone(JST).strftime("%Y/%m/%d %H:%M")
    assert written == record["記録日時"]  # the original time (Japan), not the import's
    assert post.vitals is None or set(post.vitals) <= {
        "systolic", "diastolic", "pulse", "temperature", "spo2"}
    count, lag = got["receipts"]
    assert count == got["members"]  # every member has read the imported history …
    assert lag < 0 and lag >= -count  # … up to the history (the receipts came after it)

    again = invoke(env, "import", str(FIXTURES / "cp932"))
    assert again.exit_code == 0, again.output
    assert not re.search(r": [1-9]\d* new", again.output), again.output
    assert not re.search(r"[1-9]\d* changed", again.output), again.output
    assert "users: 0 new, 0 changed, 30 unchanged" in again.output
    assert "posts: 0 new, 0 changed, 300 unchanged" in again.output
    # The workbook version of the same data is the same data.
    same = invoke(env, "import", str(FIXTURES / "xlsx"))
    assert same.exit_code == 0, same.output
    assert not re.search(r"[1-9]\d* (new|changed)", same.output), same.output
    assert _count(env, Post) == 300


def test_a_corrected_file_changes_what_it_corrects(env: dict[str, str], tmp_path: Path) -> None:
    assert invoke(env, "import", str(FIXTURES / "cp932")).exit_code == 0
    corrected = tmp_path / "corrected"
    shutil.copytree(FIXTURES / "cp932", corrected)
    patients = corrected / "患者.csv"
    patients.write_bytes(patients.read_bytes().decode("cp932")
                         .replace("みどり市若葉町3丁目2番1号", "みどり市若葉町3丁目2番10号")
                         .encode("cp932"))
    history = corrected / "連絡帳.csv"
    lines = history.read_bytes().decode("cp932").split("\r\n")
    header, first = lines[0].split(","), lines[1].split(",")
    first[header.index("記録内容")] = "訂正：訪問時、表情穏やか。"
    lines[1] = ",".join(first)
    history.write_bytes("\r\n".join(lines).encode("cp932"))
    done = invoke(env, "import", str(corrected))
    assert done.exit_code == 0, done.output
    assert "rooms: 0 new, 1 changed, 4 unchanged" in done.output
    assert "posts: 0 new, 1 changed, 299 unchanged" in done.output
    assert _count(env, Patient, Patient.address == "みどり市若葉町3丁目2番10号") == 1
    assert _count(env, Post, Post.body == "訂正：訪問時、表情穏やか。") == 1


def test_imported_history_raises_no_attention_item(env: dict[str, str], tmp_path: Path) -> None:
    """An SpO2 of 86 % and a fever in the old system's history are history: kept as written,
    but no flag, no urgent mark, no 宛先, no push, and every member has read them."""
    files = tmp_path / "files"
    shutil.copytree(FIXTURES / "cp932", files)
    history = files / "連絡帳.csv"
    lines = history.read_bytes().decode("cp932").split("\r\n")
    header, first = lines[0].split(","), lines[1].split(",")
    first[header.index("SpO2")], first[header.index("体温")] = "86", "38.6"
    lines[1] = ",".join(first)
    history.write_bytes("\r\n".join(lines).encode("cp932"))
    done = invoke(env, "import", str(files))
    assert done.exit_code == 0, done.output

    settings = load_settings(env)

    async def facts(session: Any) -> dict[str, Any]:
        post = await session.scalar(select(Post).where(Post.import_key == "r:K00001"))
        reader = await session.scalar(
            select(User.login_id).join(RoomMember, RoomMember.user_id == User.id)
            .where(RoomMember.room_id == post.room_id, RoomMember.user_id != post.author_id,
                   RoomMember.left_at.is_(None)).order_by(User.login_id).limit(1))
        return {"post": post, "reader": reader,
                "addressees": await session.scalar(select(func.count()).select_from(Addressee)),
                "personal": await session.scalar(select(func.count()).select_from(RoomPersonal))}

    got = with_session(settings, facts)
    post = got["post"]
    assert post.vitals["spo2"] == 86 and post.vitals["temperature"] == 38.6  # kept as written
    assert post.vitals_flags is None and post.urgent is False
    assert post.addressee_ids == [] and post.asks_answer is False
    assert (got["addressees"], got["personal"]) == (0, 0)
    assert _count(env, Outbox) == 0

    async def as_member() -> tuple[list[dict[str, Any]], dict[str, int]]:
        await set_password_and_totp(settings, got["reader"], demo.DEMO_TOTP_SECRET)
        async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
            api = ApiClient(client)
            signed = await api.sign_in_totp(got["reader"], DEFAULT_PASSWORD,
                                            demo.DEMO_TOTP_SECRET)
            assert signed.status_code == 200, signed.text
            pulled = (await api.post("/api/sync/pull", {"cursor": None, "limit": 1000})).json()
            unread = (await api.get("/api/rooms/unread")).json()
            return pulled["rooms"][str(post.room_id)]["changes"], unread

    changes, unread = run(as_member())
    [data] = [c["data"] for c in changes if c["id"] == str(post.id)]
    assert data["imported"] is True and data["vitals"]["spo2"] == 86
    assert data["vitalsFlags"] is None and data["urgent"] is False
    assert not any(c["type"] in ("addressee", "personal") for c in changes)
    assert unread and set(unread.values()) == {0}  # read: nothing new in any room


def test_people_get_in_by_activation_mail_or_printed_letter(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    with SmtpSink() as smtp:
        env = server_env(data_dir, database_url, CAREBOOK_SMTP_HOST=smtp.host,
                         CAREBOOK_SMTP_PORT=str(smtp.port))
        letters = tmp_path / "letters.html"
        done = invoke(env, "import", "--send-activation", "--batch-size", "10",
                      "--batch-pause", "0", "--letters", str(letters), str(FIXTURES / "cp932"))
        assert done.exit_code == 0, done.output
        assert "27 activation mail(s) sent, 3 letter(s) written" in done.output
        mails = smtp.wait_for(27)
    assert len({m.to for m in mails}) == 27
    nurse = next(m for m in mails if m.to == "midori-n01@example.jp")
    assert "midori-n01" in nurse.text
    assert not re.search(r"パスワード[:：]", nurse.text)  # a link to set one, never a password
    page = letters.read_text()
    assert page.count('class="letter"') == 3
    assert "小川 陽子" in page and "midori-d04" in page
    codes = re.findall(r'class="code">([A-Z0-9-]{24})<', page)
    assert len(codes) == 3
    assert _count(env, AuditEvent, AuditEvent.action == "admin.activation_sent") == 27
    assert _count(env, AuditEvent, AuditEvent.action == "admin.activation_letter") == 3

    settings = load_settings(env)

    async def activate(link_token: str) -> tuple[int, str]:
        async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
            api = ApiClient(client)
            shown = await api.get(f"/api/activation/{link_token}")
            assert shown.status_code == 200, shown.text
            done = await api.post(f"/api/activation/{link_token}",
                                  {"password": "a long enough new passphrase"})
            return done.status_code, shown.json()["loginId"]

    link = SmtpSink.links(nurse)[0]
    status, login = run(activate(link.rsplit("/", 1)[1]))
    assert (status, login) == (200, "midori-n01")
    status, login = run(activate(codes[0].lower().replace("-", "")))  # typed from the letter
    assert status == 200
    assert _count(env, User, User.status == UserStatus.active) == 2


def test_docs_describe_every_kind_and_column() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "import.md").read_text()
    for kind in KINDS:
        section = docs.split(f"### {kind.title}（`{kind.template_name}`）", 1)[1].split("###")[0]
        for column in kind.columns:
            row = next(line for line in section.splitlines()
                       if line.startswith(f"| {column.header} |"))
            for alias in column.aliases:
                assert alias in row, (kind.title, column.header, alias)
