"""The city's paper forms, pre-filled from what carebook holds, or blank, for the print pages.

Each answer carries the form's number, title, fixed wording and every field the
paper has, so the PWA lays it out like the city's form, ready to sign and file.
`{id}` may name an application of the matching kind, or the thing the form is
about: an office (4-1, 4-2), a user (3, 4-2) or a room (5, 6).

The city prints any of them. An office's システム管理担当者 prints its own office's only:
its applications, its staff (4-2, 3), the office itself (4-1, 4-2), and rooms only
through the room-opening application it filed; anything else is "not found", so an
office learns nothing of another's. Blank forms (様式5 for the patient to sign, 4-2 for
new staff …) carry the office's own details and leave the rest to the pen.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Application,
    Consent,
    Office,
    Patient,
    Pledge,
    ReportTitle,
    Room,
    RoomMember,
    User,
)
from store.models.enums import ApplicationKind, CareLevel, Sex
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin, require_office_admin
from ..errors import NotFound
from .common import era_out, job_label, office_kind_label, permission_label, record, today_jst
from .help import load_help
from .offices import office_pledges
from .schemas import FormOut

FORMS: dict[str, tuple[str, str]] = {
    "2-2C": ("情報共有システム利用登録依頼書", "様式2-2C（ケアマネジャー）"),
    "3": ("情報共有システム ID停止依頼書", "様式3"),
    "4-1": ("個人情報の取扱いに関する誓約書", "様式4-1（システム利用登録時）"),
    "4-2": (
        "個人情報の取扱いに関する誓約書",
        "様式4-2（システム利用登録時，システム利用者追加時等）",
    ),
    "5": ("情報共有システム情報共有同意書", "様式5（在宅患者（利用者）受入れ時）"),
    "6": ("患者（利用者）部屋作成依頼書", "様式6（在宅患者（利用者）受入れ時）"),
}
FORM_KINDS: dict[str, set[str]] = {
    "2-2C": {ApplicationKind.id_care_manager},
    "3": {ApplicationKind.id_stop},
    "4-1": {ApplicationKind.id_care_manager},
    "4-2": {ApplicationKind.id_invited, ApplicationKind.id_care_manager},
    "5": {ApplicationKind.room_open},
    "6": {ApplicationKind.room_open},
}
TEXT_22C = "情報共有システムの利用にあたり，下記のとおり利用登録を依頼します。"
TEXT_3 = "下記の者について，異動・退職等により情報共有システムのIDの停止を依頼します。"
TEXT_6 = (
    "個人情報の適切な取扱い方針を準拠し、在宅医療・介護に関する情報共有システムにおける"
    "患者（利用者）部屋の作成を希望しますので下記のとおり申請します。"
)


# (date, fields, fixed text, addressee, source ids, room id, patient id) of one filled form.
Built = tuple[
    date, dict[str, Any], str, str | None, dict[str, str], uuid.UUID | None, uuid.UUID | None
]


def consent_text(city: str) -> str:
    return (
        f"私は「{city}の運営する情報共有システム」に関する説明を受け、その目的および利用方法など"
        "を理解しましたので、私の医療・介護に関する情報が、連携する医療機関・介護事業所との間で"
        "共有されることに同意します。\n"
        f"また、システムに登録された情報が、システム管理者である{city}との間で共有されることにも"
        "同意します。"
    )


def _not_found() -> NotFound:
    return NotFound(
        "この様式の元になる申請・事業所・システム利用者・部屋が見つかりません。",
        "Nothing this form can be filled from was found under that id.",
        code="form_source_not_found",
    )


def _office_fields(office: Office | None, representative: str | None) -> dict[str, Any]:
    if office is None:
        return {}
    return {
        "id": str(office.id),
        "name": office.name,
        "nameKana": office.name_kana,
        "kind": office.kind,
        "kindLabel": office_kind_label(office.kind),
        "postalCode": office.postal_code,
        "address": office.address,
        "phone": office.phone,
        "fax": office.fax,
        "representative": representative or "",
    }


def _person(user: User | None, **fallback: Any) -> dict[str, Any]:
    if user is None:
        return {
            "name": fallback.get("name", ""),
            "nameKana": fallback.get("nameKana", ""),
            "jobType": fallback.get("jobType", ""),
            "jobTypeLabel": job_label(str(fallback.get("jobType", ""))),
            "email": fallback.get("email", ""),
            "phone": fallback.get("phone", ""),
            "loginId": "",
        }
    return {
        "name": user.name,
        "nameKana": user.name_kana,
        "jobType": user.job_type,
        "jobTypeLabel": job_label(user.job_type),
        "email": user.email,
        "phone": user.phone,
        "loginId": user.login_id,
    }


def _representative_addressee(office: Office | None, representative: str) -> str:
    """「○○事業所 代表者 ○○ 様」: whom an employee's pledge (4-2) or a consent (5) is made to."""
    return f"{office.name if office else ''} 代表者 {representative} 様"


def _era(value: date) -> dict[str, Any]:
    return msgspec.to_builtins(era_out(value))  # type: ignore[no-any-return]


def _unknown_form() -> NotFound:
    return NotFound(
        "その様式はありません（2-2C, 3, 4-1, 4-2, 5, 6）。",
        "Unknown form (2-2C, 3, 4-1, 4-2, 5, 6).",
        code="unknown_form",
    )


class Forms:
    """The print pages' data, for the city (`office_id` None) or for one office's admin."""

    def __init__(
        self, session: AsyncSession, ctx: AuthContext, office_id: uuid.UUID | None
    ) -> None:
        self.session = session
        self.ctx = ctx
        self.office_id = office_id

    @classmethod
    def for_city(cls, session: AsyncSession, ctx: AuthContext) -> Forms:
        require_admin(ctx)
        return cls(session, ctx, None)

    @classmethod
    def for_office(cls, session: AsyncSession, ctx: AuthContext) -> Forms:
        _user, office_id = require_office_admin(ctx)
        return cls(session, ctx, office_id)

    def _visible(self, office_id: uuid.UUID | None) -> bool:
        return self.office_id is None or office_id == self.office_id

    async def _prepare(self, form: str) -> None:
        if form not in FORMS:
            raise _unknown_form()
        help_page = await load_help(self.session)
        self.city = help_page.city_name
        self.pledge = help_page.pledge
        self.representatives = {
            office_id: p.signer_name
            for office_id, p in (await office_pledges(self.session)).items()
        }

    async def _printed(
        self,
        out: FormOut,
        target_id: uuid.UUID | None,
        room_id: uuid.UUID | None = None,
        patient_id: uuid.UUID | None = None,
    ) -> FormOut:
        """Every print is audited: who printed which form, of what (patient data included)."""
        await self.session.rollback()
        await begin_write(self.session)
        await record(
            self.session,
            self.ctx,
            "admin.form_printed" if self.office_id is None else "office.form_printed",
            target_type="form",
            target_id=target_id,
            room_id=room_id,
            patient_id=patient_id,
            form=out.form,
            blank=True if out.blank else None,
            officeId=str(self.office_id) if self.office_id else None,
        )
        await self.session.commit()
        return out

    async def blank(self, form: str) -> FormOut:
        """The form to fill in by hand, with the office's own details where the paper asks."""
        await self._prepare(form)
        office = await self._office(self.office_id)
        representative = self.representatives.get(office.id, "") if office else ""
        office_fields = _office_fields(office, representative)
        manager = self.ctx.user.name if self.office_id is not None and self.ctx.user else ""
        fields: dict[str, Any] = {"office": office_fields}
        text = {"2-2C": TEXT_22C, "3": TEXT_3, "6": TEXT_6}.get(form, "")
        addressee: str | None = f"{self.city} 様"
        if form in ("2-2C", "3"):
            fields |= {"systemManager": manager, "person": {}}
        elif form == "4-1":
            text = self.pledge.form41
        elif form == "4-2":
            text = self.pledge.form42
            fields["employees"] = []
            addressee = _representative_addressee(office, representative)
        elif form == "5":
            text = consent_text(self.city)
            fields |= {
                "patient": {},
                "consent": None,
                "connectedOffices": [],
                "explainerOffice": office.name if office else "",
            }
            addressee = (
                _representative_addressee(office, representative)
                if office
                else "（システム利用同意取得事業所の代表者） 様"
            )
        elif form == "6":
            fields |= {
                "requester": {
                    "officeName": office.name if office else "",
                    "representative": representative,
                    "systemManager": manager,
                    "phone": office.phone if office else "",
                },
                "patient": {},
                "members": [],
                "reportTitles": [],
            }
        title, subtitle = FORMS[form]
        out = FormOut(
            form=form,
            title=title,
            subtitle=subtitle,
            addressee=addressee,
            date=None,
            date_era=None,
            text=text,
            fields=fields,
            source={"officeId": str(office.id)} if office else {},
            blank=True,
        )
        return await self._printed(out, office.id if office else None)

    async def get(self, form: str, source_id: uuid.UUID) -> FormOut:
        await self._prepare(form)
        application = await self.session.get(Application, source_id)
        if application is not None and (
            application.kind not in FORM_KINDS[form] or not self._visible(application.office_id)
        ):
            application = None
        builder = {
            "2-2C": self._form_22c,
            "3": self._form_3,
            "4-1": self._form_41,
            "4-2": self._form_42,
            "5": self._form_5,
            "6": self._form_6,
        }[form]
        on, fields, text, addressee, source, room_id, patient_id = await builder(
            application, source_id
        )
        title, subtitle = FORMS[form]
        out = FormOut(
            form=form,
            title=title,
            subtitle=subtitle,
            addressee=addressee,
            date=on,
            date_era=era_out(on),
            text=text,
            fields=fields,
            source=source,
            blank=False,
        )
        return await self._printed(out, source_id, room_id, patient_id)

    def _day(self, application: Application | None) -> date:
        moment = application.created_at if application is not None else self.ctx.now
        return today_jst(moment)

    async def _office(self, office_id: uuid.UUID | None) -> Office | None:
        return await self.session.get(Office, office_id) if office_id else None

    async def _user(self, user_id: uuid.UUID | None) -> User | None:
        return await self.session.get(User, user_id) if user_id else None

    async def _source_office(self, office_id: uuid.UUID) -> Office | None:
        """An office named as the form's source: for an office admin, only its own."""
        return await self._office(office_id) if self._visible(office_id) else None

    async def _source_user(self, user_id: uuid.UUID) -> User | None:
        """A user named as the form's source: for an office admin, only its own staff."""
        user = await self._user(user_id)
        return user if user is not None and self._visible(user.office_id) else None

    async def _form_22c(self, application: Application | None, _id: uuid.UUID) -> Built:
        if application is None:
            raise _not_found()
        p = application.payload
        office = await self._office(application.office_id)
        pledge = p.get("officePledge") or {}
        applicant = await self._user(application.applicant_id)
        subject = await self._user(application.subject_user_id)
        fields = {
            "office": _office_fields(office, pledge.get("representative")),
            "systemManager": applicant.name if applicant else "",
            "person": _person(subject, **p),
            "state": application.state,
        }
        return (
            self._day(application),
            fields,
            TEXT_22C,
            f"{self.city} 様",
            {"applicationId": str(application.id)},
            None,
            None,
        )

    async def _form_3(self, application: Application | None, source_id: uuid.UUID) -> Built:
        if application is not None:
            user = await self._user(application.subject_user_id)
            reason = str(application.payload.get("reason", ""))
            requested = str(application.payload.get("date", ""))
            source = {"applicationId": str(application.id)}
            applicant = await self._user(application.applicant_id)
        else:
            user = await self._source_user(source_id)
            if user is None:
                raise _not_found()
            reason, requested, source, applicant = "", "", {"userId": str(source_id)}, None
        if user is None:
            raise _not_found()
        office = await self._office(user.office_id)
        fields = {
            "office": _office_fields(office, self.representatives.get(user.office_id or source_id)),
            "systemManager": applicant.name if applicant else "",
            "person": _person(user),
            "reason": reason,
            "requestedDate": requested,
            "stoppedAt": user.stopped_at.isoformat() if user.stopped_at else None,
        }
        return self._day(application), fields, TEXT_3, f"{self.city} 様", source, None, None

    async def _form_41(self, application: Application | None, source_id: uuid.UUID) -> Built:
        if application is not None:
            office = await self._office(application.office_id)
            pledge_in = application.payload.get("officePledge") or {}
            representative = str(pledge_in.get("representative", ""))
            version = str(pledge_in.get("version", ""))
            on = self._day(application)
            source = {"applicationId": str(application.id)}
        else:
            office = await self._source_office(source_id)
            if office is None:
                raise _not_found()
            pledge = await self.session.scalar(
                select(Pledge)
                .where(Pledge.office_id == office.id, Pledge.form == "4-1")
                .order_by(Pledge.accepted_at.desc())
                .limit(1)
            )
            representative = pledge.signer_name if pledge else ""
            version = pledge.version if pledge else self.pledge.version
            on = today_jst(pledge.accepted_at) if pledge else today_jst(self.ctx.now)
            source = {"officeId": str(office.id)}
        fields = {
            "office": _office_fields(office, representative),
            "pledgeVersion": version,
            "currentVersion": self.pledge.version,
        }
        return on, fields, self.pledge.form41, f"{self.city} 様", source, None, None

    async def _form_42(self, application: Application | None, source_id: uuid.UUID) -> Built:
        employees: list[dict[str, Any]] = []
        if application is not None:
            office = await self._office(application.office_id)
            p = application.payload
            employees.append(
                {
                    "name": p.get("name", ""),
                    "acceptedOn": self._day(application).isoformat(),
                    # The invitee's own pledge, or the care manager's signed at the office.
                    "version": (p.get("pledge") or p.get("staffPledge") or {}).get("version", ""),
                }
            )
            source = {"applicationId": str(application.id)}
        else:
            # A staff member's own pledge, or every pledge of the office.
            user = await self._user(source_id)
            if user is not None and not self._visible(user.office_id):
                raise _not_found()
            office = (
                await self._office(user.office_id)
                if user is not None
                else await self._source_office(source_id)
            )
            if office is None:
                raise _not_found()
            stmt = (
                select(Pledge, User)
                .join(User, User.id == Pledge.user_id)
                .where(Pledge.form == "4-2", Pledge.office_id == office.id)
            )
            if user is not None:
                stmt = stmt.where(Pledge.user_id == user.id)
            for pledge, person in (
                await self.session.execute(stmt.order_by(Pledge.accepted_at))
            ).unique():
                employees.append(
                    {
                        "name": person.name,
                        "acceptedOn": today_jst(pledge.accepted_at).isoformat(),
                        "version": pledge.version,
                    }
                )
            if user is not None and not employees:
                # No pledge on record yet: the sheet carries the name, to be signed by hand.
                employees.append({"name": user.name, "acceptedOn": "", "version": ""})
            source = {"userId": str(user.id)} if user else {"officeId": str(office.id)}
        representative = self.representatives.get(office.id, "") if office else ""
        fields = {
            "office": _office_fields(office, representative),
            "employees": employees,
            "currentVersion": self.pledge.version,
        }
        addressee = _representative_addressee(office, representative)
        return self._day(application), fields, self.pledge.form42, addressee, source, None, None

    async def _room_source(
        self, application: Application | None, source_id: uuid.UUID
    ) -> tuple[
        Application | None,
        dict[str, Any],
        dict[str, Any] | None,
        list[dict[str, Any]],
        list[str],
        dict[str, str],
        uuid.UUID | None,
        uuid.UUID | None,
    ]:
        """Patient, consent, members and titles of a room, or as an application proposes them."""
        room = await self.session.get(Room, source_id) if self.office_id is None else None
        if application is None and room is not None:
            application = await self.session.scalar(
                select(Application).where(Application.room_id == room.id).limit(1)
            )
        elif application is not None and application.room_id is not None:
            room = await self.session.get(Room, application.room_id)
        if room is not None:
            patient_row = await self.session.get(Patient, room.patient_id)
            assert patient_row is not None
            patient: dict[str, Any] = {
                "name": patient_row.name,
                "nameKana": patient_row.name_kana,
                "sex": patient_row.sex,
                "birthDate": patient_row.birth_date.isoformat(),
                "postalCode": patient_row.postal_code,
                "address": patient_row.address,
                "phone": patient_row.phone,
                "careLevel": patient_row.care_level,
                "insuredNumber": patient_row.insured_number,
            }
            c = await self.session.scalar(
                select(Consent)
                .where(Consent.patient_id == patient_row.id)
                .order_by(Consent.recorded_at.desc())
                .limit(1)
            )
            consent: dict[str, Any] | None = (
                {
                    "date": c.consent_date.isoformat(),
                    "signedBy": c.signed_by,
                    "proxyName": c.proxy_name,
                    "proxyRelationship": c.proxy_relationship,
                    "explainedBy": c.explained_by,
                }
                if c
                else None
            )
            stays = list(
                await self.session.scalars(
                    select(RoomMember)
                    .where(RoomMember.room_id == room.id, RoomMember.left_at.is_(None))
                    .order_by(RoomMember.joined_at)
                )
            )
            members = [(m.user_id, m.permission) for m in stays]
            titles = list(
                await self.session.scalars(
                    select(ReportTitle.name)
                    .where(ReportTitle.room_id == room.id, ReportTitle.active)
                    .order_by(ReportTitle.position)
                )
            )
            source = {"roomId": str(room.id)}
            room_id, patient_id = room.id, patient_row.id
        elif application is not None:
            p = application.payload
            patient = dict(p.get("patient") or {})

            consent = p.get("consent")
            members = [
                (uuid.UUID(m["userId"]), m.get("permission", "write")) for m in p.get("members", [])
            ]
            titles = [
                t if isinstance(t, str) else t.get("name", "") for t in p.get("reportTitles", [])
            ]
            source = {"applicationId": str(application.id)}
            room_id, patient_id = None, None
        else:
            raise _not_found()
        born = date.fromisoformat(str(patient.get("birthDate")))
        patient["birthDateEra"] = _era(born)
        patient["sexLabel"] = Sex.label_of(patient.get("sex"))
        patient["careLevelLabel"] = CareLevel.label_of(patient.get("careLevel"))
        if consent is not None:
            consent = {**consent, "dateEra": _era(date.fromisoformat(str(consent["date"])))}
        people = {
            u.id: u
            for u in (
                await self.session.scalars(select(User).where(User.id.in_([m for m, _ in members])))
            ).unique()
        }
        member_rows = []
        for user_id, permission in members:
            person = people.get(user_id)
            if person is None:
                continue
            member_rows.append(
                {
                    "officeName": person.office.name if person.office else "",
                    "name": person.name,
                    "jobType": person.job_type,
                    "jobTypeLabel": job_label(person.job_type),
                    "permission": permission,
                    "permissionLabel": permission_label(permission),
                }
            )
        return application, patient, consent, member_rows, titles, source, room_id, patient_id

    async def _form_5(self, application: Application | None, source_id: uuid.UUID) -> Built:
        (
            application,
            patient,
            consent,
            members,
            _titles,
            source,
            room_id,
            patient_id,
        ) = await self._room_source(application, source_id)
        offices = sorted({m["officeName"] for m in members if m["officeName"]})
        applicant_office = (
            await self._office(application.office_id) if application is not None else None
        )
        fields = {
            "patient": patient,
            "consent": consent,
            "connectedOffices": offices,
            "explainerOffice": applicant_office.name if applicant_office else "",
        }
        on = date.fromisoformat(consent["date"]) if consent else self._day(application)
        return (
            on,
            fields,
            consent_text(self.city),
            "（システム利用同意取得事業所の代表者） 様",
            source,
            room_id,
            patient_id,
        )

    async def _form_6(self, application: Application | None, source_id: uuid.UUID) -> Built:
        (
            application,
            patient,
            _consent,
            members,
            titles,
            source,
            room_id,
            patient_id,
        ) = await self._room_source(application, source_id)
        requester: dict[str, Any] = {}
        if application is not None:
            office = await self._office(application.office_id)
            applicant = await self._user(application.applicant_id)
            given = application.payload.get("requester") or {}
            requester = {
                "officeName": office.name if office else "",
                "representative": given.get("representative")
                or (self.representatives.get(office.id, "") if office else ""),
                "systemManager": given.get("systemManager")
                or (applicant.name if applicant else ""),
                "phone": given.get("phone") or (office.phone if office else ""),
            }
        fields = {
            "requester": requester,
            "patient": patient,
            "members": members,
            "reportTitles": titles,
        }
        return (
            self._day(application),
            fields,
            TEXT_6,
            f"{self.city} 様",
            source,
            room_id,
            patient_id,
        )
