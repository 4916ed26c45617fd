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


# A reset code printed on paper is typed by hand from a letter: 20 characters of an alphabet
# without look-alikes (no 0/O, 1/I/L), in groups of four — 99 random bits.
LETTER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LETTER_GROUPS = 5


def new_letter_code() -> str:
    chars = "".join(secrets.choice(LETTER_ALPHABET) for _ in range(4 * _LETTER_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def canonical_link_token(token: str) -> str:
    """A letter code as typed (any case, with or without hyphens or spaces) in its printed
    form; any other token unchanged, so that links from e-mails match byte for byte."""
    squeezed = "".join(ch for ch in token.upper() if ch not in "- \u3000")
    if len(squeezed) == 4 * _LETTER_GROUPS and all(ch in LETTER_ALPHABET for ch in squeezed):
        return "-".join(squeezed[i : i + 4] for i in range(0, len(squeezed), 4))
    return token
