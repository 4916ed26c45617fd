"""The one place that reads the environment.

Every setting is read once, checked, and frozen into small dataclasses; a bad
value stops start-up with a message that names the variable and what it wants.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting has a value carebook cannot use; the message says which and why."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    echo: bool = False
    # No connection reuse: for test clients that each run the app in their own event loop.
    null_pool: bool = False
    # PostgreSQL: the connections each serving process keeps open, and at most uses
    # (server/db.py). `carebook serve --workers N` needs N times this, plus the workers' and
    # operators' own, within the database's `max_connections` (100 by default).
    pool_size: int = 30

    @property
    def dialect(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str


@dataclass(frozen=True)
class AuthSettings:
    idle_timeout_s: int = 30 * 60
    absolute_timeout_s: int = 12 * 3600
    lockout_threshold: int = 5
    lockout_base_s: int = 60
    lockout_cap_s: int = 3600
    device_wipe_threshold: int = 5
    ip_attempts_per_minute: int = 30
    initial_password_ttl_s: int = 7 * 24 * 3600
    # argon2id cost; tests lower it through CAREBOOK_ARGON2_FAST=1 only.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024


# The browsers' push services (server/push/endpoints.py says which browser uses which).
KNOWN_PUSH_SERVICES: tuple[str, ...] = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


@dataclass(frozen=True)
class PushSettings:
    """Web Push: the VAPID key (None: generated into the data dir) and the outbox worker."""

    # base64url of the raw 32-byte P-256 private key or of its DER (pywebpush takes no PEM).
    vapid_private_key: str | None = None
    vapid_subject: str = "mailto:carebook@localhost"
    # Tests only: lets http://127.0.0.1/… endpoints (the loopback push receiver) through.
    allow_http_loopback: bool = False
    # Host names (or parent domains) of the push services endpoints may point at (https, 443).
    endpoint_hosts: tuple[str, ...] = KNOWN_PUSH_SERVICES
    in_process_worker: bool = True
    concurrency: int = 16
    batch_size: int = 100
    max_attempts: int = 12
    # How often a worker looks for due rows when nothing woke it. Posts wake it at once (in
    # the same process, or through LISTEN/NOTIFY on PostgreSQL); the poll catches retries.
    poll_seconds: int = 1


@dataclass(frozen=True)
class SchedulerSettings:
    """Work due at a moment (ID stops on their 停止希望日): who runs it, how often it looks."""

    # Run the scheduler inside `serve` (`carebook worker` runs it too). Any number of
    # processes may run it: a lease in the database lets one of them work at a time.
    in_process: bool = True
    poll_seconds: int = 60
    # A holder that stops renewing (it died) loses the lease after this long.
    lease_seconds: int = 300
    # The person whose ID stops is told this many days before (to send what is left unsent).
    id_stop_notice_days: int = 3


@dataclass(frozen=True)
class OpsSettings:
    """Running an installation: audit retention, abuse limits, logs, the proxy in front."""

    audit_retention_days: int = 1825
    # JSON bodies are small; only routes that set their own limit (uploads) take more.
    json_body_max_bytes: int = 256 * 1024
    signin_per_user_per_minute: int = 30
    push_per_user_per_minute: int = 20
    uploads_per_user_per_minute: int = 30
    sse_per_user: int = 4
    log_format: str = "json"
    # Peers whose X-Forwarded-For/-Proto (and client-certificate header) are believed.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Set when the proxy does mutual TLS and passes the verified certificate's fingerprint.
    client_cert_header: str | None = None
    # Lets a Prometheus scraper read /api/metrics without an operator's session.
    metrics_token: str | None = None
    # Serves the OpenAPI viewer at /schema/swagger (the JSON document is always served).
    api_viewer: bool = False


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database: DatabaseSettings
    base_url: str
    secret_key: str
    smtp: SmtpSettings
    auth: AuthSettings = field(default_factory=AuthSettings)
    push: PushSettings = field(default_factory=PushSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    pwa_dir: Path = Path(__file__).resolve().parent.parent / "pwa" / "dist"
    version: str = "0.1.0"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def rp_id(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "mail-outbox"


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _base_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(
            f"CAREBOOK_BASE_URL must be an http(s) origin such as https://carebook.example.jp, "
            f"not {raw!r}"
        )
    if parts.scheme == "http" and parts.hostname not in {"localhost"}:
        raise SettingsError(
            "CAREBOOK_BASE_URL must use https:// except for http://localhost "
            f"(passkeys refuse other plain-http origins), not {raw!r}"
        )
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise SettingsError(f"CAREBOOK_BASE_URL must be an origin without a path, not {raw!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite+aiosqlite:///{data_dir / 'carebook.sqlite3'}"
    if raw.startswith("postgresql://") or raw.startswith("postgres://"):
        return "postgresql+asyncpg://" + raw.split("://", 1)[1]
    if raw.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return raw
    raise SettingsError(
        "CAREBOOK_DATABASE_URL must be sqlite+aiosqlite:///path or postgresql+asyncpg://…, "
        f"not {raw.split('@')[-1]!r}"
    )


def _secret_key(raw: str | None, data_dir: Path) -> str:
    if raw:
        if len(raw) < 32:
            raise SettingsError("CAREBOOK_SECRET_KEY must be at least 32 characters long")
        return raw
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def _vapid_private_key(raw: str | None) -> str | None:
    """Accept what pywebpush accepts (base64url raw 32 bytes or DER), refuse PEM early."""
    if not raw:
        return None
    import base64
    import binascii

    from cryptography.hazmat.primitives.serialization import load_der_private_key

    text = raw.strip()
    wanted = (
        "CAREBOOK_VAPID_PRIVATE_KEY must be the base64url of a raw 32-byte P-256 private key "
        "or of its DER encoding (not PEM)"
    )
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SettingsError(wanted) from None
    if len(key) != 32:
        try:
            load_der_private_key(key, password=None)
        except (ValueError, TypeError):
            raise SettingsError(wanted) from None
    return text


def _vapid_subject(raw: str | None, base_url: str) -> str:
    if not raw:
        return f"mailto:carebook@{urlsplit(base_url).hostname}"
    if not raw.startswith(("mailto:", "https://")) or len(raw) < 10:
        raise SettingsError(
            f"CAREBOOK_VAPID_SUBJECT must be a mailto: address or an https:// URL, not {raw!r}"
        )
    return raw


def _push_settings(env: Mapping[str, str], base_url: str) -> PushSettings:
    extra = [
        h.strip().lower().strip(".")
        for h in (env.get("CAREBOOK_PUSH_ENDPOINT_HOSTS") or "").split(",")
        if h.strip()
    ]
    label = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
    for host in extra:
        if "." not in host or not all(label.match(part) for part in host.split(".")):
            raise SettingsError(
                "CAREBOOK_PUSH_ENDPOINT_HOSTS adds host names of push services to the known "
                f"ones (e.g. push.example.jp), comma-separated; {host!r} is not one"
            )
    hosts = tuple(dict.fromkeys([*KNOWN_PUSH_SERVICES, *extra]))
    return PushSettings(
        vapid_private_key=_vapid_private_key(env.get("CAREBOOK_VAPID_PRIVATE_KEY")),
        vapid_subject=_vapid_subject(env.get("CAREBOOK_VAPID_SUBJECT"), base_url),
        allow_http_loopback=_bool(env, "CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK", False),
        endpoint_hosts=hosts,
        in_process_worker=_bool(env, "CAREBOOK_PUSH_WORKER", True),
        concurrency=_int(env, "CAREBOOK_PUSH_CONCURRENCY", 16, minimum=1),
        batch_size=_int(env, "CAREBOOK_PUSH_BATCH_SIZE", 100, minimum=1),
        max_attempts=_int(env, "CAREBOOK_PUSH_MAX_ATTEMPTS", 12, minimum=1),
        poll_seconds=_int(env, "CAREBOOK_PUSH_POLL_SECONDS", 1, minimum=1),
    )


def _ops_settings(env: Mapping[str, str]) -> OpsSettings:
    import ipaddress

    raw_proxies = env.get("CAREBOOK_TRUSTED_PROXIES") or env.get("FORWARDED_ALLOW_IPS")
    proxies = OpsSettings.trusted_proxies
    if raw_proxies:
        proxies = tuple(p.strip() for p in raw_proxies.split(",") if p.strip())
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    "CAREBOOK_TRUSTED_PROXIES must list IP addresses or networks "
                    f"(e.g. 127.0.0.1,10.0.0.0/24), not {proxy!r}"
                ) from None
    log_format = (env.get("CAREBOOK_LOG_FORMAT") or "json").lower()
    if log_format not in {"json", "text"}:
        raise SettingsError(f"CAREBOOK_LOG_FORMAT must be json or text, not {log_format!r}")
    header = (env.get("CAREBOOK_CLIENT_CERT_HEADER") or "").strip().lower() or None
    if header is not None and not all(c.isalnum() or c == "-" for c in header):
        raise SettingsError(
            f"CAREBOOK_CLIENT_CERT_HEADER must be a header name such as "
            f"X-Client-Cert-Fingerprint, not {header!r}"
        )
    metrics_token = env.get("CAREBOOK_METRICS_TOKEN") or None
    if metrics_token is not None and len(metrics_token) < 24:
        raise SettingsError("CAREBOOK_METRICS_TOKEN must be at least 24 characters long")
    return OpsSettings(
        audit_retention_days=_int(env, "CAREBOOK_AUDIT_RETENTION_DAYS", 1825, minimum=1),
        json_body_max_bytes=_int(env, "CAREBOOK_JSON_BODY_MAX_BYTES", 256 * 1024, minimum=1024),
        signin_per_user_per_minute=_int(env, "CAREBOOK_SIGNIN_PER_USER_PER_MINUTE", 30, minimum=1),
        push_per_user_per_minute=_int(env, "CAREBOOK_PUSH_PER_USER_PER_MINUTE", 20, minimum=1),
        uploads_per_user_per_minute=_int(
            env, "CAREBOOK_UPLOADS_PER_USER_PER_MINUTE", 30, minimum=1
        ),
        sse_per_user=_int(env, "CAREBOOK_SSE_PER_USER", 4, minimum=1),
        log_format=log_format,
        trusted_proxies=proxies,
        client_cert_header=header,
        metrics_token=metrics_token,
        api_viewer=_bool(env, "CAREBOOK_API_VIEWER", False),
    )


def _scheduler_settings(env: Mapping[str, str]) -> SchedulerSettings:
    poll = _int(env, "CAREBOOK_SCHEDULER_POLL_SECONDS", 60, minimum=1)
    lease = _int(env, "CAREBOOK_SCHEDULER_LEASE_SECONDS", 300, minimum=10)
    if lease <= poll:
        raise SettingsError(
            "CAREBOOK_SCHEDULER_LEASE_SECONDS must be longer than CAREBOOK_SCHEDULER_POLL_SECONDS "
            f"(the holder renews it every poll), not {lease} <= {poll}"
        )
    return SchedulerSettings(
        in_process=_bool(env, "CAREBOOK_SCHEDULER", True),
        poll_seconds=poll,
        lease_seconds=lease,
        id_stop_notice_days=_int(env, "CAREBOOK_ID_STOP_NOTICE_DAYS", 3, minimum=0),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and check every setting; create the data directory and secret key if missing."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("CAREBOOK_DATA_DIR") or "./data").resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"CAREBOOK_DATA_DIR {str(data_dir)!r} cannot be created: {exc}"
        ) from exc
    port = _int(env, "PORT", 8000, minimum=1)
    base_url = _base_url(env.get("CAREBOOK_BASE_URL") or f"http://localhost:{port}")
    smtp_port = _int(env, "CAREBOOK_SMTP_PORT", 25, minimum=1)
    fast = _bool(env, "CAREBOOK_ARGON2_FAST", False)
    auth = AuthSettings(
        idle_timeout_s=_int(env, "CAREBOOK_SESSION_IDLE_MINUTES", 30, minimum=1) * 60,
        absolute_timeout_s=_int(env, "CAREBOOK_SESSION_ABSOLUTE_HOURS", 12, minimum=1) * 3600,
        ip_attempts_per_minute=_int(env, "CAREBOOK_SIGNIN_PER_IP_PER_MINUTE", 30, minimum=1),
        argon2_time_cost=1 if fast else 3,
        argon2_memory_kib=8 * 1024 if fast else 64 * 1024,
    )
    return Settings(
        data_dir=data_dir,
        database=DatabaseSettings(
            url=_database_url(env.get("CAREBOOK_DATABASE_URL"), data_dir),
            echo=_bool(env, "CAREBOOK_DATABASE_ECHO", False),
            null_pool=_bool(env, "CAREBOOK_DATABASE_NULL_POOL", False),
            pool_size=_int(env, "CAREBOOK_DATABASE_POOL_SIZE", 30, minimum=1),
        ),
        base_url=base_url,
        secret_key=_secret_key(env.get("CAREBOOK_SECRET_KEY"), data_dir),
        smtp=SmtpSettings(
            host=env.get("CAREBOOK_SMTP_HOST") or None,
            port=smtp_port,
            username=env.get("CAREBOOK_SMTP_USERNAME") or None,
            password=env.get("CAREBOOK_SMTP_PASSWORD") or None,
            starttls=_bool(env, "CAREBOOK_SMTP_STARTTLS", False),
            sender=env.get("CAREBOOK_SMTP_SENDER") or "carebook <no-reply@localhost>",
        ),
        auth=auth,
        push=_push_settings(env, base_url),
        ops=_ops_settings(env),
        scheduler=_scheduler_settings(env),
    )
