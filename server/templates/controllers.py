"""`/api/templates`: translate HTTP to `services.Templates`."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from .schemas import TemplateIn, TemplateOut, TemplatesOut
from .services import Templates


class TemplatesController(Controller):
    path = "/api/templates"
    tags = ["templates"]

    @get("/", summary="My templates (定型文) and my office's")
    async def list_templates(self, auth: AuthContext, db_session: AsyncSession) -> TemplatesOut:
        return TemplatesOut(await Templates(db_session, auth).list())

    @post("/", status_code=201, summary="Add a personal template, or an office's (its manager)")
    async def create_template(
        self, data: TemplateIn, auth: AuthContext, db_session: AsyncSession
    ) -> TemplateOut:
        return await Templates(db_session, auth).create(data)

    @put("/{template_id:uuid}", summary="Change a template I may change")
    async def update_template(
        self, template_id: uuid.UUID, data: TemplateIn, auth: AuthContext,
        db_session: AsyncSession,
    ) -> TemplateOut:
        return await Templates(db_session, auth).update(template_id, data)

    @delete("/{template_id:uuid}", status_code=204, summary="Delete a template I may change")
    async def delete_template(
        self, template_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> None:
        await Templates(db_session, auth).delete(template_id)
