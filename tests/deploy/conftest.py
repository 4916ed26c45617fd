"""A production-shaped installation on this machine: PostgreSQL, two `carebook serve`
processes (`--no-worker`, as the systemd units run them) and one `carebook worker`, sharing one
data directory, behind the shipped nginx or Caddy configuration with TLS on `localhost`."""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.server import (
    LiveServer,
    carebook_executable,
    free_port,
    live_server_process,
    stop_process,
)
from tests.conftest import server_env
from tests.deploy.proxies import Certificates, RunningProxy, running_proxy
from tests.deploy.tls import Authority, Issued

# Peers whose X-Forwarded-* headers carebook believes: the proxy on loopback.
TRUSTED_PROXIES = "127.0.0.1,::1"
CERT_HEADER = "X-Client-Cert-Fingerprint"
WORKER_POLL_S = 300


@dataclass
class Installation:
    proxy: RunningProxy
    servers: list[LiveServer]
    worker: subprocess.Popen[bytes]
    worker_log: Path
    trust: Path  # the CA that signed the proxy's certificate (give it to httpx)
    city_ca: Authority | None = None
    revoked: Issued | None = None

    @property
    def url(self) -> str:
        return self.proxy.url

    def tls(self, client: Issued | None = None) -> ssl.SSLContext:
        """What a device's browser trusts (and, with mutual TLS, presents)."""
        context = ssl.create_default_context(cafile=str(self.trust))
        if client is not None:
            context.load_cert_chain(str(client.cert_path), str(client.key_path))
        return context

    def routes_served(self, server: LiveServer) -> list[str]:
        """The routes of the requests one process answered (from its JSON access log)."""
        routes = []
        for line in server.log().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("logger") == "carebook.access":
                    routes.append(str(entry.get("route")))
        return routes


@contextlib.contextmanager
def worker_process(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`carebook worker`, stopped with SIGTERM as systemd does."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [carebook_executable(), "worker"], env={**os.environ, **env}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError(f"carebook worker exited: {log_path.read_text(errors='replace')}")
        yield process
    finally:
        stop_process(process, timeout=15)


@contextlib.contextmanager
def installation_of(
    kind: str, tmp_path: Path, data_dir: Path, postgres_url: str, *, mutual_tls: bool = False
) -> Iterator[Installation]:
    certificates = tmp_path / "certificates"
    certificates.mkdir()
    certificates.chmod(0o755)
    authority = Authority(certificates, "test")
    server_cert = authority.issue_server("localhost")
    certs = Certificates(server_cert.cert_path, server_cert.key_path)
    city: Authority | None = None
    revoked: Issued | None = None
    extra: dict[str, str] = {}
    if mutual_tls:
        city = Authority(certificates, "city")
        revoked = city.issue_client("lost-tablet")
        certs.client_ca = city.cert_path
        certs.client_crl = city.revocation_list([revoked]) if kind == "nginx" else None
        extra["CAREBOOK_CLIENT_CERT_HEADER"] = CERT_HEADER
    https_port = free_port()
    url = f"https://localhost:{https_port}"
    common = {"base_url": url, "serve_args": ["--no-worker"],
              "CAREBOOK_TRUSTED_PROXIES": TRUSTED_PROXIES,
              "CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK": "1", **extra}
    with live_server_process(data_dir, postgres_url, **common) as one, \
            live_server_process(data_dir, postgres_url, **common) as two, \
            worker_process(
                # A poll far longer than the test: only the NOTIFY of a post can wake it.
                server_env(data_dir, postgres_url, CAREBOOK_BASE_URL=url,
                           CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK="1",
                           CAREBOOK_PUSH_POLL_SECONDS=str(WORKER_POLL_S)),
                data_dir / "worker.log",
            ) as worker, \
            running_proxy(kind, tmp_path / kind, (one.port, two.port), certs,
                          authority.cert_path, https_port=https_port) as proxy:
        yield Installation(proxy=proxy, servers=[one, two], worker=worker,
                           worker_log=data_dir / "worker.log", trust=authority.cert_path,
                           city_ca=city, revoked=revoked)


@pytest.fixture(params=["nginx", "caddy"])
def installation(
    request: pytest.FixtureRequest, tmp_path: Path, data_dir: Path, postgres_url: str
) -> Iterator[Installation]:
    with installation_of(request.param, tmp_path, data_dir, postgres_url) as made:
        yield made
