"""Mutual TLS at the proxy: the verified certificate's fingerprint, believed only from a trusted
proxy, binds to the device on first use; another certificate on that device is refused."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import select

from server.app import create_app
from server.clock import FrozenClock
from server.settings import Settings, load_settings
from store.models import AuditEvent, Device
from tests.conftest import BASE_URL, server_env
from tests.support.api import ApiClient
from tests.sync.support import signed_in

PROXY = "10.0.0.1"
HEADER = "X-Client-Cert-Fingerprint"
CERT_A = "AB:" * 31 + "CD"  # SHA-256, colon-separated as some proxies write it
CERT_B = "12" * 32


@contextlib.asynccontextmanager
async def running(
    data_dir: Path, database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[Settings, Litestar]]:
    settings = load_settings(server_env(
        data_dir, database_url, CAREBOOK_CLIENT_CERT_HEADER=HEADER,
        CAREBOOK_TRUSTED_PROXIES=f"{PROXY},192.168.10.0/24",
    ))
    app = create_app(settings, clock=clock)
    # Requests go straight to the ASGI app in this loop (httpx.ASGITransport lets the test
    # choose the peer address); these routes need nothing from the app's lifespan.
    yield settings, app


def via(app: Litestar, peer: str, **headers: str) -> httpx.AsyncClient:
    """A client whose TCP peer address, as the app sees it, is `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)


async def test_certificate_binds_to_the_device_and_is_checked(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any
) -> None:
    async with running(data_dir, database_url, clock) as (settings, app):
        async with via(app, PROXY, **{HEADER: CERT_A, "X-Forwarded-For": "203.0.113.7"}) as http:
            user, api = await signed_in(http, sessionmaker, settings, clock, "nurse-mtls")
            me = await api.get("/api/me")
            assert me.status_code == 200, me.text

        async with sessionmaker() as session:
            device = await session.scalar(select(Device).where(Device.user_id == user.id))
            assert device is not None
            assert device.cert_fingerprint == CERT_A.replace(":", "").lower()
            events = list(await session.scalars(
                select(AuditEvent).where(AuditEvent.actor_id == user.id)))
        bound = [e for e in events if e.action == "device.cert_bound"]
        assert len(bound) == 1
        # The address is the client's, from the trusted proxy's X-Forwarded-For.
        assert {e.ip for e in events} == {"203.0.113.7"}

        # Same device, same session, another (valid at the proxy) certificate: refused.
        async with via(app, PROXY, **{HEADER: CERT_B}) as http:
            other = ApiClient(http, device=api.device)
            other.unlock = api.unlock  # the same app, unlocked: only the certificate differs
            http.cookies = api.http.cookies
            refused = await other.get("/api/me")
            assert refused.status_code == 403
            assert refused.json()["error"] == "client_cert_mismatch"
        async with sessionmaker() as session:
            mismatch = await session.scalar(
                select(AuditEvent).where(AuditEvent.action == "device.cert_mismatch"))
            assert mismatch is not None and mismatch.outcome == "refused"

        # The right certificate still works, from another proxy of the trusted network.
        async with via(app, "192.168.10.20", **{HEADER: CERT_A}) as http:
            again = ApiClient(http, device=api.device)
            again.unlock = api.unlock
            http.cookies = api.http.cookies
            assert (await again.get("/api/me")).status_code == 200


async def test_the_header_is_believed_only_from_a_trusted_proxy(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any
) -> None:
    async with running(data_dir, database_url, clock) as (_settings, app):
        async with via(app, "10.0.0.9", **{HEADER: CERT_A, "X-Forwarded-For": "1.2.3.4"}) as http:
            api = ApiClient(http)
            # Public routes answer without a certificate (health checks, the PWA's files).
            assert (await http.get("/api/health")).status_code == 200
            refused = await api.login("nurse-x", "whatever password")
            assert refused.status_code == 403
            assert refused.json()["error"] == "client_cert_required"
            assert "証明書" in refused.json()["message"]
        async with via(app, PROXY) as http:  # trusted, but the proxy sent no certificate
            refused = await ApiClient(http).login("nurse-x", "whatever password")
            assert refused.json()["error"] == "client_cert_required"
        async with via(app, PROXY, **{HEADER: "not-a-fingerprint"}) as http:
            refused = await ApiClient(http).login("nurse-x", "whatever password")
            assert refused.json()["error"] == "client_cert_required"


async def test_forwarded_for_only_from_a_trusted_proxy(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any
) -> None:
    settings = load_settings(server_env(data_dir, database_url,
                                        CAREBOOK_TRUSTED_PROXIES=PROXY))
    app = create_app(settings, clock=clock)
    for peer, expected in ((PROXY, "198.51.100.4"), ("10.0.0.9", "10.0.0.9")):
        # A spoofed first hop is ignored: the rightmost address not a trusted proxy wins.
        headers = {"X-Forwarded-For": f"6.6.6.6, 198.51.100.4, {PROXY}"}
        async with via(app, peer, **headers) as http:
            await ApiClient(http).login("nobody-here", "wrong password")
        async with sessionmaker() as session:
            last = await session.scalar(
                select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert last is not None and last.ip == expected, (peer, last and last.ip)
