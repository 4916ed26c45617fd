"""定型文: my own templates and my office's. Anyone signed in keeps personal ones; an
office's system manager (事業所のシステム管理担当者) keeps the office's. No patient data is
stored (placeholders are filled on the device), but every change is audited like any
other account change."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Template, User
from store.models.enums import Role

from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import Forbidden, InvalidInput, NotFound
from .schemas import TemplateIn, TemplateOut, TemplateScope

MAX_PER_OWNER = 200


def _out(row: Template, user: User) -> TemplateOut:
    scope: TemplateScope = "office" if row.office_id is not None else "personal"
    return TemplateOut(row.id, scope, row.title, row.body, row.report_title_name, row.updated_at,
                       _may_change(row, user))


def _may_change(row: Template, user: User) -> bool:
    if row.owner_id is not None:
        return row.owner_id == user.id
    return user.role == Role.office_admin and row.office_id == user.office_id


class Templates:
    def __init__(self, session: AsyncSession, auth: AuthContext) -> None:
        assert auth.user is not None
        self.session = session
        self.auth = auth
        self.user: User = auth.user

    async def list(self) -> list[TemplateOut]:
        mine = Template.owner_id == self.user.id
        office = Template.office_id == self.user.office_id if self.user.office_id else None
        where = or_(mine, office) if office is not None else mine
        rows = await self.session.scalars(
            select(Template).where(where).order_by(Template.office_id.is_(None), Template.title)
        )
        return [_out(row, self.user) for row in rows]

    async def create(self, data: TemplateIn) -> TemplateOut:
        row = Template(title=data.title.strip(), body=data.body,
                       report_title_name=data.report_title_name, created_by=self.user.id,
                       created_at=self.auth.now, updated_at=self.auth.now)
        if data.scope == "office":
            if self.user.role != Role.office_admin or self.user.office_id is None:
                raise Forbidden(
                    "事業所の定型文は、事業所のシステム管理担当者が登録します。",
                    "Office templates are kept by the office's system manager.",
                    code="template_office_only",
                )
            row.office_id = self.user.office_id
        else:
            row.owner_id = self.user.id
            count = len(list(await self.session.scalars(
                select(Template.id).where(Template.owner_id == self.user.id))))
            if count >= MAX_PER_OWNER:
                raise InvalidInput(f"定型文は{MAX_PER_OWNER}件まで登録できます。",
                                   f"You can keep up to {MAX_PER_OWNER} templates.",
                                   code="template_limit")
        if not row.title:
            raise InvalidInput("題名を入力してください。", "Enter a title.", code="template_title")
        self.session.add(row)
        await self.session.flush()
        await self._audit("template.create", row)
        await self.session.commit()
        return _out(row, self.user)

    async def _mine(self, template_id: uuid.UUID) -> Template:
        row = await self.session.get(Template, template_id)
        visible = row is not None and (
            row.owner_id == self.user.id
            or (row.office_id is not None and row.office_id == self.user.office_id)
        )
        if row is None or not visible:
            raise NotFound("定型文が見つかりません。", "The template was not found.",
                           code="template_not_found")
        if not _may_change(row, self.user):
            raise Forbidden("この定型文は変更できません。", "You cannot change this template.",
                            code="template_read_only")
        return row

    async def update(self, template_id: uuid.UUID, data: TemplateIn) -> TemplateOut:
        row = await self._mine(template_id)
        if (data.scope == "office") != (row.office_id is not None):
            raise InvalidInput("定型文の種類（個人・事業所）は変えられません。",
                               "A template's scope (personal or office) cannot change.",
                               code="template_scope")
        row.title, row.body = data.title.strip(), data.body
        row.report_title_name = data.report_title_name
        row.updated_at = self.auth.now
        await self._audit("template.update", row)
        await self.session.commit()
        return _out(row, self.user)

    async def delete(self, template_id: uuid.UUID) -> None:
        row = await self._mine(template_id)
        await self._audit("template.delete", row)
        await self.session.delete(row)
        await self.session.commit()

    async def _audit(self, action: str, row: Template) -> None:
        await audit.record(self.session, at=self.auth.now, actor=self.auth.actor, action=action,
                           target_type="template", target_id=row.id,
                           details={"scope": "office" if row.office_id else "personal"})
