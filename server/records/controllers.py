"""HTTP for a room's record: the printed record's data, the vitals CSV and the FHIR bundle for
the room's members; the clerk's break-glass export of a closed room; the members' view of it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, cast

from litestar import Response, get, post
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from store.models.enums import (
    CARE_LEVEL_LABELS,
    CareLevel,
    JobType,
    Permission,
    PostKind,
    RoomStatus,
    Sex,
)
from sync.mutations import Vitals
from sync.thresholds import FlagDirection

from ..admin.common import era_out, job_label, today_jst
from ..auth.context import AuthContext
from ..auth.roles import admins_only
from ..contact_book.blob_store import BlobStore
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from .access import RecordAccess, thumbnails
from .fhir import bundle
from .record import Person, RoomRecord
from .schemas import (
    BreakGlassEntryOut,
    BreakGlassIn,
    RecordCommentOut,
    RecordDocumentOut,
    RecordMemberOut,
    RecordOut,
    RecordPatientOut,
    RecordPersonOut,
    RecordPostOut,
    RecordRangeOut,
)
from .vitals_csv import vitals_csv

Since = Annotated[date | None, QueryParameter(name="from")]
Until = Annotated[date | None, QueryParameter(name="to")]


def _person(people: dict[uuid.UUID, Person], user_id: uuid.UUID) -> RecordPersonOut:
    person = people.get(user_id)
    if person is None:
        return RecordPersonOut(id=user_id, name="", job_type=JobType.other, job_type_label="",
                               office_name="")
    return RecordPersonOut(id=person.id, name=person.name, job_type=JobType(person.job_type),
                           job_type_label=job_label(person.job_type),
                           office_name=person.office_name)


def record_out(found: RoomRecord, auth: AuthContext, settings: Settings,
               reason: str | None = None) -> RecordOut:
    patient = found.patient
    today = today_jst(auth.now)
    age = today.year - patient.birth_date.year - (
        (today.month, today.day) < (patient.birth_date.month, patient.birth_date.day))
    care_level = CareLevel(patient.care_level)
    photos = thumbnails(found, BlobStore(settings.attachments_dir))
    people = found.people
    return RecordOut(
        room_id=found.room.id, room_label=found.room.label,
        room_status=RoomStatus(found.room.status),
        opened_at=found.room.opened_at, closed_at=found.room.closed_at,
        patient=RecordPatientOut(
            name=patient.name, name_kana=patient.name_kana, sex=Sex(patient.sex),
            birth_date=patient.birth_date, birth_date_era=era_out(patient.birth_date), age=age,
            address=patient.address, phone=patient.phone, care_level=care_level,
            care_level_label=CARE_LEVEL_LABELS[care_level], insured_number=patient.insured_number),
        consent_date=found.consent.consent_date if found.consent else None,
        consent_date_era=era_out(found.consent.consent_date) if found.consent else None,
        members=[RecordMemberOut(person=_person(people, m.user_id),
                                 permission=Permission(m.permission),
                                 joined_at=m.joined_at, left_at=m.left_at)
                 for m in found.members],
        posts=[RecordPostOut(
            id=p.id, author=_person(people, p.author_id), title=p.title, kind=PostKind(p.kind),
            body=p.body, urgent=p.urgent,
            # Stored vitals are what `Vitals.stored()` wrote: the JSON of a Vitals, as the
            # sync's post data serves them (sync/wire.py).
            vitals=cast(Vitals | None, p.vitals),
            vitals_flags=cast(dict[str, FlagDirection] | None, p.vitals_flags),
            photos=[photos[a] for a in p.attachment_ids if a in photos],
            documents=[RecordDocumentOut(id=d.id, name=d.name, pages=d.pages, size=d.size)
                       for d in p.documents],
            created_at=p.created_at, edited_at=p.edited_at, imported=p.imported,
            comments=[RecordCommentOut(id=c.id, author=_person(people, c.author_id),
                                       body=c.body, created_at=c.created_at)
                      for c in p.comments],
        ) for p in found.posts],
        normal_ranges=[RecordRangeOut(sign=sign, low=r.low, high=r.high)
                       for sign, r in found.ranges.items()],
        since=found.since, until=found.until, generated_at=auth.now,
        generated_by=auth.user.name if auth.user else "", break_glass_reason=reason,
    )


def _csv(found: RoomRecord, auth: AuthContext) -> Response[bytes]:
    day = auth.now.strftime("%Y%m%d")
    return Response(vitals_csv(found), media_type="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="vitals-{day}.csv"'})


def _fhir(found: RoomRecord, auth: AuthContext,
          settings: Settings) -> Response[dict[str, Any]]:
    body = bundle(found, now=auth.now, base_url=settings.base_url)
    return Response(body, media_type="application/fhir+json",
                    headers={"Content-Disposition":
                             f'attachment; filename="record-{found.room.id.hex[:8]}.json"'})


@get("/api/rooms/{room_id:uuid}/record", summary="The room's record to print (audited)",
     tags=["room record"])
async def record_to_print(room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
                          settings: Settings, since: Since = None,
                          until: Until = None) -> RecordOut:
    found = await RecordAccess(db_session, auth, Mailer(settings)).for_member(
        room_id, "print", since, until)
    return record_out(found, auth, settings)


@get("/api/rooms/{room_id:uuid}/record/vitals.csv", media_type="text/csv",
     summary="The patient's vitals as CSV (UTF-8 with BOM, for Excel; audited)",
     tags=["room record"])
async def record_vitals_csv(room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
                            settings: Settings, since: Since = None,
                            until: Until = None) -> Response[bytes]:
    found = await RecordAccess(db_session, auth, Mailer(settings)).for_member(
        room_id, "csv", since, until)
    return _csv(found, auth)


@get("/api/rooms/{room_id:uuid}/record/fhir", media_type="application/fhir+json",
     summary="The record as a FHIR R4 Bundle following JP-Core (audited)",
     tags=["room record"])
async def record_fhir(room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
                      settings: Settings, since: Since = None,
                      until: Until = None) -> Response[dict[str, Any]]:
    found = await RecordAccess(db_session, auth, Mailer(settings)).for_member(
        room_id, "fhir", since, until)
    return _fhir(found, auth, settings)


@get("/api/rooms/{room_id:uuid}/record/break-glass",
     summary="When the city took this closed room's record out, and why (members)",
     tags=["room record"])
async def break_glass_log(room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
                          settings: Settings) -> list[BreakGlassEntryOut]:
    entries = await RecordAccess(db_session, auth, Mailer(settings)).break_glass_log(room_id)
    return [BreakGlassEntryOut(at=e.at, admin_name=e.admin_name, reason=e.reason,
                               purpose=e.purpose) for e in entries]


async def _break_glass(room_id: uuid.UUID, purpose: str, data: BreakGlassIn,
                      auth: AuthContext, db_session: AsyncSession,
                      settings: Settings) -> RoomRecord:
    return await RecordAccess(db_session, auth, Mailer(settings)).break_glass(
        room_id, purpose, data.reason, data.since, data.until)


@post("/api/admin/rooms/{room_id:uuid}/record", status_code=200,
      summary="Break-glass: a closed room's record to print, with a reason the members see",
      tags=["room record"], guards=[admins_only], opt=policy(refuses={409}))
async def break_glass(room_id: uuid.UUID, data: BreakGlassIn, auth: AuthContext,
                      db_session: AsyncSession, settings: Settings) -> RecordOut:
    found = await _break_glass(room_id, "print", data, auth, db_session, settings)
    return record_out(found, auth, settings, reason=data.reason.strip())


@post("/api/admin/rooms/{room_id:uuid}/record/vitals.csv", status_code=200,
      media_type="text/csv", summary="Break-glass: a closed room's vitals as CSV",
      tags=["room record"], guards=[admins_only], opt=policy(refuses={409}))
async def break_glass_csv(room_id: uuid.UUID, data: BreakGlassIn, auth: AuthContext,
                          db_session: AsyncSession, settings: Settings) -> Response[bytes]:
    return _csv(await _break_glass(room_id, "csv", data, auth, db_session, settings), auth)


@post("/api/admin/rooms/{room_id:uuid}/record/fhir", status_code=200,
      media_type="application/fhir+json",
      summary="Break-glass: a closed room's record as a FHIR bundle", tags=["room record"],
      guards=[admins_only], opt=policy(refuses={409}))
async def break_glass_fhir(room_id: uuid.UUID, data: BreakGlassIn, auth: AuthContext,
                           db_session: AsyncSession,
                           settings: Settings) -> Response[dict[str, Any]]:
    found = await _break_glass(room_id, "fhir", data, auth, db_session, settings)
    return _fhir(found, auth, settings)


ROUTE_HANDLERS = [record_to_print, record_vitals_csv, record_fhir, break_glass_log,
                  break_glass, break_glass_csv, break_glass_fhir]
