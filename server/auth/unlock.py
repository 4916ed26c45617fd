"""The unlock proof: a locked app locks the server too (issue 13, item 1).

A session that passes both factors gets an unlock secret (256 random bits, in the sign-in
answer's `unlockSecret`); the server keeps only its SHA-256. Every request of a full
session carries the secret in `X-Carebook-Unlock`, compared in constant time. The PWA keeps
it in memory while unlocked and at rest only sealed under the data key
(pwa/src/local/unlockProof.ts), so the passcode is needed to use it: a locked tablet's
cookie alone reads nothing, and neither does an address-bar navigation.

Locking forgets it; when online, the app also replaces it (`POST /api/auth/lock` with the
next secret, which the app chose and sealed before sending it), so the old one stops
working on the server too. An offline unlock opens the sealed secret: the first online
request after it needs no new sign-in. A new sign-in, a password change and sign-out
replace or end it with the session.
"""

from __future__ import annotations

import hmac
import re

from . import tokens

UNLOCK_HEADER = "x-carebook-unlock"
SECRET = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


def new_secret() -> tuple[str, str]:
    """(secret for the app, hash for the session row)."""
    secret = tokens.new_token()
    return secret, tokens.token_hash(secret)


def secret_hash(secret: str) -> str:
    return tokens.token_hash(secret)


def proves_unlocked(stored_hash: str | None, presented: str | None) -> bool:
    """True when `presented` is the session's current unlock secret (constant time)."""
    if stored_hash is None or presented is None or not SECRET.match(presented):
        return False
    return hmac.compare_digest(stored_hash, tokens.token_hash(presented))
