"""A Web Push service (RFC 8030) on loopback that checks VAPID and decrypts like a browser.

The server's notification code is tested against this instead of a mock, so what is checked is
what Chrome's and Firefox's push services and the browser itself would check: the VAPID JWT
(RFC 8292), the ``aes128gcm`` encryption (RFC 8291 over RFC 8188) and the TTL/Urgency/Topic
headers. Failures that real push services return (404/410 for dead subscriptions, 429 with
Retry-After, 5xx) can be scripted per endpoint to test cleanup and retry logic.

Note for the server under test: endpoints here are ``http://127.0.0.1:PORT/...``; a server that
only allows ``https`` push endpoints needs a test setting that lets loopback through.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "MAX_PAYLOAD",
    "PushAttempt",
    "PushError",
    "PushMessage",
    "PushReceiver",
    "decrypt_aes128gcm",
]

#: RFC 8030 §7.2: push services must accept at least 4096 bytes of body; browsers' services
#: refuse more, so a bigger body is answered with 413 like Chrome/FCM and Mozilla do.
MAX_PAYLOAD: Final = 4096
MAX_VAPID_LIFETIME: Final = 24 * 60 * 60
URGENCIES: Final = frozenset({"very-low", "low", "normal", "high"})
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PATH_RE = re.compile(r"^/push/([A-Za-z0-9_-]+)$")


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raise ``PushError`` (400) on garbage."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise PushError(400, f"bad base64url: {text[:20]!r}") from exc


def _raw_public(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


class PushError(Exception):
    """A refusal with the HTTP status the push service answers with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


# ---------------------------------------------------------------------------- crypto


def decrypt_aes128gcm(
    body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth_secret: bytes
) -> bytes:
    """Decrypt a Web Push message body as the user agent does (RFC 8291 §3.4, RFC 8188 §2).

    Written out step by step rather than via ``http_ece`` so the check is independent of the
    library pywebpush itself uses to encrypt; a shared bug would otherwise go unnoticed.
    """
    if len(body) < 21:
        raise PushError(400, "aes128gcm header truncated")
    salt = body[:16]
    rs = int.from_bytes(body[16:20], "big")
    idlen = body[20]
    keyid = body[21 : 21 + idlen]
    ciphertext = body[21 + idlen :]
    if idlen != 65:
        raise PushError(400, f"keyid must be the 65-byte sender public key, got {idlen} bytes")
    if rs < 18:
        raise PushError(400, f"record size {rs} below minimum 18")
    if len(ciphertext) > rs:
        raise PushError(400, "Web Push requires a single record (RFC 8291 §4)")
    if len(ciphertext) < 17:
        raise PushError(400, "record too short for tag and delimiter")
    try:
        as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid)
    except ValueError as exc:
        raise PushError(400, "keyid is not a P-256 point") from exc

    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    ua_public = _raw_public(ua_private.public_key())
    key_info = b"WebPush: info\x00" + ua_public + keyid
    ikm = HKDF(hashes.SHA256(), 32, salt=auth_secret, info=key_info).derive(ecdh_secret)
    cek = HKDF(hashes.SHA256(), 16, salt=salt, info=b"Content-Encoding: aes128gcm\x00").derive(ikm)
    nonce = HKDF(hashes.SHA256(), 12, salt=salt, info=b"Content-Encoding: nonce\x00").derive(ikm)
    try:
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)  # record 0: nonce XOR 0
    except InvalidTag as exc:
        raise PushError(400, "decryption failed (wrong keys or corrupted body)") from exc
    unpadded = padded.rstrip(b"\x00")
    if not unpadded or unpadded[-1] != 0x02:
        raise PushError(400, "last record lacks the 0x02 padding delimiter")
    return unpadded[:-1]


def _verify_jwt(token: str, public_key: bytes) -> dict[str, Any]:
    """Check an ES256 JWT (raw r||s signature, RFC 7518 §3.4) and return its claims."""
    parts = token.split(".")
    if len(parts) != 3:
        raise PushError(401, "VAPID token is not a JWT")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PushError(401, "VAPID JWT is not JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise PushError(401, f"VAPID JWT alg must be ES256, got {header!r}")
    if not isinstance(claims, dict):
        raise PushError(401, "VAPID JWT claims are not an object")
    sig = _b64url_decode(parts[2])
    if len(sig) != 64:
        raise PushError(401, "VAPID signature must be 64 raw bytes (r||s), not DER")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        key.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature) as exc:
        raise PushError(401, "VAPID signature does not verify against k") from exc
    return claims


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PushMessage:
    """A push the service accepted and the browser decrypted.

    ``json`` is the payload parsed as JSON, or ``None`` when empty or not JSON. ``headers`` has
    every request header with its name lower-cased, since clients differ in case on the wire.
    """

    subscription: str
    endpoint: str
    ttl: int
    urgency: str | None
    topic: str | None
    headers: dict[str, str]
    payload: bytes
    json: Any
    vapid_public_key: str
    vapid_claims: dict[str, Any]
    received_at: float


@dataclass(frozen=True)
class PushAttempt:
    """Every request, accepted or not, so tests can see retries and why one was refused."""

    endpoint: str
    status: int
    reason: str
    received_at: float


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: str | None
    location: str | None = None  # a redirect's target


@dataclass
class _Subscription:
    name: str
    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: bytes | None
    gone: bool = False
    failures: deque[_Failure] = field(default_factory=deque)

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {
                "p256dh": _b64url_encode(_raw_public(self.private_key.public_key())),
                "auth": _b64url_encode(self.auth_secret),
            },
        }


# ---------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: PushReceiver


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10
    # Answer in one segment: otherwise kept-alive clients stall ~40 ms per push (Nagle).
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.receiver._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.receiver._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep pytest output clean; attempts are recorded on the receiver instead."""

    def do_POST(self) -> None:
        try:
            body = self._read_body()
        except PushError as exc:
            self._reply(exc.status, exc.reason, {"Connection": "close"})
            self.close_connection = True
            return
        status, reason, extra = self.server.receiver._handle(
            self.path, {k: v for k, v in self.headers.items()}, body
        )
        self._reply(status, reason, extra)

    def do_GET(self) -> None:
        self._reply(405, "push service accepts POST only", {"Allow": "POST"})

    do_PUT = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length is None:
            raise PushError(411, "Content-Length required")
        return self.rfile.read(int(length))

    def _reply(self, status: int, reason: str, extra: dict[str, str]) -> None:
        data = reason.encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class PushReceiver:
    """Push service + browser: hands out subscriptions and decrypts what is pushed to them.

    ``vapid_public_key`` (base64url uncompressed point, the server's applicationServerKey)
    makes every endpoint refuse other keys with 403, as a subscription made with that
    applicationServerKey would. ``require_sub`` demands a ``mailto:``/``https:`` ``sub`` claim,
    which Apple's service enforces.

    Order of checks per request: unknown endpoint 404, gone 410, scripted failure, then
    VAPID 401/403, headers 400, size 413, encoding 415, decryption 400, else 201.
    """

    def __init__(
        self,
        *,
        vapid_public_key: str | bytes | None = None,
        require_vapid: bool = True,
        require_sub: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        self.expected_vapid_key = _key_bytes(vapid_public_key)
        self.require_vapid = require_vapid
        self.require_sub = require_sub
        self.host = host
        self._lock = threading.Condition()
        self._subs: dict[str, _Subscription] = {}
        self._messages: list[PushMessage] = []
        self._attempts: list[PushAttempt] = []
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._origin: str | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``: the value the VAPID ``aud`` claim must have."""
        if self._origin is None:
            raise RuntimeError("PushReceiver is not started")
        return self._origin

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            raise RuntimeError("PushReceiver already started")
        server = _Server((self.host, 0), _Handler)
        server.receiver = self
        self._server = server
        self._origin = f"http://{self.host}:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop kept-alive connections so later sends fail like a dead host."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # ------------------------------------------------------------------ subscriptions

    def new_subscription(
        self, name: str, *, application_server_key: str | bytes | None = None
    ) -> dict[str, Any]:
        """Make a browser-like subscription and return its ``PushSubscription.toJSON()``.

        ``application_server_key`` binds this one endpoint to a VAPID key (403 for others),
        like ``pushManager.subscribe({applicationServerKey})``; it overrides the receiver-wide
        ``vapid_public_key``. ``expirationTime: null`` is included because browsers send it.
        """
        token = secrets.token_urlsafe(16)
        sub = _Subscription(
            name=name,
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
            application_server_key=_key_bytes(application_server_key),
        )
        with self._lock:
            self._subs[token] = sub
        return sub.to_json()

    def expect_vapid_key(self, key: str | bytes | None) -> None:
        """Set (or clear with ``None``) the VAPID public key every endpoint must be signed with."""
        self.expected_vapid_key = _key_bytes(key)

    def fail_next(
        self,
        endpoint: str | dict[str, Any],
        status: int,
        times: int = 1,
        *,
        retry_after: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` pushes to ``endpoint`` with ``status`` instead of 201.

        429 and 503 carry ``Retry-After`` (default ``1``) as FCM and Mozilla do.
        """
        if retry_after is None and status in (429, 503):
            retry_after = 1
        failure = _Failure(status, times, None if retry_after is None else str(retry_after))
        with self._lock:
            self._sub(endpoint).failures.append(failure)

    def redirect_next(
        self, endpoint: str | dict[str, Any], location: str, status: int = 307
    ) -> None:
        """Answer the next push to ``endpoint`` with a redirect to ``location`` (a push
        service never does; a sender that follows it could be sent anywhere)."""
        with self._lock:
            self._sub(endpoint).failures.append(_Failure(status, 1, None, location))

    def gone(self, endpoint: str | dict[str, Any]) -> None:
        """Mark a subscription expired/unsubscribed: every later push gets 410 Gone."""
        with self._lock:
            self._sub(endpoint).gone = True

    def _sub(self, endpoint: str | dict[str, Any]) -> _Subscription:
        """Find a subscription by endpoint URL, subscription JSON or name (``KeyError``)."""
        url = endpoint["endpoint"] if isinstance(endpoint, dict) else endpoint
        for sub in self._subs.values():
            if url in (sub.endpoint, sub.name):
                return sub
        raise KeyError(endpoint)

    # ------------------------------------------------------------------ inspection

    def received(self, endpoint: str | dict[str, Any] | None = None) -> list[PushMessage]:
        """Accepted messages, oldest first, optionally only those for one subscription."""
        with self._lock:
            if endpoint is None:
                return list(self._messages)
            url = self._sub(endpoint).endpoint
            return [m for m in self._messages if m.endpoint == url]

    def attempts(self, endpoint: str | dict[str, Any] | None = None) -> list[PushAttempt]:
        """Every request with the status it got, including refusals and scripted failures."""
        with self._lock:
            if endpoint is None:
                return list(self._attempts)
            url = self._sub(endpoint).endpoint
            return [a for a in self._attempts if a.endpoint == url]

    def wait_for(
        self,
        count: int = 1,
        timeout: float = 5.0,
        *,
        endpoint: str | dict[str, Any] | None = None,
    ) -> list[PushMessage]:
        """Block until ``count`` messages were accepted (for ``endpoint`` if given).

        Pushes are usually sent in the background after the HTTP response that caused them,
        so tests wait. ``TimeoutError`` lists the refused attempts, which is usually the clue.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(got := self.received(endpoint)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    refused = [(a.status, a.reason) for a in self.attempts(endpoint)]
                    raise TimeoutError(
                        f"expected {count} push(es) within {timeout}s, got {len(got)}; "
                        f"attempts: {refused}"
                    )
                self._lock.wait(remaining)
            return got

    def clear(self) -> None:
        """Forget messages and attempts (subscriptions and scripted failures stay)."""
        with self._lock:
            self._messages.clear()
            self._attempts.clear()

    # ------------------------------------------------------------------ request handling

    def _handle(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, dict[str, str]]:
        """Process one POST; record it and return ``(status, reason, extra headers)``."""
        endpoint = f"{self.origin}{path}"
        extra: dict[str, str] = {}
        message: PushMessage | None
        try:
            message = self._accept(path, endpoint, headers, body, extra)
        except PushError as exc:
            status, reason = exc.status, exc.reason
            message = None
        else:
            status, reason = 201, "Created"
            extra["Location"] = f"{self.origin}/message/{secrets.token_urlsafe(12)}"
            extra["TTL"] = str(message.ttl)  # echoes the TTL the service applied
        with self._lock:
            self._attempts.append(PushAttempt(endpoint, status, reason, time.time()))
            if message is not None:
                self._messages.append(message)
            self._lock.notify_all()
        return status, reason, extra

    def _accept(
        self,
        path: str,
        endpoint: str,
        headers: dict[str, str],
        body: bytes,
        extra: dict[str, str],
    ) -> PushMessage:
        h = {k.lower(): v for k, v in headers.items()}
        match = _PATH_RE.match(urlsplit(path).path)
        with self._lock:
            sub = self._subs.get(match.group(1)) if match else None
            if sub is None:
                raise PushError(404, "no such subscription")
            if sub.gone:
                raise PushError(410, "subscription expired or unsubscribed")
            if sub.failures:
                failure = sub.failures[0]
                failure.times -= 1
                if failure.times <= 0:
                    sub.failures.popleft()
                if failure.retry_after is not None:
                    extra["Retry-After"] = failure.retry_after
                if failure.location is not None:
                    extra["Location"] = failure.location
                raise PushError(failure.status, "scripted failure")

        vapid_key, claims = self._check_vapid(h, sub)
        ttl_text = h.get("ttl")
        if ttl_text is None or not ttl_text.isdigit():
            raise PushError(400, f"TTL header missing or not a non-negative integer: {ttl_text!r}")
        urgency = h.get("urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise PushError(400, f"Urgency must be one of {sorted(URGENCIES)}, got {urgency!r}")
        topic = h.get("topic")
        if topic is not None and not _TOPIC_RE.match(topic):
            raise PushError(400, f"Topic must be ≤32 base64url characters, got {topic!r}")
        if len(body) > MAX_PAYLOAD:
            raise PushError(413, f"body of {len(body)} bytes exceeds {MAX_PAYLOAD}")

        payload = b""
        if body:
            encoding = h.get("content-encoding", "")
            if encoding.lower() != "aes128gcm":
                raise PushError(415, f"Content-Encoding must be aes128gcm, got {encoding!r}")
            payload = decrypt_aes128gcm(body, sub.private_key, sub.auth_secret)
        try:
            parsed: Any = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return PushMessage(
            subscription=sub.name,
            endpoint=sub.endpoint,
            ttl=int(ttl_text),
            urgency=urgency,
            topic=topic,
            headers=h,
            payload=payload,
            json=parsed,
            vapid_public_key=_b64url_encode(vapid_key) if vapid_key else "",
            vapid_claims=claims,
            received_at=time.time(),
        )

    def _check_vapid(
        self, h: dict[str, str], sub: _Subscription
    ) -> tuple[bytes | None, dict[str, Any]]:
        """RFC 8292 checks: scheme, signature against ``k``, bound key, ``aud``, ``exp``, ``sub``.

        Accepts ``vapid t=…, k=…`` (RFC 8292) and the draft ``WebPush <jwt>`` with
        ``Crypto-Key: p256ecdsa=…``, which older libraries still send.
        """
        auth = h.get("authorization", "").strip()
        if not auth:
            if self.require_vapid:
                raise PushError(401, "missing VAPID Authorization header")
            return None, {}
        scheme, _, rest = auth.partition(" ")
        if scheme.lower() == "vapid":
            params = {}
            for item in rest.split(","):
                key, _, value = item.strip().partition("=")
                params[key.strip().lower()] = value.strip()
            token, k = params.get("t", ""), params.get("k", "")
        elif scheme.lower() == "webpush":
            token = rest.strip()
            k = ""
            for item in re.split(r"[;,]", h.get("crypto-key", "")):
                key, _, value = item.strip().partition("=")
                if key.strip().lower() == "p256ecdsa":
                    k = value.strip().strip('"')
        else:
            raise PushError(401, f"unsupported Authorization scheme {scheme!r}")
        if not token or not k:
            raise PushError(401, "VAPID header lacks t (JWT) or k (public key)")
        public_key = _b64url_decode(k)
        claims = _verify_jwt(token, public_key)

        bound = sub.application_server_key or self.expected_vapid_key
        if bound is not None and bound != public_key:
            raise PushError(403, "VAPID key differs from the subscription's applicationServerKey")
        aud = claims.get("aud")
        if aud != self.origin:
            raise PushError(401, f"VAPID aud {aud!r} is not the push service origin {self.origin}")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or isinstance(exp, bool):
            raise PushError(401, f"VAPID exp must be an integer, got {exp!r}")
        if exp <= now:
            raise PushError(401, "VAPID JWT expired")
        if exp > now + MAX_VAPID_LIFETIME:
            raise PushError(401, "VAPID exp is more than 24 hours ahead")
        if self.require_sub:
            sub_claim = claims.get("sub")
            if not isinstance(sub_claim, str) or not sub_claim.startswith(("mailto:", "https:")):
                raise PushError(401, f"VAPID sub must be a mailto: or https: URI: {sub_claim!r}")
        return public_key, claims


def _key_bytes(key: str | bytes | None) -> bytes | None:
    """Normalise an applicationServerKey given as base64url text or raw point bytes."""
    if key is None:
        return None
    raw = _b64url_decode(key) if isinstance(key, str) else key
    if len(raw) != 65 or raw[0] != 0x04:
        raise ValueError("VAPID public key must be a 65-byte uncompressed P-256 point")
    return raw
