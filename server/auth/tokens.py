"""Random tokens, their stored hashes, and CSRF tokens bound to a session or a pre-session."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """256 random bits, URL-safe: session cookies and one-time links."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """The CSRF token for a session (`s:<hash>`) or a pre-session cookie (`a:<nonce>`)."""
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret_key: str, binding: str, presented: str) -> bool:
    return hmac.compare_digest(csrf_token(secret_key, binding), presented)
