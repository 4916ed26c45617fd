"""Patients, their rooms and the rooms' members from the city's files, through the room services.

A patient comes in with its room (様式5・6 describe both): each room row names its
patient in the patient file, and `open_room` checks and opens it exactly as the
screen does — the opening rule (a consent, a doctor, a visiting doctor or nurse, a
care manager), members who are professionals only, a label that does not name the
patient, the report titles. The one difference: the people were issued by this same
import and have not activated yet, so the rooms open with them pending.

On a re-run a patient is found again by its insured number, or its name and date of
birth; what the file now says differently is corrected (patient details, the label),
members the file adds join, permissions change, titles the file adds are added.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Patient, ReportTitle, Room, User, new_id
from store.models.enums import Permission
from sync.changes import EntityType, Op, record_change
from sync.membership import membership_changed

from ..admin.common import record, today_jst
from ..admin.correction_schemas import PatientCorrectionIn
from ..admin.patient_corrections import correct_patient
from ..admin.patients import PatientValues, check_label, patient_values
from ..admin.rooms import RoomSpec, add_member, current_member, open_room, titles_of
from ..admin.schemas import ConsentIn, MemberIn, PatientIn, ReportTitleIn
from ..errors import DomainError
from .directory import Directory, person_refs
from .rows import ImportContext, Problems, Row, convert
from .values import (
    CARE_LEVELS,
    PERMISSIONS,
    SEXES,
    SIGNERS,
    CellError,
    code_of,
    nfkc,
    parse_date,
)

_PATIENT_FIELDS = {"name": "name", "name_kana": "name_kana", "sex": "sex",
                   "birth_date": "birth_date", "care_level": "care_level",
                   "postal_code": "postal_code", "address": "address", "phone": "phone",
                   "insured_number": "insured_number",
                   "attending_physician": "attending_physician",
                   "emergency_contact_name": "emergency_contact_name",
                   "emergency_contact_relationship": "emergency_contact_relationship",
                   "emergency_contact_phone": "emergency_contact_phone"}
# What the correction screen corrects (and so the import, through the same service).
_CORRECTABLE = ("care_level", "insured_number", "postal_code", "address", "phone",
                "attending_physician", "emergency_contact_name",
                "emergency_contact_relationship", "emergency_contact_phone")
# Who the patient is: not corrected by an import (nor on the correction screen).
_IDENTITY = ("name", "name_kana", "sex", "birth_date")


def keys_of(insured_number: str, name: str, birth_date: date) -> set[str]:
    """Every key a row may name this patient by."""
    keys = {patient_key("", name, birth_date)}
    if insured_number:
        keys.add(patient_key(insured_number, name, birth_date))
    return keys


def patient_key(insured_number: str, name: str, birth_date: date | None) -> str:
    """The natural key: the insured number, or the name (spaces aside) and date of birth."""
    if insured_number:
        return f"no:{insured_number}"
    return f"nb:{nfkc(name).replace(' ', '')}:{birth_date.isoformat() if birth_date else ''}"


@dataclass
class FilePatient:
    row: Row
    patient: PatientIn
    values: PatientValues


@dataclass
class Rooms:
    """Every room the import knows, by patient key (the database's and the new ones)."""

    by_patient: dict[str, Room] = field(default_factory=dict)
    patients: dict[uuid.UUID, Patient] = field(default_factory=dict)


def ref_key(row: Row, problems: Problems) -> str | None:
    """The patient a room, member or history row names."""
    number = nfkc(row.get("insured_number"))
    if number:
        return patient_key(number, "", None)
    name = row.get("patient_name")
    if not name or not row.get("patient_birth_date"):
        problems.add(row, "insured_number", "patient_required",
                     "患者を特定できません：被保険者番号、または患者氏名と患者生年月日を入力して"
                     "ください。",
                     "Name the patient: the insured number, or the name and date of birth.")
        return None
    try:
        born = parse_date(row.get("patient_birth_date"))
    except CellError as exc:
        problems.cell(row, "patient_birth_date", exc)
        return None
    return patient_key("", name, born)


async def load_rooms(session: AsyncSession) -> Rooms:
    rooms = Rooms()
    rows = await session.execute(select(Room, Patient).join(Patient, Patient.id == Room.patient_id))
    for room, patient in rows.all():
        rooms.patients[patient.id] = patient
        for key in {patient_key(patient.insured_number, patient.name, patient.birth_date),
                    patient_key("", patient.name, patient.birth_date)}:
            rooms.by_patient[key] = room
    return rooms


def read_patients(ctx: ImportContext, rows: list[Row],
                  problems: Problems) -> dict[str, FilePatient]:
    found: dict[str, FilePatient] = {}
    today = today_jst(ctx.now)
    for row in rows:
        entry = _patient_row(row, today, problems, found)
        if entry is None or problems.bad(row):
            problems.skipped_patients |= _row_keys(row)
            continue
        for key in keys_of(entry.values.insured_number, entry.values.name,
                           entry.values.birth_date):
            found[key] = entry
    return found


def _row_keys(row: Row) -> set[str]:
    """The keys a patient row would be named by, as far as its cells can be read."""
    keys = set()
    if number := nfkc(row.get("insured_number")):
        keys.add(patient_key(number, "", None))
    try:
        keys.add(patient_key("", row.get("name"), parse_date(row.get("birth_date"))))
    except CellError:
        pass
    return keys


def _patient_row(row: Row, today: date, problems: Problems,
                 found: dict[str, FilePatient]) -> FilePatient | None:
    try:
        born = parse_date(row.get("birth_date"))
        sex = SEXES.get(nfkc(row.get("sex")))
        if sex is None:
            raise CellError("性別は「男」「女」「その他」のいずれかです。",
                            "Sex is 男, 女 or その他.", "unknown_code")
    except CellError as exc:
        problems.cell(row, "sex" if exc.code == "unknown_code" else "birth_date", exc)
        return None
    try:
        care = code_of(row.get("care_level"), CARE_LEVELS, "要介護度", "care level")
    except CellError as exc:
        problems.cell(row, "care_level", exc)
        return None
    data = {"name": row.get("name"), "nameKana": row.get("name_kana"), "sex": sex,
            "birthDate": born.isoformat(), "address": row.get("address"),
            "careLevel": care, "postalCode": nfkc(row.get("postal_code")),
            "phone": nfkc(row.get("phone")),
            "insuredNumber": nfkc(row.get("insured_number"))}
    patient = convert(problems, row, data, PatientIn, _PATIENT_FIELDS)
    if patient is None:
        return None
    try:
        values = patient_values(patient, today)
    except DomainError as exc:
        problems.domain(row, "birth_date", exc)
        return None
    keys = {patient_key(values.insured_number, values.name, values.birth_date),
            patient_key("", values.name, values.birth_date)}
    clash = next((found[k].row.number for k in keys if k in found), None)
    if clash is not None:
        problems.add(row, "insured_number" if values.insured_number else "name",
                     "duplicate_patient", f"同じ患者が{clash}行目にもあります。",
                     f"The same patient is on row {clash} too.")
        return None
    return FilePatient(row, patient, values)
    return None


def _titles(row: Row, problems: Problems) -> list[ReportTitleIn] | None:
    text = row.get("titles")
    names = [n.strip() for n in re.split(r"[、,，;；\n]", text) if n.strip()]
    if not names:
        return titles_of(None)
    defaults = {t.name: t for t in titles_of(None)}
    specs = []
    for name in names:
        if len(name) > 40:
            problems.add(row, "titles", "invalid_value", "標題は40文字以内にしてください。",
                         "A title has at most 40 characters.")
            return None
        specs.append(defaults.get(name) or ReportTitleIn(name=name, vitals="バイタル" in name))
    return specs


def _consent(row: Row, problems: Problems) -> ConsentIn | None:
    try:
        when = parse_date(row.get("consent_date"))
    except CellError as exc:
        problems.cell(row, "consent_date", exc)
        return None
    signer = SIGNERS.get(nfkc(row.get("signed_by")))
    if signer is None:
        problems.add(row, "signed_by", "unknown_code", "同意者は「本人」か「代理人」です。",
                     "The signer is 本人 or 代理人.")
        return None
    data: dict[str, Any] = {"date": when.isoformat(), "signedBy": signer,
                            "explainedBy": row.get("explained_by"),
                            "explainerOffice": row.get("explainer_office")}
    if signer == "proxy":
        data["proxyName"] = row.get("proxy_name") or None
        data["proxyRelationship"] = row.get("proxy_relationship") or None
    return convert(problems, row, data, ConsentIn, {
        "date": "consent_date", "signed_by": "signed_by", "explained_by": "explained_by",
        "explainer_office": "explainer_office",
        "proxy_name": "proxy_name", "proxy_relationship": "proxy_relationship"})


@dataclass
class MemberRow:
    row: Row
    user: User
    permission: Permission


def read_members(rows: list[Row], directory: Directory,
                 problems: Problems) -> dict[str, list[MemberRow]]:
    found: dict[str, list[MemberRow]] = defaultdict(list)
    seen: dict[tuple[str, uuid.UUID], int] = {}
    for row in rows:
        key = ref_key(row, problems)
        if key is None or key in problems.skipped_patients:
            continue
        user = directory.person(row.get("login_id"), row.get("name"), row.get("office"))
        if user is None and person_refs(row.get("login_id"), row.get("name")) \
                & problems.skipped_people:
            continue
        if user is None:
            who = row.get("login_id") or f"{row.get('name')}（{row.get('office')}）"
            problems.add(row, "login_id" if row.get("login_id") else "name", "unknown_user",
                         f"利用者「{who}」が見つかりません（利用者のファイルか登録済みの利用者に"
                         "ありません）。", f"Unknown user {who!r}.")
            continue
        permission = PERMISSIONS.get(nfkc(row.get("permission")))
        if permission is None:
            problems.add(row, "permission", "unknown_code", "閲覧権限は「書込」か「閲覧」です。",
                         "The permission is 書込 or 閲覧.")
            continue
        if (key, user.id) in seen:
            problems.add(row, "login_id", "duplicate_member",
                         f"同じ参加者が{seen[(key, user.id)]}行目にもあります。",
                         f"The same member is on row {seen[(key, user.id)]} too.")
            continue
        seen[(key, user.id)] = row.number
        found[key].append(MemberRow(row, user, permission))
    return found


_ERROR_COLUMNS = {"label_names_patient": "label", "invalid_consent": "consent_date",
                  "duplicate_titles": "titles"}


def _open_problem(problems: Problems, room_row: Row, file_patient: FilePatient,
                  members: list[MemberRow], exc: DomainError) -> None:
    if exc.code == "members_not_eligible":
        by_user = {str(m.user.id): m for m in members}
        for item in exc.extra.get("refused", []):
            member = by_user.get(item["userId"])
            if member is not None:
                problems.add(member.row, "login_id", "member_not_eligible",
                             f"{member.user.name}：{item['ja']}。", item["en"])
        return
    if exc.code == "invalid_birth_date":
        problems.domain(file_patient.row, "birth_date", exc)
        return
    problems.domain(room_row, _ERROR_COLUMNS.get(exc.code), exc)


async def import_rooms(
    session: AsyncSession, ctx: ImportContext, patient_rows: list[Row], room_rows: list[Row],
    member_rows: list[Row], directory: Directory, problems: Problems,
) -> Rooms:
    rooms = await load_rooms(session)
    patients = read_patients(ctx, patient_rows, problems)
    members = read_members(member_rows, directory, problems)
    placed: dict[str, int] = {}
    for row in room_rows:
        key = ref_key(row, problems)
        if key is None or key in problems.skipped_patients:
            continue
        await _room_row(session, ctx, row, key, rooms, patients, members, placed, problems)
        if problems.bad(row) or key not in rooms.by_patient:
            problems.skipped_patients |= {key} | _placed_keys(placed, row)
    await _members_only(session, ctx, rooms, members, placed, problems)
    for key, entry in patients.items():
        if key not in placed and not problems.bad(entry.row) and key not in rooms.by_patient:
            problems.add(entry.row, "name", "patient_without_room",
                         "部屋のファイルにこの患者の行がありません（患者は部屋とともに登録します）。",
                         "No room row names this patient (a patient comes in with its room).")
    return rooms


def _placed_keys(placed: dict[str, int], row: Row) -> set[str]:
    return {k for k, number in placed.items() if number == row.number}


async def _room_row(
    session: AsyncSession, ctx: ImportContext, row: Row, key: str, rooms: Rooms,
    patients: dict[str, FilePatient], members: dict[str, list[MemberRow]],
    placed: dict[str, int], problems: Problems,
) -> None:
    file_patient = patients.get(key)
    existing = rooms.by_patient.get(key)
    if file_patient is None and existing is None:
        problems.add(row, "insured_number" if row.get("insured_number") else "patient_name",
                     "unknown_patient",
                     "この患者が患者のファイルにも登録済みの部屋にもありません。",
                     "The patient is neither in the patient file nor in an existing room.")
        return
    if key in placed:
        problems.add(row, "insured_number", "duplicate_room",
                     f"同じ患者の部屋が{placed[key]}行目にもあります。",
                     f"The same patient's room is on row {placed[key]} too.")
        return
    placed[key] = row.number
    consent = _consent(row, problems)
    titles = _titles(row, problems)
    label = row.get("label") or None
    if consent is None or titles is None or problems.bad(row):
        return
    keys = {key}
    if file_patient is not None:
        keys |= keys_of(file_patient.values.insured_number, file_patient.values.name,
                        file_patient.values.birth_date)
    if existing is not None:
        known = rooms.patients[existing.patient_id]
        keys |= keys_of(known.insured_number, known.name, known.birth_date)
    for other in keys:
        placed.setdefault(other, row.number)
    team = [m for k in sorted(keys) for m in members.get(k, [])]
    if existing is None:
        assert file_patient is not None
        if problems.bad(file_patient.row) or any(problems.bad(m.row) for m in team):
            return
        spec = RoomSpec(patient=file_patient.patient, consent=consent,
                        members=[MemberIn(user_id=m.user.id, permission=m.permission)
                                 for m in team],
                        titles=titles, label=label)
        try:
            room = await open_room(session, ctx, spec, require_active=False)
        except DomainError as exc:
            _open_problem(problems, row, file_patient, team, exc)
            return
        patient = await session.get(Patient, room.patient_id)
        assert patient is not None
        rooms.patients[patient.id] = patient
        for k in (patient_key(patient.insured_number, patient.name, patient.birth_date),
                  patient_key("", patient.name, patient.birth_date)):
            rooms.by_patient[k] = room
        problems.report.created["rooms"] += 1
        problems.report.created["patients"] += 1
        return
    await _update_room(session, ctx, existing, rooms.patients[existing.patient_id],
                       file_patient, row, label, titles, team, problems)
async def _members_only(session: AsyncSession, ctx: ImportContext, rooms: Rooms,
                        members: dict[str, list[MemberRow]], placed: dict[str, int],
                        problems: Problems) -> None:
    """Member rows of rooms the room file does not list: rooms registered before."""
    handled: set[int] = set()
    for key, team_rows in members.items():
        if key in placed or key in problems.skipped_patients:
            continue
        found = rooms.by_patient.get(key)
        if found is None:
            for member in team_rows:
                problems.add(member.row, "insured_number", "unknown_patient",
                             "この患者の部屋が部屋のファイルにも登録済みの部屋にもありません。",
                             "The patient's room is neither in the room file nor registered.")
            continue
        if id(found) in handled:
            continue
        handled.add(id(found))
        known = rooms.patients[found.patient_id]
        team = [m for k in sorted(keys_of(known.insured_number, known.name, known.birth_date))
                for m in members.get(k, [])]
        if await _update_members(session, ctx, found, known, team, problems):
            problems.report.updated["rooms"] += 1


async def _update_room(
    session: AsyncSession, ctx: ImportContext, room: Room, patient: Patient,
    file_patient: FilePatient | None, row: Row, label: str | None,
    titles: list[ReportTitleIn], team: list[MemberRow], problems: Problems,
) -> None:
    """A room that exists: correct what the files now say otherwise."""
    changed: list[str] = []
    if file_patient is not None:
        values = file_patient.values
        identity = [f for f in _IDENTITY if getattr(values, f) != getattr(patient, f)]
        if identity:
            problems.add(file_patient.row, identity[0], "identity_differs",
                         "登録済みの患者と氏名・フリガナ・性別・生年月日が違います（同じ被保険者番号"
                         "です）。本人の確認のうえ、画面で確認してください。",
                         "The registered patient with this insured number has another name, "
                         "kana, sex or date of birth.")
            return
        wanted = {f: getattr(values, f) for f in _CORRECTABLE
                  if getattr(values, f) != getattr(patient, f)}
        if wanted and room.status == "open":
            camel = {"".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))): v
                     for k, v in wanted.items()}
            await correct_patient(session, ctx, room, msgspec.convert(
                camel | {"note": "データの取り込み"}, PatientCorrectionIn))
            changed.append("patient")
    if label != room.label and room.status == "open":
        try:
            room.label = check_label(label, patient.name, patient.name_kana) if label else None
        except DomainError as exc:
            problems.domain(row, "label", exc)
            return
        await record_change(session, room_id=room.id, entity_type=EntityType.room,
                            entity_id=room.id, op=Op.put, at=ctx.now)
        await record(session, ctx, "admin.room_label_set", target_type="room",
                     target_id=room.id, room_id=room.id, patient_id=patient.id, source="import")
        changed.append("label")
    names = set(await session.scalars(select(ReportTitle.name).where(
        ReportTitle.room_id == room.id)))
    position = len(names)
    for spec in titles:
        if spec.name.strip() in names or room.status != "open":
            continue
        title = ReportTitle(id=new_id(), room_id=room.id, name=spec.name.strip(),
                            position=position, vitals=spec.vitals, active=True,
                            description=spec.description)
        position += 1
        session.add(title)
        await session.flush()
        title.version = await record_change(session, room_id=room.id,
                                            entity_type=EntityType.report_title,
                                            entity_id=title.id, op=Op.put, at=ctx.now)
        changed.append("titles")
    if await _update_members(session, ctx, room, patient, team, problems):
        changed.append("members")
    if changed:
        problems.report.updated["rooms"] += 1
    else:
        problems.report.unchanged["rooms"] += 1


async def _update_members(session: AsyncSession, ctx: ImportContext, room: Room,
                          patient: Patient, team: list[MemberRow], problems: Problems) -> bool:
    """Members the file adds join; changed permissions change. Whether anything changed."""
    changed = False
    for member in team:
        if room.status != "open":
            break
        stay = await current_member(session, room.id, member.user.id)
        try:
            if stay is None:
                await add_member(session, ctx, room.id, member.user.id, member.permission,
                                 require_active=False)
                changed = True
            elif stay.permission != member.permission:
                stay.permission = member.permission
                await session.flush()
                await membership_changed(session, room.id, member.user.id, ctx.now)
                await record(session, ctx, "admin.member_permission_changed",
                             target_type="user", target_id=member.user.id, room_id=room.id,
                             patient_id=patient.id, permission=str(member.permission),
                             source="import")
                changed = True
        except DomainError as exc:
            problems.domain(member.row, "login_id", exc)
    return changed
