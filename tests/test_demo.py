"""The demo data set: loaded into a freshly migrated SQLite database and checked by queries."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import db, migrate
from server.auth.passwords import PasswordHashing
from server.auth.totp import open_secret
from server.clock import FrozenClock
from server.demo import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoAlreadyLoadedError,
    DemoSummary,
    demo_loaded,
    has_non_demo_users,
    load_demo,
)
from server.demo.data import PATIENTS, VITALS_KEYS
from server.demo.loader import JST
from server.settings import Settings, load_settings
from store.models import (
    ChangeLog,
    Comment,
    Consent,
    Medication,
    Office,
    Patient,
    Pledge,
    Post,
    ReadReceipt,
    ReportTitle,
    Room,
    RoomMember,
    TotpFactor,
    User,
)
from store.models.enums import JobType, OfficeKind, Permission, PostKind, Role, UserStatus

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)  # 11:30 JST

DEMO_ACCOUNTS = {
    "demo-nurse": (Role.member, JobType.nurse, OfficeKind.visiting_nurse_station),
    "demo-doctor": (Role.member, JobType.doctor, OfficeKind.home_visit_clinic),
    "demo-caremanager": (Role.member, JobType.care_manager, OfficeKind.care_management_office),
    "demo-pharmacist": (Role.member, JobType.pharmacist, OfficeKind.pharmacy),
    "demo-officeadmin": (Role.office_admin, JobType.nurse, OfficeKind.visiting_nurse_station),
    "demo-admin": (Role.municipal_admin, JobType.city_staff, OfficeKind.city_office),
}


@dataclass
class DemoDb:
    settings: Settings
    summary: DemoSummary
    before: tuple[bool, bool]  # (demo_loaded, has_non_demo_users) before loading


def _settings(data_dir: Path) -> Settings:
    return load_settings(
        {
            "CAREBOOK_DATA_DIR": str(data_dir),
            "CAREBOOK_ARGON2_FAST": "1",
            "CAREBOOK_SECRET_KEY": "x" * 40,
        }
    )


async def _load(settings: Settings) -> tuple[DemoSummary, tuple[bool, bool]]:
    engine = db.create_engine(settings.database)
    try:
        maker = db.session_factory(engine)
        async with maker() as session:
            before = (await demo_loaded(session), await has_non_demo_users(session))
            summary = await load_demo(session, settings, FrozenClock(NOW))
        return summary, before
    finally:
        await engine.dispose()


def _build(settings: Settings) -> tuple[DemoSummary, tuple[bool, bool]]:
    migrate.upgrade(settings)
    return asyncio.run(_load(settings))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDb]:
    """One migrated and loaded database for the whole module (built in a worker thread,
    so that neither Alembic's nor our own event loop meets pytest-asyncio's)."""
    settings = _settings(tmp_path_factory.mktemp("demo"))
    with ThreadPoolExecutor(max_workers=1) as pool:
        summary, before = pool.submit(_build, settings).result()
    yield DemoDb(settings, summary, before)


@pytest.fixture
async def session(demo_db: DemoDb) -> AsyncIterator[AsyncSession]:
    engine = db.create_engine(demo_db.settings.database)
    try:
        maker = db.session_factory(engine)
        async with maker() as s:
            yield s
    finally:
        await engine.dispose()


async def _users(session: AsyncSession) -> dict[str, User]:
    return {u.login_id: u for u in (await session.scalars(select(User))).all()}


# ---------------------------------------------------------------------------


def test_summary_counts(demo_db: DemoDb) -> None:
    s = demo_db.summary
    assert demo_db.before == (False, False)
    assert s.offices >= 7
    assert s.users >= len(JobType)
    assert s.patients == 3
    assert s.rooms == 3
    assert s.posts >= 40
    assert s.comments >= 5
    assert s.receipts >= 3
    assert s.medications == 3


async def test_counts_match_database(demo_db: DemoDb, session: AsyncSession) -> None:
    s = demo_db.summary

    async def count(model: Any) -> int:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())

    assert await count(Office) == s.offices
    assert await count(User) == s.users
    assert await count(Patient) == s.patients
    assert await count(Room) == s.rooms
    assert await count(Post) == s.posts
    assert await count(Comment) == s.comments
    assert await count(ReadReceipt) == s.receipts
    assert await count(Medication) == s.medications
    assert await count(ChangeLog) == s.change_log
    assert await count(Consent) == 3


async def test_every_office_kind_needed_exists(session: AsyncSession) -> None:
    offices = (await session.scalars(select(Office))).all()
    kinds = {o.kind for o in offices}
    for kind in (
        OfficeKind.clinic,
        OfficeKind.home_visit_clinic,
        OfficeKind.visiting_nurse_station,
        OfficeKind.care_management_office,
        OfficeKind.pharmacy,
        OfficeKind.home_help_office,
        OfficeKind.city_office,
    ):
        assert kind.value in kinds
    for office in offices:
        assert office.is_demo
        assert office.name and office.name_kana and office.address.startswith("みどり市")
        assert office.phone.startswith("012-555-01") and office.fax.startswith("012-555-01")


async def test_every_job_type_has_a_user(session: AsyncSession) -> None:
    users = await _users(session)
    assert {u.job_type for u in users.values()} == {j.value for j in JobType}
    for login_id, user in users.items():
        assert login_id.startswith("demo-")
        assert user.email == f"{login_id}@example.jp"
        assert user.is_demo and user.status == UserStatus.active.value
        assert not user.password_must_change
        assert user.activated_at is not None and user.name and user.name_kana


async def test_demo_accounts(demo_db: DemoDb, session: AsyncSession) -> None:
    users = await _users(session)
    offices = {o.id: o for o in (await session.scalars(select(Office))).all()}
    auth = demo_db.settings.auth
    hashing = PasswordHashing(auth.argon2_time_cost, auth.argon2_memory_kib)
    assert DEMO_PASSWORD == "carebook-demo-2026"
    for login_id, (role, job_type, office_kind) in DEMO_ACCOUNTS.items():
        user = users[login_id]
        assert user.role == role.value, login_id
        assert user.job_type == job_type.value, login_id
        assert user.office_id is not None
        assert offices[user.office_id].kind == office_kind.value, login_id
        assert hashing.verify(user.password_hash, DEMO_PASSWORD)
        assert not hashing.verify(user.password_hash, "wrong-password-123")
    # The office admin runs demo-nurse's station.
    assert users["demo-officeadmin"].office_id == users["demo-nurse"].office_id
    # Nobody but these two administers anything.
    admins = {u.login_id for u in users.values() if u.role != Role.member.value}
    assert admins == {"demo-officeadmin", "demo-admin"}


async def test_totp_factors(demo_db: DemoDb, session: AsyncSession) -> None:
    users = await _users(session)
    factors = {f.user_id: f for f in (await session.scalars(select(TotpFactor))).all()}
    assert DEMO_TOTP_SECRET == "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"
    for user in users.values():
        factor = factors[user.id]
        assert factor.confirmed_at is not None
        assert open_secret(demo_db.settings.secret_key, factor.secret_encrypted) == DEMO_TOTP_SECRET


async def test_pledges(session: AsyncSession) -> None:
    pledges = (await session.scalars(select(Pledge))).all()
    offices = (await session.scalars(select(Office))).all()
    users = await _users(session)
    office_forms = {p.office_id for p in pledges if p.form == "4-1"}
    user_forms = {p.user_id for p in pledges if p.form == "4-2"}
    assert office_forms == {o.id for o in offices}
    assert user_forms == {u.id for u in users.values()}
    for pledge in pledges:
        assert pledge.version == "2024-04"
        assert pledge.signer_name
        assert pledge.accepted_at < NOW - timedelta(days=14)


async def test_patients_consents_and_rooms(session: AsyncSession) -> None:
    patients = (await session.scalars(select(Patient))).all()
    consents = {c.patient_id: c for c in (await session.scalars(select(Consent))).all()}
    rooms = {r.patient_id: r for r in (await session.scalars(select(Room))).all()}
    users = await _users(session)
    assert len(patients) == 3
    assert {p.sex for p in patients} == {"male", "female"}
    for patient in patients:
        assert patient.is_demo
        assert patient.birth_date.year < 1935  # 大正 or 昭和 一桁
        assert patient.insured_number.isdigit() and len(patient.insured_number) == 10
        consent = consents[patient.id]
        assert consent.signed_by in {"patient", "proxy"}
        if consent.signed_by == "proxy":
            assert consent.proxy_name and consent.proxy_relationship
        assert users["demo-caremanager"].name in consent.explained_by
        room = rooms[patient.id]
        assert room.status == "open" and room.opened_at is not None
        assert consent.consent_date <= room.opened_at.astimezone(JST).date()
    assert any(c.signed_by == "proxy" and c.proxy_relationship == "長女" for c in consents.values())


async def test_memberships(session: AsyncSession) -> None:
    users = await _users(session)
    by_id = {u.id: u.login_id for u in users.values()}
    members = (await session.scalars(select(RoomMember))).all()
    rooms: dict[str, dict[Any, str]] = defaultdict(dict)
    for m in members:
        assert m.left_at is None
        rooms[by_id[m.user_id]][m.room_id] = m.permission
    all_rooms = {r.id for r in (await session.scalars(select(Room))).all()}
    for login_id in ("demo-nurse", "demo-doctor", "demo-caremanager"):
        assert rooms[login_id] == {room_id: "write" for room_id in all_rooms}, login_id
    assert list(rooms["demo-pharmacist"].values()) == ["write"]
    assert any(p == Permission.read.value for perms in rooms.values() for p in perms.values())
    for room_id in all_rooms:
        in_room = [login for login, perms in rooms.items() if room_id in perms]
        assert len(in_room) > 3
    # Each user's membership version counts its memberships.
    for login_id, perms in rooms.items():
        assert users[login_id].membership_version == len(perms)


async def test_report_titles(session: AsyncSession) -> None:
    titles = (await session.scalars(select(ReportTitle))).all()
    per_room: dict[Any, dict[str, bool]] = defaultdict(dict)
    for t in titles:
        per_room[t.room_id][t.name] = t.vitals
    assert len(per_room) == 3
    for names in per_room.values():
        assert set(names) == {
            "訪問看護記録", "バイタル", "服薬", "褥瘡・創傷", "リハビリ", "連絡事項", "退院調整"
        }
        assert [n for n, vitals in names.items() if vitals] == ["バイタル"]


async def test_posts(session: AsyncSession) -> None:
    posts = (await session.scalars(select(Post))).all()
    titles = {t.id: t for t in (await session.scalars(select(ReportTitle))).all()}
    members = {
        (m.room_id, m.user_id): m.permission
        for m in (await session.scalars(select(RoomMember))).all()
    }
    assert len(posts) >= 40
    assert {p.room_id for p in posts} == {r.id for r in (await session.scalars(select(Room)))}
    assert len({p.author_id for p in posts}) >= 10
    vitals_rooms = set()
    for post in posts:
        assert NOW - timedelta(days=14) <= post.created_at < NOW
        local = post.created_at.astimezone(JST)
        assert 9 <= local.hour < 18, post.body[:20]
        assert members[(post.room_id, post.author_id)] == "write"
        title = titles[post.report_title_id] if post.report_title_id else None
        assert title is not None and title.room_id == post.room_id
        assert post.body.strip()
        if post.vitals is not None:
            assert title.vitals
            assert post.vitals and set(post.vitals) <= set(VITALS_KEYS)
            temperature = post.vitals.get("temperature")
            if temperature is not None:
                assert round(temperature, 1) == temperature and 35 < temperature < 42
            vitals_rooms.add(post.room_id)
    assert len(vitals_rooms) == 3
    closing = [p for p in posts if p.kind == PostKind.closing_request.value]
    assert len(closing) == 1
    assert closing[0].closing_reason == "facilityAdmission"
    assert all(p.closing_reason is None for p in posts if p.kind == PostKind.normal.value)
    assert sum(p.urgent for p in posts) >= 2
    assert any(p.vitals and p.vitals.get("temperature") == 38.2 and p.urgent for p in posts)
    bodies = "\n".join(p.body for p in posts)
    for word in ("DESIGN-R", "アムロジピン", "退院"):
        assert word in bodies


async def test_medications_and_allergy_of_the_first_patient(session: AsyncSession) -> None:
    """青木 様's 服薬・アレルギー is filled, by the pharmacist, each line told in a 服薬 post
    in the words of the app's `medication.set`."""
    aoki = (await session.scalars(select(Patient).where(Patient.name == PATIENTS[0].name))).one()
    room = (await session.scalars(select(Room).where(Room.patient_id == aoki.id))).one()
    lines = (await session.scalars(
        select(Medication).where(Medication.room_id == room.id).order_by(Medication.version)
    )).all()
    assert [(m.kind, m.name) for m in lines] == [
        ("drug", "アムロジピン錠5mg"), ("drug", "酸化マグネシウム錠330mg"),
        ("allergy", "セフェム系抗菌薬")]
    pharmacist = (await session.scalars(
        select(User).where(User.login_id == "demo-pharmacist"))).one()
    assert {m.changed_by for m in lines} == {pharmacist.id}
    drugs = [m for m in lines if m.kind == "drug"]
    assert all(m.started_on is not None and m.stopped_on is None for m in drugs)
    assert drugs[0].dose == "1回1錠" and drugs[0].timing == "1日1回 朝食後"
    assert lines[2].reaction.startswith("全身の発疹")
    assert all(m.deleted_at is None and m.changed_at.tzinfo is not None for m in lines)
    told = (await session.scalars(
        select(Post).where(Post.room_id == room.id, Post.body.startswith("【"))
        .order_by(Post.version))).all()
    assert [p.body.splitlines()[0] for p in told] == [
        "【服薬】開始：アムロジピン錠5mg", "【服薬】開始：酸化マグネシウム錠330mg",
        "【アレルギー】登録：セフェム系抗菌薬"]
    assert "用法：1日1回 朝食後" in told[0].body
    meds_title = (await session.scalars(select(ReportTitle).where(
        ReportTitle.room_id == room.id, ReportTitle.name == "服薬"))).one()
    assert {p.report_title_id for p in told} == {meds_title.id}
    assert all(p.author_id == pharmacist.id and not p.urgent for p in told)
    # Each line's change comes just before its post's, as the engine records them.
    assert [p.version - m.version for m, p in zip(lines, told, strict=True)] == [1, 1, 1]


async def test_comments_and_receipts(session: AsyncSession) -> None:
    posts = {p.id: p for p in (await session.scalars(select(Post))).all()}
    comments = (await session.scalars(select(Comment))).all()
    for comment in comments:
        post = posts[comment.post_id]
        assert comment.room_id == post.room_id
        assert comment.created_at > post.created_at
        assert comment.version > post.version
        assert comment.created_at < NOW
    receipts = (await session.scalars(select(ReadReceipt))).all()
    assert receipts
    for receipt in receipts:
        assert 0 < receipt.up_to_version < receipt.version


async def test_room_versions_and_change_log(session: AsyncSession) -> None:
    rooms = (await session.scalars(select(Room))).all()
    log = (await session.scalars(select(ChangeLog).order_by(ChangeLog.seq))).all()
    per_room: dict[Any, list[ChangeLog]] = defaultdict(list)
    for row in log:
        per_room[row.room_id].append(row)
        assert row.op == "put"
        assert row.entity_type in {
            "room", "patient", "member", "reportTitle", "post", "comment", "receipt",
            "medication",
        }
    for room in rooms:
        rows = per_room[room.id]
        versions = [r.version for r in rows]
        assert versions == list(range(1, len(rows) + 1))  # in seq order, no gaps
        assert room.version == max(versions)
        ats = [r.at for r in rows]
        assert ats == sorted(ats)  # version order is chronological
        kinds = Counter(r.entity_type for r in rows)
        assert kinds["room"] == 1 and kinds["patient"] == 1 and kinds["reportTitle"] == 7
    # Every versioned row points at its change-log entry.
    entries = {(r.room_id, r.entity_type, r.entity_id): r.version for r in log}
    versioned: tuple[tuple[Any, str], ...] = (
        (Post, "post"), (Comment, "comment"), (RoomMember, "member"),
        (ReportTitle, "reportTitle"), (Medication, "medication"),
    )
    for model, kind in versioned:
        for obj in (await session.scalars(select(model))).all():
            assert entries[(obj.room_id, kind, str(obj.id))] == obj.version
    for receipt in (await session.scalars(select(ReadReceipt))).all():
        assert entries[(receipt.room_id, "receipt", str(receipt.user_id))] == receipt.version


async def test_all_datetimes_are_aware_utc(session: AsyncSession) -> None:
    checked = 0
    for model in (
        Office, User, Pledge, Patient, Consent, Room, RoomMember, Post, Comment,
        ReadReceipt, TotpFactor, ChangeLog,
    ):
        for obj in (await session.scalars(select(model))).all():
            state = inspect(obj)
            for attr in state.mapper.column_attrs:
                value = getattr(obj, attr.key)
                if isinstance(value, datetime):
                    assert value.tzinfo is not None, (model.__name__, attr.key)
                    assert value.utcoffset() == timedelta(0), (model.__name__, attr.key)
                    assert value <= NOW, (model.__name__, attr.key)
                    checked += 1
    assert checked > 100


async def test_loaded_flags_and_no_second_load(demo_db: DemoDb, session: AsyncSession) -> None:
    assert await demo_loaded(session)
    assert not await has_non_demo_users(session)
    with pytest.raises(DemoAlreadyLoadedError):
        await load_demo(session, demo_db.settings, FrozenClock(NOW))
    assert int((await session.execute(select(func.count()).select_from(User))).scalar_one()) == (
        demo_db.summary.users
    )


async def test_real_user_is_noticed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await asyncio.to_thread(migrate.upgrade, settings)
    engine = db.create_engine(settings.database)
    try:
        maker = db.session_factory(engine)
        async with maker() as s:
            assert not await has_non_demo_users(s)
            assert not await demo_loaded(s)
            s.add(User(login_id="real-user", name="実在 太郎", job_type=JobType.nurse.value))
            await s.commit()
            assert await has_non_demo_users(s)
            assert not await demo_loaded(s)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 1, 1, 15, 1, tzinfo=UTC),  # 00:01 JST: "today" has just begun
        datetime(2026, 3, 1, 14, 59, tzinfo=UTC),  # 23:59 JST, the day after 28 February
    ],
)
async def test_loads_at_any_time_of_day(tmp_path: Path, now: datetime) -> None:
    settings = _settings(tmp_path)
    await asyncio.to_thread(migrate.upgrade, settings)
    engine = db.create_engine(settings.database)
    try:
        maker = db.session_factory(engine)
        async with maker() as s:
            summary = await load_demo(s, settings, FrozenClock(now))
            assert summary.posts >= 40
            first, last = (
                await s.execute(select(func.min(Post.created_at), func.max(Post.created_at)))
            ).one()
            assert now - timedelta(days=14) <= first and last < now
    finally:
        await engine.dispose()
