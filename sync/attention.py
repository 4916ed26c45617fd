"""The mutations of a care team's attention: thresholds, addressees, and my own reading state.

A mixin of the engine's applier (`sync/push.py`): each method runs inside the mutation's
transaction and records its changes through the applier's `_change`, like posts do.
Thresholds are set by the room's clinicians; an addressee marks done what was addressed to
them (a read-only member too: being asked is not writing); the personal state (unread marks,
the attention view's cleared position) is the member's own and reaches only their devices.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Addressee, Post, RoomMember, RoomPersonal, User, VitalThreshold
from store.models.enums import JobType

from . import mutations as m
from . import thresholds as th
from .access import RoomAccess
from .changes import EntityType, Op

#: Who may change a patient's thresholds: the room's doctor or (visiting) nurse.
CLINICIANS = frozenset({JobType.doctor.value, JobType.nurse.value})

_ADDRESSEE_NAMESPACE = uuid.UUID("0193c0de-7a11-7e57-8d00-000000000017")


def addressee_id(source_id: uuid.UUID, user_id: uuid.UUID) -> uuid.UUID:
    """One row per (post or comment, member), the same on every retry."""
    return uuid.uuid5(_ADDRESSEE_NAMESPACE, f"{source_id}:{user_id}")


async def ranges_of_room(session: AsyncSession, room_id: uuid.UUID) -> dict[str, th.Range]:
    """The normal ranges in force in a room now: the defaults and the patient's own."""
    rows = await session.scalars(
        select(VitalThreshold)
        .where(VitalThreshold.room_id == room_id)
        .execution_options(populate_existing=True)
    )
    return th.ranges_in_force({row.sign: th.Range(row.low, row.high) for row in rows})


class AttentionApplier:
    """The applier's methods for this module's mutations (see `sync.push._Applier`)."""

    session: AsyncSession
    user_id: uuid.UUID
    now: datetime
    postgres: bool

    if TYPE_CHECKING:  # provided by the applier

        async def _member(self, room_id: uuid.UUID,
                          refusal: m.Reason = m.NOT_MEMBER) -> RoomAccess: ...
        async def _writer(self, room_id: uuid.UUID,
                          refusal: m.Reason = m.NOT_MEMBER) -> RoomAccess: ...
        async def _get(self, model: type[Any], entity_id: uuid.UUID, *,
                       lock: bool = False) -> Any: ...
        async def _change(self, access: RoomAccess, entity_type: EntityType,
                          entity_id: uuid.UUID, op: Op) -> int: ...

    # --- addressees ------------------------------------------------------------------------

    async def _check_addressees(self, access: RoomAccess,
                                addressee_ids: Sequence[uuid.UUID]) -> None:
        """Current members of the room, not the author, each once; or `bad_addressee`."""
        if not addressee_ids:
            return
        wanted = set(addressee_ids)
        if len(wanted) != len(addressee_ids) or self.user_id in wanted:
            raise m.Rejected(m.BAD_ADDRESSEE, access.room_id, access.patient_id)
        found = set(
            await self.session.scalars(
                select(RoomMember.user_id).where(
                    RoomMember.room_id == access.room_id,
                    RoomMember.user_id.in_(wanted),
                    RoomMember.left_at.is_(None),
                )
            )
        )
        if found != wanted:
            raise m.Rejected(m.BAD_ADDRESSEE, access.room_id, access.patient_id)

    async def _address(self, access: RoomAccess, post_id: uuid.UUID,
                       comment_id: uuid.UUID | None, addressee_ids: Sequence[uuid.UUID],
                       asks_answer: bool) -> None:
        for user_id in addressee_ids:
            row_id = addressee_id(comment_id or post_id, user_id)
            version = await self._change(access, EntityType.addressee, row_id, Op.put)
            self.session.add(
                Addressee(
                    id=row_id, room_id=access.room_id, post_id=post_id, comment_id=comment_id,
                    user_id=user_id, author_id=self.user_id, asks_answer=asks_answer,
                    created_at=self.now, version=version,
                )
            )
        await self.session.flush()

    async def _answer_addressed(self, access: RoomAccess, post_id: uuid.UUID,
                                comment_id: uuid.UUID) -> None:
        """My comment on a post answers whatever on that post was addressed to me."""
        open_rows = list(
            await self.session.scalars(
                select(Addressee)
                .where(Addressee.post_id == post_id, Addressee.user_id == self.user_id,
                       Addressee.answered_at.is_(None), Addressee.deleted_at.is_(None))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        for row in open_rows:
            row.answered_at = self.now
            row.answer_comment_id = comment_id
            row.version = await self._change(access, EntityType.addressee, row.id, Op.put)
        await self.session.flush()

    async def _drop_addressed(self, access: RoomAccess, post_id: uuid.UUID) -> None:
        """A deleted post asks nothing of anyone any more: its addressees go with it."""
        rows = list(
            await self.session.scalars(
                select(Addressee)
                .where(Addressee.post_id == post_id, Addressee.deleted_at.is_(None))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        for row in rows:
            row.deleted_at = self.now
            row.version = await self._change(access, EntityType.addressee, row.id, Op.delete)
        await self.session.flush()

    async def _addressee_done(self, args: m.AddresseeDone) -> tuple[RoomAccess, str]:
        row: Addressee | None = await self._get(Addressee, args.id, lock=True)
        if row is None or row.deleted_at is not None:
            raise m.Rejected(m.NOT_FOUND)
        # Another room's row is "not found", like an id never used: its id derives from a
        # post and a user, so `not_member` would tell an outsider who was addressed.
        access = await self._member(row.room_id, m.NOT_FOUND)
        if row.user_id != self.user_id:
            raise m.Rejected(m.NOT_ADDRESSEE, access.room_id, access.patient_id)
        wanted = self.now if args.done else None
        if (row.done_at is None) != (wanted is None):
            row.done_at = wanted
            row.version = await self._change(access, EntityType.addressee, row.id, Op.put)
            await self.session.flush()
        return access, str(row.id)

    # --- thresholds ------------------------------------------------------------------------

    async def _threshold_set(self, args: m.ThresholdSet) -> RoomAccess:
        access = await self._writer(args.room_id)
        job_type = await self.session.scalar(select(User.job_type).where(User.id == self.user_id))
        if job_type not in CLINICIANS:
            raise m.Rejected(m.NOT_CLINICIAN, access.room_id, access.patient_id)
        lowest, highest = th.SIGN_BOUNDS[args.sign]
        for bound in (args.low, args.high):
            if bound is not None and not lowest <= bound <= highest:
                raise m.Rejected(m.BAD_THRESHOLD, access.room_id, access.patient_id)
        if args.low is not None and args.high is not None and args.low >= args.high:
            raise m.Rejected(m.BAD_THRESHOLD, access.room_id, access.patient_id)
        row: VitalThreshold | None = await self.session.scalar(
            select(VitalThreshold)
            .where(VitalThreshold.room_id == access.room_id, VitalThreshold.sign == args.sign)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if args.low is None and args.high is None:
            if row is not None:  # back to the default
                await self._change(access, EntityType.threshold, row.id, Op.delete)
                await self.session.delete(row)
                await self.session.flush()
            return access
        if row is None:
            row = VitalThreshold(id=uuid.uuid5(_ADDRESSEE_NAMESPACE,
                                               f"threshold:{access.room_id}:{args.sign}"),
                                 room_id=access.room_id, sign=args.sign)
            self.session.add(row)
        row.low, row.high = args.low, args.high
        row.set_by, row.set_at = self.user_id, self.now
        row.version = await self._change(access, EntityType.threshold, row.id, Op.put)
        await self.session.flush()
        return access

    # --- my own state in a room ------------------------------------------------------------

    async def _personal(self, access: RoomAccess) -> RoomPersonal:
        values = {"room_id": access.room_id, "user_id": self.user_id, "unread_post_ids": [],
                  "cleared_version": 0, "version": 0, "updated_at": self.now}
        stmt = (pg_insert if self.postgres else sqlite_insert)(RoomPersonal).values(values)
        await self.session.execute(stmt.on_conflict_do_nothing())
        row = await self.session.scalar(
            select(RoomPersonal)
            .where(RoomPersonal.room_id == access.room_id,
                   RoomPersonal.user_id == self.user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return row

    async def _save_personal(self, access: RoomAccess, row: RoomPersonal) -> None:
        row.updated_at = self.now
        row.version = await self._change(access, EntityType.personal, self.user_id, Op.put)
        await self.session.flush()

    async def _attention_clear(self, args: m.AttentionClear) -> RoomAccess:
        access = await self._member(args.room_id)
        up_to = min(args.up_to_version, access.version)
        row = await self._personal(access)
        if up_to > row.cleared_version:
            row.cleared_version = up_to
            await self._save_personal(access, row)
        elif row.version == 0:
            await self.session.delete(row)
            await self.session.flush()
        return access

    async def _post_mark_unread(self, args: m.PostMarkUnread) -> RoomAccess:
        post: Post | None = await self._get(Post, args.post_id)
        if post is None:
            raise m.Rejected(m.NOT_FOUND)
        access = await self._member(post.room_id, m.NOT_FOUND)  # as for a missing post
        if post.deleted_at is not None:
            raise m.Rejected(m.DELETED, access.room_id, access.patient_id)
        row = await self._personal(access)
        marked = list(row.unread_post_ids or [])
        key = str(post.id)
        if args.unread and key not in marked:
            row.unread_post_ids = [*marked, key][-200:]
            await self._save_personal(access, row)
        elif not args.unread and key in marked:
            row.unread_post_ids = [x for x in marked if x != key]
            await self._save_personal(access, row)
        elif row.version == 0:
            await self.session.delete(row)
            await self.session.flush()
        return access
