"""定型文 over HTTP: personal templates for anyone signed in, office templates kept by the
office's system manager and shared with the office's staff, nobody else's visible, every
change audited, bad input refused with nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.clock import FrozenClock
from server.settings import Settings
from store.models import AuditEvent, Template
from store.models.enums import Role
from tests.factories import make_office, make_user
from tests.support.api import ApiClient


async def member(http: Any, sm: Any, settings: Settings, clock: FrozenClock, login: str,
                 office: Any, role: Role = Role.member) -> ApiClient:
    user = await make_user(sm, settings, login, now=clock.now(), role=role, office_id=office)
    api = ApiClient(http)
    assert user.totp_secret is not None
    answer = await api.sign_in_totp(user.login_id, user.password, user.totp_secret, clock.now())
    assert answer.status_code == 200, answer.text
    return api


async def count(sm: Any) -> int:
    async with sm() as session:
        return int(await session.scalar(select(func.count()).select_from(Template)) or 0)


async def test_personal_and_office_templates(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    office, other_office = await make_office(sessionmaker), await make_office(sessionmaker)
    second = client.__class__(client.app, base_url=str(client.base_url))
    third = client.__class__(client.app, base_url=str(client.base_url))
    async with second, third:
        manager = await member(client, sessionmaker, settings, clock, "manager", office,
                               Role.office_admin)
        nurse = await member(second, sessionmaker, settings, clock, "nurse", office)
        stranger = await member(third, sessionmaker, settings, clock, "stranger", other_office)

        shared = await manager.post("/api/templates", {
            "title": "定期訪問", "body": "{日付} 定期訪問。バイタル安定、特変なし。",
            "scope": "office", "reportTitleName": "バイタル"})
        assert shared.status_code == 201, shared.text
        mine = await nurse.post("/api/templates", {"title": "褥瘡処置",
                                                   "body": "仙骨部の褥瘡を処置しました。"})
        assert mine.status_code == 201, mine.text
        assert mine.json()["scope"] == "personal" and mine.json()["editable"] is True

        listed = (await nurse.get("/api/templates")).json()["templates"]
        assert {(x["title"], x["scope"], x["editable"]) for x in listed} == {
            ("定期訪問", "office", False), ("褥瘡処置", "personal", True)}
        assert (await stranger.get("/api/templates")).json()["templates"] == []

        # The nurse cannot change the office's template, nor make one; the stranger sees
        # neither of them (404, as if it did not exist).
        shared_id = shared.json()["id"]
        refused = await nurse.request("PUT", f"/api/templates/{shared_id}", {
            "title": "x", "body": "y", "scope": "office"})
        assert refused.status_code == 403 and refused.json()["error"] == "template_read_only"
        office_try = await nurse.post("/api/templates", {"title": "x", "body": "y",
                                                         "scope": "office"})
        assert office_try.status_code == 403
        hidden = await stranger.delete(f"/api/templates/{mine.json()['id']}")
        assert hidden.status_code == 404
        for bad in ({"title": "", "body": "y"}, {"title": "x", "body": ""},
                    {"title": "x", "body": "y", "extra": 1}, {"title": "x" * 61, "body": "y"}):
            answer = await nurse.post("/api/templates", bad)
            assert answer.status_code == 400, (bad, answer.text)
        assert await count(sessionmaker) == 2

        changed = await manager.request("PUT", f"/api/templates/{shared_id}", {
            "title": "定期訪問", "body": "{日付} 定期訪問。", "scope": "office"})
        assert changed.status_code == 200 and changed.json()["body"] == "{日付} 定期訪問。"
        gone = await nurse.delete(f"/api/templates/{mine.json()['id']}")
        assert gone.status_code == 204
        assert await count(sessionmaker) == 1

    async with sessionmaker() as session:
        actions = sorted(await session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("template.%"))))
    assert actions == ["template.create", "template.create", "template.delete",
                       "template.update"]
