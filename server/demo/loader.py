"""Insert the demo data of `server.demo.data` into an empty (or demo-free) database.

`load_demo` runs in the caller's session and **commits itself** (one
transaction: everything or, on error, a rollback and nothing). Rooms get their
sync history too: every row synced through a room takes the next room version
and queues one change-log row, in chronological order, logged at the loading
transaction's stream position when it commits (`sync.stream`), so the
delta-sync engine can serve the demo rooms like any other.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.admin.composition import usual_visits_homes
from server.auth.passwords import PasswordHashing
from server.auth.totp import seal_secret
from server.clock import Clock
from server.japan import JST
from server.settings import Settings
from store.models import (
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
    new_id,
)
from store.models.enums import Permission, PostKind, RoomStatus, UserStatus
from sync.medications import KEEPERS, line_values, post_text
from sync.stream import PendingChange, queue_change, queue_stay
from sync.thresholds import DEFAULTS, flags_for

from . import data
from .data import At


class DemoAlreadyLoadedError(RuntimeError):
    """The database already holds demo users; loading twice would duplicate them."""


@dataclass(frozen=True)
class DemoSummary:
    offices: int
    users: int
    patients: int
    rooms: int
    posts: int
    comments: int
    receipts: int
    medications: int
    change_log: int


async def has_non_demo_users(session: AsyncSession) -> bool:
    """True when a real (non-demo) user exists: the installation is in use, keep demo data out."""
    stmt = select(exists().where(User.is_demo.is_(False)))
    return bool((await session.execute(stmt)).scalar())


async def demo_loaded(session: AsyncSession) -> bool:
    """True when demo users are present."""
    stmt = select(exists().where(User.is_demo.is_(True)))
    return bool((await session.execute(stmt)).scalar())


def to_utc(now: datetime, at: At) -> datetime:
    """`at` (days before today in JST, wall-clock JST time) as a tz-aware UTC datetime."""
    day = now.astimezone(JST).date() - timedelta(days=at.days_ago)
    local = datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=JST)
    return local.astimezone(UTC)


class _Builder:
    """Builds the rows in memory, assigning room versions, then adds them layer by layer."""

    def __init__(self, settings: Settings, now: datetime) -> None:
        self.settings = settings
        self.now = now
        self.offices: dict[str, Office] = {}
        self.users: dict[str, User] = {}
        self.patients: dict[str, Patient] = {}
        self.rooms: dict[str, Room] = {}
        self.members: dict[tuple[str, str], RoomMember] = {}
        self.titles: dict[tuple[str, str], ReportTitle] = {}
        self.change_log: list[PendingChange] = []
        self.posts: list[Post] = []
        self.comments: list[Comment] = []
        self.receipts: list[ReadReceipt] = []
        self.medications: list[Medication] = []

    def at(self, at: At) -> datetime:
        moment = to_utc(self.now, at)
        if moment > self.now:
            raise ValueError(f"demo data moment {at} lies in the future of {self.now}")
        return moment

    def bump(self, room: Room, entity_type: str, entity_id: uuid.UUID, at: datetime) -> int:
        room.version += 1
        self.change_log.append(
            PendingChange(room.id, room.version, entity_type, str(entity_id), "put", at)
        )
        return room.version

    # -- people ---------------------------------------------------------------

    def build_offices(self) -> list[Office]:
        created = self.at(At(data.OFFICE_PLEDGE_DAYS_AGO, 10, 0))
        for spec in data.OFFICES:
            self.offices[spec.key] = Office(
                id=new_id(),
                name=spec.name,
                name_kana=spec.name_kana,
                kind=spec.kind.value,
                postal_code=spec.postal_code,
                address=spec.address,
                phone=spec.phone,
                fax=spec.fax,
                is_demo=True,
                created_at=created,
            )
        return list(self.offices.values())

    def build_users(self, password_hash: str) -> list[User]:
        issued = self.at(At(data.USER_PLEDGE_DAYS_AGO, 10, 0))
        activated = self.at(At(data.USER_PLEDGE_DAYS_AGO - 1, 9, 30))
        # Set here, not bumped per membership later: that would be an UPDATE (and touch
        # `updated_at` with the wall clock instead of the demo clock).
        memberships = Counter(login for room in data.ROOMS for login, _perm in room.members)
        for spec in data.USERS:
            self.users[spec.login_id] = User(
                id=new_id(),
                login_id=spec.login_id,
                name=spec.name,
                name_kana=spec.name_kana,
                email=spec.email,
                job_type=spec.job_type.value,
                visits_homes=usual_visits_homes(
                    spec.job_type.value, self.offices[spec.office_key].kind
                ),
                role=spec.role.value,
                status=UserStatus.active.value,
                office_id=self.offices[spec.office_key].id,
                password_hash=password_hash,
                password_must_change=False,
                password_changed_at=activated,
                failed_attempts=0,
                lock_count=0,
                membership_version=memberships[spec.login_id],
                is_demo=True,
                created_at=issued,
                updated_at=activated,
                activated_at=activated,
            )
        return list(self.users.values())

    def build_factors_and_pledges(self) -> list[TotpFactor | Pledge]:
        rows: list[TotpFactor | Pledge] = []
        office_pledged = self.at(At(data.OFFICE_PLEDGE_DAYS_AGO, 9, 0))
        user_pledged = self.at(At(data.USER_PLEDGE_DAYS_AGO, 9, 0))
        for spec in data.OFFICES:
            rows.append(
                Pledge(
                    id=new_id(),
                    form="4-1",
                    version=data.PLEDGE_VERSION,
                    office_id=self.offices[spec.key].id,
                    user_id=None,
                    signer_name=spec.representative,
                    accepted_at=office_pledged,
                )
            )
        for user_spec in data.USERS:
            user = self.users[user_spec.login_id]
            rows.append(
                Pledge(
                    id=new_id(),
                    form="4-2",
                    version=data.PLEDGE_VERSION,
                    office_id=self.offices[user_spec.office_key].id,
                    user_id=user.id,
                    signer_name=user_spec.name,
                    accepted_at=user_pledged,
                )
            )
            rows.append(
                TotpFactor(
                    id=new_id(),
                    user_id=user.id,
                    secret_encrypted=seal_secret(self.settings.secret_key, data.DEMO_TOTP_SECRET),
                    last_used_step=0,
                    confirmed_at=user.activated_at,
                    created_at=user.activated_at,
                )
            )
        return rows

    # -- patients and rooms ---------------------------------------------------

    def build_patients(self) -> list[Patient]:
        for spec in data.PATIENTS:
            self.patients[spec.key] = Patient(
                id=new_id(),
                name=spec.name,
                name_kana=spec.name_kana,
                sex=spec.sex.value,
                birth_date=spec.birth_date,
                postal_code=spec.postal_code,
                address=spec.address,
                phone=spec.phone,
                care_level=spec.care_level.value,
                insured_number=spec.insured_number,
                is_demo=True,
                created_at=self.at(spec.consent.at),
            )
        return list(self.patients.values())

    def build_consents_and_rooms(self) -> list[Consent | Room]:
        admin = self.users[data.ADMIN_LOGIN]
        rows: list[Consent | Room] = []
        room_specs = {spec.patient_key: spec for spec in data.ROOMS}
        for spec in data.PATIENTS:
            opened = self.at(room_specs[spec.key].opened)
            consent_at = self.at(spec.consent.at)
            if consent_at >= opened:
                raise ValueError(f"room of {spec.key} opens before its consent")
            explainer_spec = next(
                u for u in data.USERS if u.login_id == spec.consent.explained_by_login
            )
            explainer_office = self.offices[explainer_spec.office_key]
            rows.append(
                Consent(
                    id=new_id(),
                    patient_id=self.patients[spec.key].id,
                    consent_date=consent_at.astimezone(JST).date(),
                    signed_by=spec.consent.signed_by,
                    proxy_name=spec.consent.proxy_name,
                    proxy_relationship=spec.consent.proxy_relationship,
                    explained_by=f"{explainer_spec.name}（{explainer_office.name}）",
                    recorded_by_id=admin.id,
                    recorded_at=opened - timedelta(minutes=30),
                )
            )
            room = Room(
                id=new_id(),
                patient_id=self.patients[spec.key].id,
                status=RoomStatus.open.value,
                version=0,
                opened_at=opened,
                created_at=opened,
                created_by_id=admin.id,
            )
            self.rooms[spec.key] = room
            rows.append(room)
        return rows

    def build_room_setup(self) -> list[RoomMember | ReportTitle]:
        """Room, patient, members and report titles: the first versions of each room."""
        rows: list[RoomMember | ReportTitle] = []
        for spec in data.ROOMS:
            room = self.rooms[spec.patient_key]
            assert room.opened_at is not None
            opened = room.opened_at
            self.bump(room, "room", room.id, opened)
            self.bump(room, "patient", self.patients[spec.patient_key].id, opened)
            for login_id, permission in spec.members:
                user = self.users[login_id]
                member = RoomMember(
                    id=new_id(),
                    room_id=room.id,
                    user_id=user.id,
                    permission=permission.value,
                    joined_at=opened,
                )
                member.version = self.bump(room, "member", member.id, opened)
                self.members[(spec.patient_key, login_id)] = member
                rows.append(member)
            for position, title_spec in enumerate(data.REPORT_TITLES):
                title = ReportTitle(
                    id=new_id(),
                    room_id=room.id,
                    name=title_spec.name,
                    position=position,
                    vitals=title_spec.vitals,
                    active=True,
                    description=title_spec.description,
                )
                title.version = self.bump(room, "reportTitle", title.id, opened)
                self.titles[(spec.patient_key, title_spec.name)] = title
                rows.append(title)
        return rows

    # -- the contact book -----------------------------------------------------

    def _writer(self, room_key: str, login_id: str) -> User:
        member = self.members.get((room_key, login_id))
        if member is None or member.permission != Permission.write.value:
            raise ValueError(f"{login_id} cannot write in the room of {room_key}")
        return self.users[login_id]

    def build_timeline(self) -> None:
        """Posts, comments and receipts, versioned per room in chronological order."""
        events: list[tuple[datetime, int, Callable[[], None]]] = []

        def add(moment: datetime, action: Callable[[], None]) -> None:
            if moment > self.now:
                raise ValueError(f"demo data moment {moment} lies in the future of {self.now}")
            events.append((moment, len(events), action))

        for post_spec in data.POSTS:
            post = self._post(post_spec)
            add(post.created_at, self._put_post(post))
            for comment_spec in post_spec.comments:
                if comment_spec.minutes_after <= 0:
                    raise ValueError("a comment comes after its post")
                comment = Comment(
                    id=new_id(),
                    post_id=post.id,
                    room_id=post.room_id,
                    author_id=self._writer(post_spec.room, comment_spec.author).id,
                    body=comment_spec.body,
                    created_at=post.created_at + timedelta(minutes=comment_spec.minutes_after),
                )
                add(comment.created_at, self._put_comment(post_spec.room, comment))
        for medication_spec in data.MEDICATIONS:
            medication, post = self._medication(medication_spec)
            add(post.created_at, self._put_medication(medication, post))
        for receipt_spec in data.RECEIPTS:
            add(self.at(receipt_spec.at), self._put_receipt(receipt_spec))
        events.sort(key=lambda event: (event[0], event[1]))
        for _moment, _order, action in events:
            action()

    def _post(self, spec: data.PostSpec) -> Post:
        room = self.rooms[spec.room]
        author = self._writer(spec.room, spec.author)
        title = self.titles[(spec.room, spec.title)]
        created = self.at(spec.at)
        assert room.opened_at is not None
        if created <= room.opened_at:
            raise ValueError(f"post at {spec.at} precedes the opening of the room of {spec.room}")
        if spec.vitals is not None:
            if not title.vitals:
                raise ValueError(f"vitals posted under {spec.title!r}")
            unknown = set(spec.vitals) - set(data.VITALS_KEYS)
            if unknown or not spec.vitals:
                raise ValueError(f"bad vitals keys {sorted(unknown)}")
        if (spec.kind == PostKind.closing_request) != (spec.closing_reason is not None):
            raise ValueError("a closing request, and only it, carries a closing reason")
        return Post(
            id=new_id(),
            room_id=room.id,
            author_id=author.id,
            report_title_id=title.id,
            kind=spec.kind.value,
            body=spec.body,
            urgent=spec.urgent,
            vitals=dict(spec.vitals) if spec.vitals is not None else None,
            vitals_flags=flags_for(spec.vitals, DEFAULTS),
            closing_reason=spec.closing_reason,
            attachment_ids=[],
            created_at=created,
        )

    def _put_post(self, post: Post) -> Callable[[], None]:
        room = next(r for r in self.rooms.values() if r.id == post.room_id)

        def action() -> None:
            post.version = self.bump(room, "post", post.id, post.created_at)
            self.posts.append(post)

        return action

    def _medication(self, spec: data.MedicationSpec) -> tuple[Medication, Post]:
        """A line and the post that tells the team, in the words the app's change would use."""
        author = self._writer(spec.room, spec.author)
        if author.job_type not in KEEPERS:
            raise ValueError(f"{spec.author} does not keep the medication list")
        room = self.rooms[spec.room]
        entered = self.at(spec.at)
        line = Medication(
            id=new_id(), room_id=room.id, kind=spec.kind, name=spec.name, dose=spec.dose,
            timing=spec.timing, reaction=spec.reaction,
            started_on=self.at(spec.started).astimezone(JST).date() if spec.started else None,
            stopped_on=None, note=spec.note, changed_by=author.id, changed_at=entered,
            created_at=entered,
        )
        post = Post(
            id=new_id(), room_id=room.id, author_id=author.id,
            report_title_id=self.titles[(spec.room, data.MEDS)].id, kind=PostKind.normal.value,
            body=post_text(spec.kind, None, line_values(line)), urgent=False,
            attachment_ids=[], created_at=entered,
        )
        return line, post

    def _put_medication(self, line: Medication, post: Post) -> Callable[[], None]:
        room = next(r for r in self.rooms.values() if r.id == line.room_id)

        def action() -> None:
            # The order of `medication.set`: the line's change, then its post's.
            line.version = self.bump(room, "medication", line.id, line.changed_at)
            self.medications.append(line)
            post.version = self.bump(room, "post", post.id, post.created_at)
            self.posts.append(post)

        return action

    def _put_comment(self, room_key: str, comment: Comment) -> Callable[[], None]:
        room = self.rooms[room_key]

        def action() -> None:
            comment.version = self.bump(room, "comment", comment.id, comment.created_at)
            self.comments.append(comment)

        return action

    def _put_receipt(self, spec: data.ReceiptSpec) -> Callable[[], None]:
        room = self.rooms[spec.room]
        if (spec.room, spec.reader) not in self.members:
            raise ValueError(f"{spec.reader} is not a member of the room of {spec.room}")
        reader = self.users[spec.reader]
        moment = self.at(spec.at)

        def action() -> None:
            receipt = ReadReceipt(
                room_id=room.id,
                user_id=reader.id,
                up_to_version=room.version,
                updated_at=moment,
            )
            receipt.version = self.bump(room, "receipt", reader.id, moment)
            self.receipts.append(receipt)

        return action


async def load_demo(session: AsyncSession, settings: Settings, clock: Clock) -> DemoSummary:
    """Insert the whole demo data set and commit; roll back and re-raise on any error.

    Raises `DemoAlreadyLoadedError` if demo users already exist. Callers decide
    whether to load at all (see `has_non_demo_users`).
    """
    if await demo_loaded(session):
        raise DemoAlreadyLoadedError("the demo data is already loaded")
    now = clock.now()
    if now.tzinfo is None:
        raise ValueError("the clock must give tz-aware datetimes")
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    # One hash for every demo user: the same password, and loading stays fast.
    password_hash = await asyncio.to_thread(hashing.hash, data.DEMO_PASSWORD)

    builder = _Builder(settings, now)
    try:
        session.add_all(builder.build_offices())
        await session.flush()
        session.add_all(builder.build_users(password_hash))
        await session.flush()
        session.add_all(builder.build_factors_and_pledges())
        session.add_all(builder.build_patients())
        await session.flush()
        session.add_all(builder.build_consents_and_rooms())
        await session.flush()
        session.add_all(builder.build_room_setup())
        builder.build_timeline()
        await session.flush()
        session.add_all(builder.posts)
        await session.flush()
        session.add_all(builder.comments)
        session.add_all(builder.receipts)
        session.add_all(builder.medications)
        for change in builder.change_log:
            queue_change(session, change)
        for member in builder.members.values():
            queue_stay(session, member.id)
        await session.flush()
        summary = DemoSummary(
            offices=len(builder.offices),
            users=len(builder.users),
            patients=len(builder.patients),
            rooms=len(builder.rooms),
            posts=len(builder.posts),
            comments=len(builder.comments),
            receipts=len(builder.receipts),
            medications=len(builder.medications),
            change_log=len(builder.change_log),
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return summary

