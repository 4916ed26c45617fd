"""Authenticated encryption of small secrets at rest (TOTP seeds) under the server secret key."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1:"


def _key(secret_key: str, purpose: str) -> bytes:
    return hashlib.sha256(f"carebook/{purpose}/{secret_key}".encode()).digest()


def seal(secret_key: str, purpose: str, plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key, purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_sealed(secret_key: str, purpose: str, token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("unknown sealed format")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX):])
    plain = AESGCM(_key(secret_key, purpose)).decrypt(raw[:12], raw[12:], purpose.encode())
    return plain.decode()
