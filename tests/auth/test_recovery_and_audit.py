"""Admin-led recovery by e-mailed one-time link, secure cookies, and the sign-in audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server.app import create_app
from server.audit.service import verify_chain
from server.clock import FrozenClock
from server.settings import Settings, load_settings
from store.models import AuditEvent
from tests.conftest import server_env
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

NEW_PASSWORD = "訪問の帰りに桜を見た二〇二六年"


@pytest.fixture()
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture()
def mail_settings(data_dir: Path, database_url: str, smtp: SmtpSink) -> Settings:
    return load_settings(
        server_env(data_dir, database_url, CAREBOOK_SMTP_HOST=smtp.host,
                   CAREBOOK_SMTP_PORT=str(smtp.port))
    )


async def test_admin_reset_sends_a_single_use_link_and_never_shows_a_password(
    mail_settings: Settings, clock: FrozenClock, sessionmaker: Any, smtp: SmtpSink
) -> None:
    nurse = await make_user(sessionmaker, mail_settings, "nurse-hanako", now=clock.now(),
                            email="hanako@example.jp")
    admin = await make_user(sessionmaker, mail_settings, "city-admin", now=clock.now(),
                            role="municipal_admin", job_type="city_staff")
    app = create_app(mail_settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://localhost:8000") as http:
        api = ApiClient(http)
        assert admin.totp_secret is not None
        await api.sign_in_totp(admin.login_id, admin.password, admin.totp_secret, clock.now())
        answer = await api.post(f"/api/admin/users/{nurse.id}/reset-password")
        assert answer.status_code == 200
        # No password and no link in the answer; the mail left the server.
        assert set(answer.json()) == {"userId", "action", "done", "mailed", "count"}
        assert answer.json()["mailed"] is True

        mail = smtp.wait_for(1)[0]
        assert mail.to == "hanako@example.jp"
        assert "パスワード再設定" in mail.subject
        link = next(u for u in SmtpSink.links(mail) if "/activate/" in u)
        token = link.rsplit("/", 1)[1]

        described = await api.get(f"/api/activation/{token}")
        assert described.json()["loginId"] == "nurse-hanako"
        done = await api.post(f"/api/activation/{token}", {"password": NEW_PASSWORD})
        assert done.status_code == 200, done.text
        again = await api.post(f"/api/activation/{token}", {"password": NEW_PASSWORD + "x"})
        assert again.status_code == 404  # single use

        await api.post("/api/auth/logout")
        signed = await api.login("nurse-hanako", NEW_PASSWORD)
        assert signed.status_code == 200 and signed.json()["next"] == "totp"
        assert (await api.login("nurse-hanako", nurse.password)).status_code == 401


async def test_reset_factors_sends_the_user_back_to_enrolment(
    api: ApiClient, client: Any, nurse: MadeUser, admin: MadeUser, clock: FrozenClock
) -> None:
    assert admin.totp_secret is not None
    await api.sign_in_totp(admin.login_id, admin.password, admin.totp_secret, clock.now())
    assert (await api.post(f"/api/admin/users/{nurse.id}/reset-factors")).status_code == 200
    await api.post("/api/auth/logout")
    assert (await api.login(nurse.login_id, nurse.password)).json()["next"] == "enroll"


async def test_cookies_use_the_host_prefix_and_secure_over_https(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any
) -> None:
    settings = load_settings(server_env(data_dir, database_url,
                                        CAREBOOK_BASE_URL="https://carebook.example.jp"))
    user = await make_user(sessionmaker, settings, "nurse-hanako", now=clock.now())
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="https://carebook.example.jp") as http:
        api = ApiClient(http, origin="https://carebook.example.jp")
        response = await api.login(user.login_id, user.password)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-carebook_session=")
        for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag in cookie
        assert "Domain=" not in cookie
        assert "max-age=63072000" in response.headers["strict-transport-security"]


async def test_sign_in_events_are_audited_without_secrets_and_the_chain_verifies(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, sessionmaker: Any
) -> None:
    await api.login(nurse.login_id, "a wrong password here")
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    async with sessionmaker() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        report = await verify_chain(session)
    outcomes = [(e.action, e.outcome, e.details.get("factor")) for e in events]
    assert ("auth.signin", "failure", None) in outcomes
    assert ("auth.signin", "ok", "totp") in outcomes
    assert all(e.ip and e.device_key == api.device for e in events)
    blob = repr([(e.details, e.target_id) for e in events])
    assert nurse.password not in blob and "a wrong password" not in blob
    assert report.first_broken_seq is None and report.checked == len(events)
