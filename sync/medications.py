"""The patient's medication list and allergies: kept by the room's pharmacist, doctor or nurse,
each change also a post in the contact book, served to every member like the rest.

A mixin of the engine's applier (`sync/push.py`), as `sync/attention.py` is: each method runs
inside the mutation's transaction and records its changes through the applier's `_change`.
The post that tells the team is written here, in the same transaction, with text made from
the change itself (what was added, what changed from what to what, what stopped), so every
device shows the same words and a device that queued the change offline needs no text of its
own. The post id comes from the device, so a retried mutation finds the same post.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Comment, Medication, Post, ReportTitle, User
from store.models.enums import JobType, PostKind

from . import mutations as m
from . import wire
from .access import RoomAccess
from .changes import EntityType, Op
from .hooks import Hooks, NewPost

#: Who keeps the list: the room's pharmacist, doctor or (visiting) nurse, with write permission.
KEEPERS = frozenset({JobType.pharmacist.value, JobType.doctor.value, JobType.nurse.value})

#: The fields a post names when they change, in the order it names them.
_LABELS = {
    "drug": (("name", "薬剤名"), ("dose", "用量"), ("timing", "用法"), ("started_on", "開始日"),
             ("stopped_on", "中止日"), ("note", "備考")),
    "allergy": (("name", "アレルゲン"), ("reaction", "症状"), ("note", "備考")),
}
_HEADINGS = {"drug": "服薬", "allergy": "アレルギー"}


def _shown(value: str | date | None) -> str:
    if value is None or value == "":
        return "（なし）"
    return value.strftime("%Y/%m/%d") if isinstance(value, date) else value


def line_values(row: Medication | m.MedicationSet) -> dict[str, str | date | None]:
    """The fields of the row's kind, text trimmed: what a post compares and names (the demo
    data's lines are told with the same words)."""
    values = {key: getattr(row, key) for key, _ in _LABELS[row.kind]}
    return {key: v.strip() if isinstance(v, str) else v for key, v in values.items()}


def post_text(kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """The contact-book text of one change: added, changed (old → new), stopped or removed."""
    heading = _HEADINGS[kind]
    labels = _LABELS[kind]
    if after is None:
        assert before is not None
        return f"【{heading}】削除（誤登録）：{before['name']}"
    if before is None:
        verb = "開始" if kind == "drug" else "登録"
        if kind == "drug" and after.get("stopped_on") is not None:
            verb = "登録（中止済み）"
        lines = [f"【{heading}】{verb}：{after['name']}"]
        lines += [f"{label}：{_shown(after[key])}" for key, label in labels[1:]
                  if after[key] not in (None, "")]
        return "\n".join(lines)
    stopped = kind == "drug" and before.get("stopped_on") is None and after.get(
        "stopped_on") is not None
    verb = "中止" if stopped else "変更"
    lines = [f"【{heading}】{verb}：{after['name']}"]
    lines += [f"{label}：{_shown(before[key])} → {_shown(after[key])}" for key, label in labels
              if before[key] != after[key]]
    return "\n".join(lines)


class MedicationApplier:
    """The applier's methods for `medication.set` and `medication.delete`."""

    session: AsyncSession
    user_id: uuid.UUID
    now: datetime
    hooks: Hooks

    if TYPE_CHECKING:  # provided by the applier

        async def _writer(self, room_id: uuid.UUID) -> RoomAccess: ...
        async def _title(self, access: RoomAccess, title_id: uuid.UUID) -> None: ...
        async def _get(self, model: type[Any], entity_id: uuid.UUID, *,
                       lock: bool = False) -> Any: ...
        async def _change(self, access: RoomAccess, entity_type: EntityType,
                          entity_id: uuid.UUID, op: Op) -> int: ...

    async def _keeper(self, room_id: uuid.UUID) -> RoomAccess:
        access = await self._writer(room_id)
        job_type = await self.session.scalar(select(User.job_type).where(User.id == self.user_id))
        if job_type not in KEEPERS:
            raise m.Rejected(m.NOT_MEDICATION_KEEPER, access.room_id, access.patient_id)
        return access

    async def _medication_title(self, access: RoomAccess,
                                wanted: uuid.UUID | None) -> uuid.UUID | None:
        """The title asked for (checked), else the room's 服薬 title, else its first."""
        if wanted is not None:
            await self._title(access, wanted)
            return wanted
        titles = list(await self.session.execute(
            select(ReportTitle.id, ReportTitle.name)
            .where(ReportTitle.room_id == access.room_id, ReportTitle.active.is_(True))
            .order_by(ReportTitle.position)
        ))
        for title in titles:
            if "薬" in title.name:
                return uuid.UUID(str(title.id))
        return uuid.UUID(str(titles[0].id)) if titles else None

    async def _made_before(self, access: RoomAccess, post_id: uuid.UUID) -> bool:
        """The post id is taken: by this same change applied before (True), else refused."""
        post: Post | None = await self._get(Post, post_id)
        if post is None:
            if await self._get(Comment, post_id) is not None:
                raise m.Rejected(m.ID_TAKEN, access.room_id, access.patient_id)
            return False
        if post.room_id != access.room_id or post.author_id != self.user_id:
            raise m.Rejected(m.ID_TAKEN, access.room_id, access.patient_id)
        return True

    async def _tell(self, access: RoomAccess, post_id: uuid.UUID, title_id: uuid.UUID | None,
                    text: str) -> None:
        """The change as a post in the contact book, told to the team like any post."""
        version = await self._change(access, EntityType.post, post_id, Op.put)
        self.session.add(Post(
            id=post_id, room_id=access.room_id, author_id=self.user_id,
            report_title_id=title_id, kind=PostKind.normal, body=text, urgent=False,
            version=version, created_at=self.now,
        ))
        await self.session.flush()
        if self.hooks.post_created is not None:
            await self.hooks.post_created(
                self.session, NewPost(access.room_id, post_id, self.user_id, False, self.now))

    async def _medication_set(self, args: m.MedicationSet) -> RoomAccess:
        access = await self._keeper(args.room_id)
        room, patient = access.room_id, access.patient_id
        if await self._made_before(access, args.post_id):
            return access
        if not args.name.strip() or (
            args.started_on is not None and args.stopped_on is not None
            and args.stopped_on < args.started_on
        ):
            raise m.Rejected(m.BAD_MEDICATION, room, patient)
        title_id = await self._medication_title(access, args.report_title_id)
        row: Medication | None = await self._get(Medication, args.id, lock=True)
        before: dict[str, Any] | None = None
        if row is None:
            row = Medication(id=args.id, room_id=room, kind=args.kind, created_at=self.now)
            self.session.add(row)
        elif row.room_id != room:
            raise m.Rejected(m.ID_TAKEN, room, patient)
        elif row.deleted_at is not None:
            raise m.Rejected(m.DELETED, room, patient)
        elif row.kind != args.kind:
            raise m.Rejected(m.BAD_MEDICATION, room, patient)
        else:
            before = line_values(row)
        after = line_values(args)
        if before == after:
            raise m.Rejected(m.NOTHING_TO_EDIT, room, patient)
        for key, value in after.items():
            setattr(row, key, value)
        row.changed_by, row.changed_at = self.user_id, self.now
        row.version = await self._change(access, EntityType.medication, row.id, Op.put)
        await self.session.flush()
        await self._tell(access, args.post_id, title_id,
                         post_text(args.kind, before, line_values(row)))
        return access

    async def _medication_delete(self, args: m.MedicationDelete) -> RoomAccess:
        row: Medication | None = await self._get(Medication, args.id, lock=True)
        if row is None:
            raise m.Rejected(m.NOT_FOUND)
        access = await self._keeper(row.room_id)  # non-members learn nothing about it
        if await self._made_before(access, args.post_id):
            return access
        if row.deleted_at is not None:
            raise m.Rejected(m.DELETED, access.room_id, access.patient_id)
        row.deleted_at = self.now
        row.changed_by, row.changed_at = self.user_id, self.now
        row.version = await self._change(access, EntityType.medication, row.id, Op.delete)
        await self.session.flush()
        title_id = await self._medication_title(access, None)
        await self._tell(access, args.post_id, title_id,
                         post_text(row.kind, line_values(row), None))
        return access


# --- pull --------------------------------------------------------------------------------------

Versioned = tuple[int, wire.Change]


def _fresh(stmt: Any) -> Any:
    return stmt.execution_options(populate_existing=True)


def _versioned(row: Medication) -> Versioned:
    return row.version, wire.change(EntityType.medication, str(row.id), row.version,
                                    wire.medication_data(row))


async def page(session: AsyncSession, room_id: uuid.UUID,
               window: Callable[[Any], list[Any]], fetch: int) -> list[Versioned]:
    """The room's live lines whose version lies in `window`, at most `fetch`."""
    rows = await session.scalars(
        _fresh(select(Medication))
        .where(Medication.room_id == room_id, Medication.deleted_at.is_(None),
               *window(Medication.version))
        .order_by(Medication.version).limit(fetch)
    )
    return [_versioned(row) for row in rows]


async def current(session: AsyncSession, room_id: uuid.UUID,
                  keys: Sequence[uuid.UUID]) -> list[Versioned]:
    """The current state of logged lines (removed or of another room: left out → del)."""
    rows = await session.scalars(
        _fresh(select(Medication)).where(Medication.id.in_(keys),
                                         Medication.deleted_at.is_(None))
    )
    return [_versioned(row) for row in rows if row.room_id == room_id]
