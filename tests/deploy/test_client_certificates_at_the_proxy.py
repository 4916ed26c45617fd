"""The optional mutual-TLS set-up of docs/deploy.md §3, with the shipped proxy configs: the
proxy verifies the device's certificate against the city's CA, carebook binds the device to
that certificate on first use, and another certificate on that device is refused.

PostgreSQL only, like the rest of the deployment tests.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from server.settings import Settings
from store.models import Device
from tests.deploy.conftest import Installation, installation_of
from tests.deploy.tls import Authority, Issued
from tests.factories import make_user
from tests.support.api import ApiClient

pytestmark = pytest.mark.postgres_only


@pytest.fixture(params=["nginx", "caddy"])
def city_installation(
    request: pytest.FixtureRequest, tmp_path: Path, data_dir: Path, postgres_url: str
) -> Iterator[Installation]:
    with installation_of(request.param, tmp_path, data_dir, postgres_url,
                         mutual_tls=True) as made:
        yield made


def device_client(installation: Installation, certificate: Issued | None,
                  cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=installation.url, verify=installation.tls(certificate),
                             timeout=30, cookies=cookies)


async def test_a_device_is_bound_to_the_certificate_it_first_signs_in_with(
    city_installation: Installation, sessionmaker: Any, settings: Settings
) -> None:
    installation = city_installation
    assert installation.city_ca is not None
    tablet = installation.city_ca.issue_client("tablet-001")
    other = installation.city_ca.issue_client("tablet-002")
    nurse = await make_user(sessionmaker, settings, "mtls-nurse", now=datetime.now(UTC))
    assert nurse.totp_secret is not None

    async with device_client(installation, tablet) as http:
        api = ApiClient(http, origin=installation.url)
        signed = await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret)
        assert signed.status_code == 200, signed.text
        pulled = await api.post("/api/sync/pull", {"cursor": None})
        assert pulled.status_code == 200, pulled.text

        # The fingerprint the proxy vouched for is now the device's (nginx gives SHA-1,
        # Caddy SHA-256; either binds).
        async with sessionmaker() as session:
            bound = (await session.scalars(select(Device.cert_fingerprint).where(
                Device.user_id == nurse.id))).one()
        assert bound in {tablet.fingerprint("sha1"), tablet.fingerprint("sha256")}

        # The same session and device with another valid city certificate: refused.
        async with device_client(installation, other, cookies=http.cookies) as thief_http:
            thief = ApiClient(thief_http, device=api.device, origin=installation.url)
            # Even with everything the app holds (cookie, device id, unlock proof), only the
            # certificate the device was bound to passes the proxy.
            thief.unlock = api.unlock
            thief.csrf = api.csrf
            stolen = await thief.post("/api/sync/pull", {"cursor": None})
        assert stolen.status_code == 403
        assert stolen.json()["error"] == "client_cert_mismatch"

        # The rightful tablet still works.
        again = await api.post("/api/sync/pull", {"cursor": None})
        assert again.status_code == 200


async def test_without_a_city_certificate_the_proxy_lets_nothing_through(
    city_installation: Installation,
) -> None:
    installation = city_installation
    if installation.proxy.kind == "nginx":
        # nginx finishes the handshake and answers in carebook's error shape.
        async with device_client(installation, None) as http:
            answer = await http.get("/api/health")
            english = await http.get("/api/health", headers={"Accept-Language": "en"})
        assert answer.status_code == 403
        assert answer.json() == {"error": "client_cert_required",
                                 "message": "この端末には市が発行した有効なクライアント証明書"
                                            "がありません。"}
        assert english.json()["message"].startswith("This device has no valid client")
        # A certificate on the city's revocation list (a lost tablet) is refused the same way.
        assert installation.revoked is not None
        async with device_client(installation, installation.revoked) as http:
            revoked = await http.get("/api/health")
        assert revoked.status_code == 403
        assert revoked.json()["error"] == "client_cert_required"
    else:
        # Caddy refuses the TLS handshake itself (an alert during or right after it).
        async with device_client(installation, None) as http:
            with pytest.raises((httpx.TransportError, ssl.SSLError)):
                await http.get("/api/health")
    # A certificate from any other CA is refused too.
    stranger = Authority(installation.trust.parent, "stranger")
    foreign = stranger.issue_client("foreign-tablet")
    async with device_client(installation, foreign) as http:
        if installation.proxy.kind == "nginx":
            assert (await http.get("/api/health")).status_code == 403
        else:
            with pytest.raises((httpx.TransportError, ssl.SSLError)):
                await http.get("/api/health")
