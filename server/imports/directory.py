"""Offices and people from the city's files: created as the screens create them, found again by
their natural keys on a re-run (an office by its code or name, a person by login ID, or by name
and office), and changed where the file now says otherwise.

People come in as the screens issue them: pending, without a password, each recorded in the
audit log as issued; they get in by the activation link or letter the clerk sends afterwards
(`activation.py`). Only staff roles come in this way (システム利用者, システム管理担当者): the
city's clerks and the operator are created on their own screens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, User
from store.models.enums import JobType, Role, UserStatus

from ..admin.common import record
from ..admin.composition import may_visit_homes, usual_visits_homes
from ..admin.history import note_changes
from ..admin.schemas import Email, Kana, Name, OfficeIn, OptionalPhone
from ..admin.users import free_login_id
from ..operators import login_id_problem
from .rows import ImportContext, Problems, Row, convert
from .values import JOB_TYPES, OFFICE_KINDS, ROLES, CellError, code_of, nfkc, parse_yes


class PersonIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A person of the file, with the screens' bounds (a mail address is optional here:
    those without one get a printed letter)."""

    name: Name
    name_kana: Kana
    job_type: JobType
    email: Email | None = None
    phone: OptionalPhone = ""


@dataclass
class Directory:
    """Offices and people as the import knows them: the database's and the file's."""

    offices_by_code: dict[str, Office] = field(default_factory=dict)
    offices_by_name: dict[str, Office] = field(default_factory=dict)
    users_by_login: dict[str, User] = field(default_factory=dict)
    users_by_name_office: dict[tuple[str, uuid.UUID | None], User] = field(default_factory=dict)
    issued: list[User] = field(default_factory=list)

    def office(self, ref: str) -> Office | None:
        text = nfkc(ref)
        return self.offices_by_code.get(text) or self.offices_by_name.get(text)

    def person(self, login_id: str, name: str, office_ref: str) -> User | None:
        if login_id:
            return self.users_by_login.get(nfkc(login_id))
        office = self.office(office_ref) if office_ref else None
        key = (_name_key(name), office.id if office else None)
        found = self.users_by_name_office.get(key)
        if found is None and office is None:
            matches = [u for (n, _), u in self.users_by_name_office.items() if n == key[0]]
            found = matches[0] if len(matches) == 1 else None
        return found

    def remember_office(self, office: Office) -> None:
        if office.code:
            self.offices_by_code[office.code] = office
        self.offices_by_name[nfkc(office.name)] = office

    def remember_user(self, user: User) -> None:
        self.users_by_login[user.login_id] = user
        self.users_by_name_office[(_name_key(user.name), user.office_id)] = user


def _name_key(name: str) -> str:
    return nfkc(name).replace(" ", "")


async def load_directory(session: AsyncSession) -> Directory:
    directory = Directory()
    for office in await session.scalars(select(Office)):
        directory.remember_office(office)
    for user in (await session.scalars(select(User))).unique():
        directory.remember_user(user)
    return directory


_OFFICE_FIELDS = ("code", "name", "name_kana", "kind", "postal_code", "address", "phone", "fax")


def person_refs(login_id: str, name: str) -> set[str]:
    """How rows of other files may name a person (for skipping rows that depend on a bad one)."""
    refs = {f"name:{_name_key(name)}"}
    if login_id:
        refs.add(f"login:{nfkc(login_id)}")
    return refs


async def import_offices(session: AsyncSession, ctx: ImportContext, rows: list[Row],
                         directory: Directory, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        await _office_row(session, ctx, row, directory, problems, seen)
        if problems.bad(row):
            problems.skipped_people |= {f"office:{nfkc(row.get('code'))}",
                                        f"office:{nfkc(row.get('name'))}"}


async def _office_row(session: AsyncSession, ctx: ImportContext, row: Row,
                      directory: Directory, problems: Problems, seen: dict[str, int]) -> None:
    code = nfkc(row.get("code"))
    name = row.get("name")
    key = code or nfkc(name)
    if key in seen:
        problems.add(row, "code" if code else "name", "duplicate_office",
                     f"同じ事業所が{seen[key]}行目にもあります。",
                     f"The same office is on row {seen[key]} too.")
        return
    seen[key] = row.number
    try:
        kind = code_of(row.get("kind"), OFFICE_KINDS, "種別", "office kind")
    except CellError as exc:
        problems.cell(row, "kind", exc)
        return
    if len(code) > 20:
        problems.add(row, "code", "invalid_value", "20文字以内で入力してください。",
                     "At most 20 characters.")
        return
    data = {"name": name, "kind": kind, "nameKana": row.get("name_kana"),
            "postalCode": nfkc(row.get("postal_code")), "address": row.get("address"),
            "phone": nfkc(row.get("phone")), "fax": nfkc(row.get("fax"))}
    checked = convert(problems, row, data, OfficeIn, {
        "name": "name", "kind": "kind", "name_kana": "name_kana",
        "postal_code": "postal_code", "address": "address", "phone": "phone", "fax": "fax"})
    if checked is None:
        return
    values: dict[str, Any] = {
        "code": code, "name": checked.name.strip(), "name_kana": checked.name_kana.strip(),
        "kind": checked.kind.value, "postal_code": checked.postal_code,
        "address": checked.address.strip(), "phone": checked.phone, "fax": checked.fax,
    }
    existing = directory.offices_by_code.get(code) if code else None
    existing = existing or directory.offices_by_name.get(nfkc(name))
    if existing is None:
        office = Office(**values, created_at=ctx.now)
        session.add(office)
        await session.flush()
        directory.remember_office(office)
        problems.report.created["offices"] += 1
        await record(session, ctx, "admin.office_created", target_type="office",
                     target_id=office.id, kind=office.kind, source="import")
        return
    changed = [f for f in _OFFICE_FIELDS if values[f] != getattr(existing, f)
               and not (f == "code" and not values[f])]
    if not changed:
        problems.report.unchanged["offices"] += 1
        return
    await note_changes(session, ctx, "office", existing.id,
                       {f: getattr(existing, f) for f in changed},
                       {f: values[f] for f in changed}, note="データの取り込み")
    for name_ in changed:
        setattr(existing, name_, values[name_])
    directory.remember_office(existing)
    problems.report.updated["offices"] += 1
    await record(session, ctx, "admin.office_corrected", target_type="office",
                 target_id=existing.id, fields=changed, source="import")


_USER_FIELDS = ("name", "name_kana", "job_type", "email", "phone", "office_id", "role")


async def import_users(session: AsyncSession, ctx: ImportContext, rows: list[Row],
                       directory: Directory, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        await _user_row(session, ctx, row, directory, problems, seen)
        if problems.bad(row):
            problems.skipped_people |= person_refs(row.get("login_id"), row.get("name"))


async def _user_row(session: AsyncSession, ctx: ImportContext, row: Row,
                    directory: Directory, problems: Problems, seen: dict[str, int]) -> None:
    login_id = nfkc(row.get("login_id"))
    office_ref = row.get("office_code") or row.get("office_name")
    office = directory.office(row.get("office_code")) if row.get("office_code") else None
    office = office or (directory.office(row.get("office_name"))
                        if row.get("office_name") else None)
    if office is None and {f"office:{nfkc(row.get('office_code'))}",
                           f"office:{nfkc(row.get('office_name'))}"} & problems.skipped_people:
        return
    if office is None:
        key = "office_code" if row.get("office_code") else "office_name"
        problems.add(row, key, "unknown_office",
                     f"事業所「{office_ref}」が見つかりません（事業所のファイルか登録済みの"
                     "事業所にありません）。",
                     f"Unknown office {office_ref!r}.")
        return
    natural = login_id or f"{_name_key(row.get('name'))}@{office.id}"
    if natural in seen:
        problems.add(row, "login_id" if login_id else "name", "duplicate_login_id",
                     f"同じ{'ログインID' if login_id else '人'}が{seen[natural]}行目にも"
                     "あります。",
                     f"The same {'login ID' if login_id else 'person'} is on row "
                     f"{seen[natural]} too.")
        return
    seen[natural] = row.number
    if login_id and (problem := login_id_problem(login_id)):
        problems.add(row, "login_id", "invalid_login_id",
                     "ログインIDは英数字と「.」「_」「-」で3〜64文字にしてください。", problem)
        return
    try:
        job_type = code_of(row.get("job_type"), JOB_TYPES, "職種", "job type")
        role = ROLES.get(nfkc(row.get("role")))
        if role is None:
            raise CellError("権限は「システム利用者」か「システム管理担当者」です。",
                            "The role is システム利用者 or システム管理担当者.", "unknown_code")
        visits = parse_yes(row.get("visits_homes")) if "visits_homes" in row.mapped.index \
            else None
    except CellError as exc:
        problems.cell(row, "job_type" if "職種" in exc.message_ja else "role"
                      if "権限" in exc.message_ja else "visits_homes", exc)
        return
    data = {"name": row.get("name"), "nameKana": row.get("name_kana"), "jobType": job_type,
            "email": nfkc(row.get("email")) or None, "phone": nfkc(row.get("phone"))}
    person = convert(problems, row, data, PersonIn, {
        "name": "name", "name_kana": "name_kana", "job_type": "job_type",
        "email": "email", "phone": "phone"})
    if person is None:
        return
    values: dict[str, Any] = {
        "name": person.name.strip(), "name_kana": person.name_kana.strip(),
        "job_type": person.job_type.value, "email": person.email or "",
        "phone": person.phone, "office_id": office.id, "role": role.value,
    }
    existing = directory.person(login_id, values["name"], office.code or office.name)
    if existing is not None and existing.role not in (Role.member, Role.office_admin):
        problems.add(row, "login_id", "not_staff",
                     "このログインIDは市のユーザー管理者・システム管理者のものです。",
                     "This login ID belongs to a city clerk or the operator.")
        return
    if existing is not None and existing.status == UserStatus.stopped:
        problems.add(row, "login_id", "user_stopped",
                     "このIDは停止されています。再開は新しいIDの発行で行ってください。",
                     "This ID has been stopped; issue a new ID instead.")
        return
    if visits is None:  # the file does not say: the office kind's usual rule, as on the screen
        visits = usual_visits_homes(values["job_type"], office.kind)
    visits = visits and may_visit_homes(values["job_type"])
    if existing is not None and existing.office_id not in (None, office.id):
        problems.add(row, "office_code" if row.get("office_code") else "office_name",
                     "transfer_not_by_import",
                     "登録済みの人の事業所が違います。異動は管理簿の「異動」で行ってください"
                     "（部屋ごとの扱いと誓約書を確認します）。",
                     "This person belongs to another office: record a transfer on the ledger "
                     "(it asks about each room and the pledge).")
        return
    if existing is not None and existing.role != values["role"]:
        problems.add(row, "role", "role_not_by_import",
                     "登録済みの人の権限が違います。システム管理担当者の指名・解除は事業所の画面で"
                     "行ってください（後任の確認があります）。",
                     "This person's role differs: name or unname system managers on the office "
                     "screen (it checks for a successor).")
        return
    if existing is None:
        user = User(
            login_id=login_id or await free_login_id(session), status=UserStatus.pending,
            password_hash=None, password_must_change=False, created_at=ctx.now,
            updated_at=ctx.now, **values,
        )
        user.visits_homes = visits
        session.add(user)
        await session.flush()
        user.office = office
        directory.remember_user(user)
        directory.issued.append(user)
        problems.report.created["users"] += 1
        await record(session, ctx, "admin.user_issued", target_type="user",
                     target_id=user.id, loginId=user.login_id, officeId=str(office.id),
                     jobType=user.job_type, role=user.role, source="import")
        return
    values["visits_homes"] = visits
    changed = [f for f in (*_USER_FIELDS, "visits_homes") if values[f] != getattr(existing, f)]
    if not changed:
        problems.report.unchanged["users"] += 1
        return
    await note_changes(session, ctx, "user", existing.id,
                       {f: getattr(existing, f) for f in changed},
                       {f: values[f] for f in changed}, note="データの取り込み")
    for name_ in changed:
        setattr(existing, name_, values[name_])
    existing.updated_at = ctx.now
    directory.remember_user(existing)
    problems.report.updated["users"] += 1
    await record(session, ctx, "admin.user_corrected", target_type="user",
                 target_id=existing.id, fields=changed, source="import")
