"""Applying pushed mutations: in order, each at most once, each in its own transaction.

A mutation and the client's "last applied id" commit together, so a crash can
neither apply without recording nor record without applying; a retried batch
answers `ok` for what already happened. A rejected mutation (no permission,
closed room, bad args) is recorded as handled too — with the same args it would
never succeed — and does not block the ones after it. Every write goes through
`record_change`, which moves the room version and pokes the members at commit.

The server passes `Hooks` for what lives outside the engine (the audit log, the
push outbox); they run inside the mutation's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msgspec import UnsetType
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Attachment, ClientMutation, Comment, Post, ReadReceipt, ReportTitle
from store.models.enums import AttachmentKind
from store.writer import begin_write

from . import mutations as m
from . import thresholds as th
from .access import RoomAccess, room_access
from .attention import AttentionApplier, ranges_of_room
from .changes import EntityType, Op, record_change
from .hooks import Hooks, MutationRecord, NewPost
from .medications import MedicationApplier
from .wire import MutationResultOut, MutationStatus, PostData, post_data

RETRIES = 3


@dataclass(frozen=True)
class Mutation:
    id: int
    name: str
    args: Any


@dataclass(frozen=True)
class MutationResult:
    id: int
    status: MutationStatus
    reason: m.Reason | None = None
    server_state: PostData | None = None
    applied: bool = False  # False for a repeat answered from the client's record

    def wire(self) -> MutationResultOut:
        return MutationResultOut(self.id, self.status, self.reason, self.server_state)


class ClientIdTaken(Exception):
    """The client id is recorded for another user: a client id is per user and device."""


@dataclass(frozen=True)
class _Done:
    room_id: uuid.UUID
    patient_id: uuid.UUID
    entity_type: str
    entity_id: str


async def apply_mutations(
    session: AsyncSession,
    user_id: uuid.UUID,
    client_id: str,
    mutations: Sequence[Mutation],
    now: datetime,
    hooks: Hooks | None = None,
) -> list[MutationResult]:
    """Apply `mutations` in order for `user_id`'s client; commits each one separately."""
    if session.in_transaction():
        raise RuntimeError("apply_mutations needs a session outside any transaction")
    applier = _Applier(session, user_id, client_id, now, hooks or Hooks())
    if not mutations:
        # Nothing to apply, yet another user's client id is still refused. Otherwise the
        # first mutation's transaction checks it where it locks the client's row, before it
        # applies anything (`_lock_client`).
        await applier.check_client()
        return []
    return [await applier.apply(mutation) for mutation in mutations]


async def last_mutation_id(session: AsyncSession, client_id: str) -> int:
    value = await session.scalar(
        select(ClientMutation.last_mutation_id).where(ClientMutation.client_id == client_id)
    )
    return int(value or 0)


class _Applier(AttentionApplier, MedicationApplier):
    def __init__(
        self, session: AsyncSession, user_id: uuid.UUID, client_id: str, now: datetime,
        hooks: Hooks,
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.client_id = client_id
        self.now = now
        self.hooks = hooks
        self.postgres = session.get_bind().dialect.name == "postgresql"

    async def check_client(self) -> None:
        owner = await self.session.scalar(
            select(ClientMutation.user_id).where(ClientMutation.client_id == self.client_id)
        )
        await self.session.rollback()
        if owner is not None and owner != self.user_id:
            raise ClientIdTaken(self.client_id)

    async def apply(self, mutation: Mutation) -> MutationResult:
        for attempt in range(RETRIES):
            try:
                return await self._once(mutation)
            except IntegrityError:
                # Another writer made the same row between our check and our insert.
                await self.session.rollback()
                return await self._once(mutation, forced=m.Rejected(m.WRITE_CONFLICT))
            except DBAPIError:
                # Deadlock, serialization failure, a lock wait that timed out: try again,
                # then give up on the whole push (the client retries; nothing is lost).
                await self.session.rollback()
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _once(
        self, mutation: Mutation, forced: m.Rejected | None = None
    ) -> MutationResult:
        session = self.session
        await begin_write(session)
        try:
            last = await self._lock_client()
            if mutation.id <= last:
                await session.rollback()
                return MutationResult(mutation.id, "ok")
            status: MutationStatus = "ok"
            reason: m.Reason | None = None
            state: PostData | None = None
            done: _Done | None = None
            rejected: m.Rejected | None = forced
            if rejected is None:
                try:
                    done = await self._dispatch(m.parse_args(mutation.name, mutation.args))
                except m.Rejected as exc:
                    rejected = exc
                except m.Conflicted as exc:
                    status, state = "conflict", exc.server_state
                    done = _Done(exc.room_id, exc.patient_id, "post", str(state.id))
            if rejected is not None:
                status, reason = "rejected", rejected.reason
            await session.execute(
                update(ClientMutation)
                .where(ClientMutation.client_id == self.client_id)
                .values(last_mutation_id=mutation.id, updated_at=self.now)
            )
            if self.hooks.mutation_done is not None:
                await self.hooks.mutation_done(
                    session,
                    MutationRecord(
                        client_id=self.client_id,
                        mutation_id=mutation.id,
                        name=mutation.name[:40],
                        status=status,
                        reason_code=reason.code if reason else None,
                        user_id=self.user_id,
                        room_id=done.room_id if done else (rejected.room_id if rejected else None),
                        patient_id=(
                            done.patient_id if done else (rejected.patient_id if rejected else None)
                        ),
                        entity_type=done.entity_type if done else None,
                        entity_id=done.entity_id if done else None,
                        at=self.now,
                    ),
                )
            await session.commit()
            return MutationResult(mutation.id, status, reason, state, applied=True)
        except BaseException:
            if session.in_transaction():
                await session.rollback()
            raise

    async def _lock_client(self) -> int:
        """The client's last applied id, with its row locked until commit.

        The row exists from the client's first push on: one locking read finds it. Only a
        new client inserts it (ON CONFLICT DO NOTHING, for two first pushes at once) and
        reads again; the dialects' upsert statements are compiled anew each time they run.
        """
        locked = (
            select(ClientMutation.user_id, ClientMutation.last_mutation_id)
            .where(ClientMutation.client_id == self.client_id)
            .with_for_update()
        )
        row = (await self.session.execute(locked)).first()
        if row is None:
            values = {
                "client_id": self.client_id,
                "user_id": self.user_id,
                "last_mutation_id": 0,
                "updated_at": self.now,
            }
            stmt = (pg_insert if self.postgres else sqlite_insert)(ClientMutation).values(values)
            await self.session.execute(stmt.on_conflict_do_nothing())
            row = (await self.session.execute(locked)).one()
        if row.user_id != self.user_id:
            raise ClientIdTaken(self.client_id)
        return int(row.last_mutation_id)

    async def _dispatch(self, args: m.Args) -> _Done:
        if isinstance(args, m.PostCreate):
            return await self._post_create(args)
        if isinstance(args, m.PostEdit):
            return await self._post_edit(args)
        if isinstance(args, m.PostDelete):
            return await self._post_delete(args)
        if isinstance(args, m.CommentCreate):
            return await self._comment_create(args)
        if isinstance(args, m.CommentDelete):
            return await self._comment_delete(args)
        if isinstance(args, m.ReceiptMark):
            return await self._receipt_mark(args)
        if isinstance(args, m.ThresholdSet):
            access = await self._threshold_set(args)
            return _Done(access.room_id, access.patient_id, "threshold", args.sign)
        if isinstance(args, m.AddresseeDone):
            access, row_id = await self._addressee_done(args)
            return _Done(access.room_id, access.patient_id, "addressee", row_id)
        if isinstance(args, m.AttentionClear):
            access = await self._attention_clear(args)
            return _Done(access.room_id, access.patient_id, "personal", str(self.user_id))
        if isinstance(args, m.PostMarkUnread):
            access = await self._post_mark_unread(args)
            return _Done(access.room_id, access.patient_id, "personal", str(self.user_id))
        if isinstance(args, m.MedicationSet):
            access = await self._medication_set(args)
            return _Done(access.room_id, access.patient_id, "medication", str(args.id))
        if isinstance(args, m.MedicationDelete):
            access = await self._medication_delete(args)
            return _Done(access.room_id, access.patient_id, "medication", str(args.id))
        raise m.Rejected(m.UNKNOWN_MUTATION)

    # --- checks ------------------------------------------------------------------------

    async def _member(self, room_id: uuid.UUID, refusal: m.Reason = m.NOT_MEMBER) -> RoomAccess:
        """The user's access to a room they named (`not_member`: also for a room that does
        not exist), or to the room of an entity they named by id (`refusal=NOT_FOUND`: a
        non-member learns nothing, not even that the entity exists)."""
        access = await room_access(self.session, self.user_id, room_id)
        if access is None:
            raise m.Rejected(refusal)
        return access

    async def _writer(self, room_id: uuid.UUID, refusal: m.Reason = m.NOT_MEMBER) -> RoomAccess:
        access = await self._member(room_id, refusal)
        if not access.open:
            raise m.Rejected(m.ROOM_CLOSED, access.room_id, access.patient_id)
        if not access.can_write:
            raise m.Rejected(m.READ_ONLY, access.room_id, access.patient_id)
        return access

    async def _title(self, access: RoomAccess, title_id: uuid.UUID) -> None:
        found = await self.session.scalar(
            select(ReportTitle.id).where(
                ReportTitle.id == title_id,
                ReportTitle.room_id == access.room_id,
                ReportTitle.active.is_(True),
            )
        )
        if found is None:
            raise m.Rejected(m.BAD_REPORT_TITLE, access.room_id, access.patient_id)

    async def _get(self, model: type[Any], entity_id: uuid.UUID, *, lock: bool = False) -> Any:
        stmt = select(model).where(model.id == entity_id).execution_options(
            populate_existing=True
        )
        if lock:
            stmt = stmt.with_for_update()
        return await self.session.scalar(stmt)

    async def _change(
        self, access: RoomAccess, entity_type: EntityType, entity_id: uuid.UUID, op: Op
    ) -> int:
        return await record_change(
            self.session,
            room_id=access.room_id,
            entity_type=entity_type,
            entity_id=entity_id,
            op=op,
            at=self.now,
        )

    # --- posts -------------------------------------------------------------------------

    async def _post_create(self, args: m.PostCreate) -> _Done:
        access = await self._writer(args.room_id)
        room, patient = access.room_id, access.patient_id
        vitals = args.vitals.stored() if args.vitals is not None else None
        attachment_ids = [str(a) for a in args.attachment_ids]
        addressee_ids = [str(a) for a in args.addressee_ids]
        existing: Post | None = await self._get(Post, args.id)
        if existing is not None:
            same = (
                existing.room_id == room
                and existing.author_id == self.user_id
                and existing.report_title_id == args.report_title_id
                and existing.body == args.body
                and existing.urgent == _urgent(args, existing.vitals_flags)
                and list(existing.addressee_ids or []) == addressee_ids
                and existing.asks_answer == args.asks_answer
                and existing.vitals == vitals
                and existing.kind == args.kind
                and existing.closing_reason == args.closing_reason
                and list(existing.attachment_ids or []) == attachment_ids
            )
            if not same:
                raise m.Rejected(m.ID_TAKEN, room, patient)
            return _Done(room, patient, "post", str(args.id))  # the same post, made before
        if await self._get(Comment, args.id) is not None:
            raise m.Rejected(m.ID_TAKEN, room, patient)
        await self._title(access, args.report_title_id)
        if (args.kind == "closingRequest") != (args.closing_reason is not None):
            raise m.Rejected(m.BAD_CLOSING, room, patient)
        attachments: list[Attachment] = []
        if args.attachment_ids:
            if len(set(args.attachment_ids)) != len(args.attachment_ids):
                raise m.Rejected(m.DUPLICATE_ATTACHMENT, room, patient)
            attachments = list(
                await self.session.scalars(
                    select(Attachment)
                    .where(Attachment.id.in_(args.attachment_ids))
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            )
            usable = {
                a.id
                for a in attachments
                if a.room_id == room and a.uploader_id == self.user_id and a.post_id is None
            }
            if usable != set(args.attachment_ids):
                raise m.Rejected(m.BAD_ATTACHMENT, room, patient)
        await self._check_addressees(access, args.addressee_ids)
        # The thresholds in force now, read in this transaction: the flag is kept as computed.
        flags = th.flags_for(vitals, await ranges_of_room(self.session, room))
        urgent = _urgent(args, flags)
        version = await self._change(access, EntityType.post, args.id, Op.put)
        post = Post(
            id=args.id,
            room_id=room,
            author_id=self.user_id,
            report_title_id=args.report_title_id,
            kind=args.kind,
            body=args.body,
            urgent=urgent,
            vitals=vitals,
            vitals_flags=flags,
            closing_reason=args.closing_reason,
            attachment_ids=attachment_ids,
            documents=_documents(attachments, args.attachment_ids),
            addressee_ids=addressee_ids,
            asks_answer=args.asks_answer,
            version=version,
            created_at=self.now,
        )
        self.session.add(post)
        await self.session.flush()
        for attachment in attachments:
            attachment.post_id = post.id
        await self.session.flush()
        await self._address(access, post.id, None, args.addressee_ids, args.asks_answer)
        if self.hooks.post_created is not None:
            await self.hooks.post_created(
                self.session,
                NewPost(room, post.id, self.user_id, urgent, self.now,
                        frozenset(args.addressee_ids)),
            )
        return _Done(room, patient, "post", str(post.id))

    async def _own_post(self, post_id: uuid.UUID) -> tuple[Post, RoomAccess]:
        post: Post | None = await self._get(Post, post_id, lock=True)
        if post is None:
            raise m.Rejected(m.NOT_FOUND)
        # A post in a room the user is not in is "not found", like one that does not exist.
        access = await self._writer(post.room_id, m.NOT_FOUND)
        if post.author_id != self.user_id:
            raise m.Rejected(m.NOT_AUTHOR, access.room_id, access.patient_id)
        return post, access

    async def _post_edit(self, args: m.PostEdit) -> _Done:
        post, access = await self._own_post(args.id)
        room, patient = access.room_id, access.patient_id
        if post.deleted_at is not None:
            raise m.Rejected(m.DELETED, room, patient)
        if args.base_version != post.version:
            raise m.Conflicted(post_data(post), room, patient)
        changes: dict[str, Any] = {}
        if not isinstance(args.body, UnsetType):
            changes["body"] = args.body
        if not isinstance(args.report_title_id, UnsetType):
            if args.report_title_id != post.report_title_id:
                await self._title(access, args.report_title_id)
            changes["report_title_id"] = args.report_title_id
        if not isinstance(args.urgent, UnsetType):
            changes["urgent"] = args.urgent
        if not isinstance(args.vitals, UnsetType):
            changes["vitals"] = args.vitals.stored() if args.vitals is not None else None
            changes["vitals_flags"] = th.flags_for(
                changes["vitals"], await ranges_of_room(self.session, room)
            )
        if not changes:
            raise m.Rejected(m.NOTHING_TO_EDIT, room, patient)
        for key, value in changes.items():
            setattr(post, key, value)
        post.edited_at = self.now
        post.version = await self._change(access, EntityType.post, post.id, Op.put)
        await self.session.flush()
        return _Done(room, patient, "post", str(post.id))

    async def _post_delete(self, args: m.PostDelete) -> _Done:
        post, access = await self._own_post(args.id)
        room, patient = access.room_id, access.patient_id
        if post.deleted_at is not None:
            return _Done(room, patient, "post", str(post.id))
        # The post's comments go with it: a tombstone each, so replicas drop them too.
        comments = list(
            await self.session.scalars(
                select(Comment)
                .where(Comment.post_id == post.id, Comment.deleted_at.is_(None))
                .order_by(Comment.version)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        )
        for comment in comments:
            comment.deleted_at = self.now
            comment.version = await self._change(access, EntityType.comment, comment.id,
                                                 Op.delete)
        await self._drop_addressed(access, post.id)
        post.deleted_at = self.now
        post.version = await self._change(access, EntityType.post, post.id, Op.delete)
        await self.session.flush()
        return _Done(room, patient, "post", str(post.id))

    # --- comments ----------------------------------------------------------------------

    async def _comment_create(self, args: m.CommentCreate) -> _Done:
        post: Post | None = await self._get(Post, args.post_id, lock=True)
        if post is None:
            raise m.Rejected(m.NOT_FOUND)
        access = await self._writer(post.room_id, m.NOT_FOUND)
        room, patient = access.room_id, access.patient_id
        existing: Comment | None = await self._get(Comment, args.id)
        if existing is not None:
            same = (
                existing.post_id == args.post_id
                and existing.author_id == self.user_id
                and existing.body == args.body
                and list(existing.addressee_ids or []) == [str(a) for a in args.addressee_ids]
                and existing.asks_answer == args.asks_answer
            )
            if not same:
                raise m.Rejected(m.ID_TAKEN, room, patient)
            return _Done(room, patient, "comment", str(args.id))
        if await self._get(Post, args.id) is not None:
            raise m.Rejected(m.ID_TAKEN, room, patient)
        if post.deleted_at is not None:
            raise m.Rejected(m.DELETED, room, patient)
        await self._check_addressees(access, args.addressee_ids)
        version = await self._change(access, EntityType.comment, args.id, Op.put)
        self.session.add(
            Comment(
                id=args.id,
                post_id=post.id,
                room_id=room,
                author_id=self.user_id,
                body=args.body,
                addressee_ids=[str(a) for a in args.addressee_ids],
                asks_answer=args.asks_answer,
                version=version,
                created_at=self.now,
            )
        )
        await self.session.flush()
        await self._answer_addressed(access, post.id, args.id)
        await self._address(access, post.id, args.id, args.addressee_ids, args.asks_answer)
        if args.addressee_ids and self.hooks.post_created is not None:
            await self.hooks.post_created(
                self.session,
                NewPost(room, post.id, self.user_id, False, self.now,
                        frozenset(args.addressee_ids), comment=True),
            )
        return _Done(room, patient, "comment", str(args.id))

    async def _comment_delete(self, args: m.CommentDelete) -> _Done:
        comment: Comment | None = await self._get(Comment, args.id, lock=True)
        if comment is None:
            raise m.Rejected(m.NOT_FOUND)
        access = await self._writer(comment.room_id, m.NOT_FOUND)
        room, patient = access.room_id, access.patient_id
        if comment.author_id != self.user_id:
            raise m.Rejected(m.NOT_AUTHOR, room, patient)
        if comment.deleted_at is None:
            comment.deleted_at = self.now
            comment.version = await self._change(access, EntityType.comment, comment.id,
                                                 Op.delete)
            await self.session.flush()
        return _Done(room, patient, "comment", str(comment.id))

    # --- receipts ----------------------------------------------------------------------

    async def _receipt_mark(self, args: m.ReceiptMark) -> _Done:
        # Reading is not writing: read-only members mark too, and closed rooms stay readable.
        access = await self._member(args.room_id)
        room, patient = access.room_id, access.patient_id
        up_to = min(args.up_to_version, access.version)
        values = {"room_id": room, "user_id": self.user_id, "up_to_version": 0, "version": 0,
                  "updated_at": self.now}
        stmt = (pg_insert if self.postgres else sqlite_insert)(ReadReceipt).values(values)
        await self.session.execute(stmt.on_conflict_do_nothing())
        receipt = await self.session.scalar(
            select(ReadReceipt)
            .where(ReadReceipt.room_id == room, ReadReceipt.user_id == self.user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert receipt is not None
        if up_to > receipt.up_to_version:
            receipt.up_to_version = up_to
            receipt.updated_at = self.now
            receipt.version = await self._change(access, EntityType.receipt, self.user_id,
                                                 Op.put)
            await self.session.flush()
        elif receipt.version == 0:
            # Only just inserted and nothing to record: leave no trace of an empty receipt.
            await self.session.delete(receipt)
            await self.session.flush()
        return _Done(room, patient, "receipt", str(self.user_id))


def _documents(attachments: list[Attachment], order: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The documents among a new post's attachments, in the order given, described once."""
    by_id = {a.id: a for a in attachments if a.kind == AttachmentKind.document}
    return [
        {"id": str(a.id), "name": a.filename or "", "pages": a.page_count or 0, "size": a.size}
        for a in (by_id[i] for i in order if i in by_id)
    ]


def _urgent(args: m.PostCreate, flags: Mapping[str, str] | None) -> bool:
    """Urgent when the author says so, or when a reading is out of range and the author
    did not say it is not."""
    return args.urgent or (bool(flags) and args.flag_urgent)
