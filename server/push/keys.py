"""The VAPID key pair: from the settings, or generated once into the data directory.

pywebpush wants the private key as base64url raw or DER (not PEM); the browser wants the
public key as the base64url of the uncompressed point (`applicationServerKey`). The file
is PEM for operators' tools, written 0600 and created atomically so that `carebook serve`
and `carebook worker` starting together agree on one key.
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

PRIVATE_FILE = "vapid_private.pem"
PUBLIC_FILE = "vapid_public.txt"

_lock = threading.Lock()
_cache: dict[tuple[str, str | None], VapidKeys] = {}


@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid02
    public_key: str  # base64url uncompressed point, the PWA's applicationServerKey


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_point(key: ec.EllipticCurvePrivateKey) -> str:
    return _b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def _from_setting(raw: str) -> ec.EllipticCurvePrivateKey:
    key = Vapid02.from_string(raw).private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _write_new(path: Path) -> None:
    """Write a fresh key to `path` unless another process just did (link is atomic)."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _from_file(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    path = data_dir / PRIVATE_FILE
    if not path.exists():
        _write_new(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{path} does not hold a P-256 private key")
    public = data_dir / PUBLIC_FILE
    point = _public_point(key)
    if not public.exists() or public.read_text().strip() != point:
        public.write_text(point + "\n")
    return key


def load_vapid_keys(data_dir: Path, configured: str | None) -> VapidKeys:
    """The installation's VAPID keys (cached per process)."""
    cache_key = (str(data_dir), configured)
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            private = _from_setting(configured) if configured else _from_file(data_dir)
            found = VapidKeys(Vapid02(private), _public_point(private))
            _cache[cache_key] = found
        return found
