"""A software WebAuthn authenticator plus the browser-side glue around it.

Tests drive the real registration and login ceremonies of the server with this class instead of a
browser. It speaks the JSON forms the server exchanges with the page: it takes the options as
``options_to_json`` produces them and returns what ``PublicKeyCredential.toJSON()`` would return.

It is deliberately a *client and authenticator in one*: like a browser it checks that the relying
party id fits the origin and that the options are well formed, and like an authenticator it keeps
discoverable (resident) credentials and refuses excluded ones. Every value a hostile or broken
client could fake (origin, rp id, UV flag, sign counter, replay) has a knob, so negative tests can
show that the server refuses each of them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "AuthenticatorError",
    "SoftAuthenticator",
    "SoftCredential",
    "b64url_decode",
    "b64url_encode",
]

FLAG_UP: Final = 0x01
FLAG_UV: Final = 0x04
FLAG_BE: Final = 0x08
FLAG_BS: Final = 0x10
FLAG_AT: Final = 0x40

COSE_ALG_ES256: Final = -7
#: AAGUID of "no particular model": what an authenticator with ``none`` attestation may report.
ZERO_AAGUID: Final = bytes(16)


def b64url_encode(data: bytes) -> str:
    """Encode as base64url without padding, the form WebAuthn's JSON serialisation uses."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode strict base64url (padding optional).

    Standard base64 (``+`` and ``/``) is refused on purpose: browsers' ``parse…FromJSON`` refuse
    it too, so a server that emits it must fail here rather than pass in tests and break in Chrome.
    """
    if "+" in text or "/" in text:
        raise AuthenticatorError("TypeError", f"not base64url: {text!r}")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class AuthenticatorError(Exception):
    """A ceremony the browser or authenticator would reject.

    ``name`` mirrors the ``DOMException`` name a page would see (``NotAllowedError``,
    ``InvalidStateError``, ``SecurityError``, ``NotSupportedError``, ``TypeError``) so tests can
    assert the same failure the front end would have to handle.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass
class SoftCredential:
    """One discoverable credential held by the authenticator.

    ``counter_step`` is how much the signature counter grows per assertion: 1 is a normal
    authenticator, 0 a passkey provider that always reports the same value (0 if it started at
    0, which is legal), and a negative step makes the counter run backwards, as a cloned
    authenticator would.
    """

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    user_name: str
    sign_count: int = 0
    counter_step: int = 1
    backup_eligible: bool = False
    backup_state: bool = False
    aaguid: bytes = ZERO_AAGUID
    transports: list[str] = field(default_factory=lambda: ["internal"])

    @property
    def id_b64(self) -> str:
        """The credential id as the server stores and sends it."""
        return b64url_encode(self.credential_id)

    @property
    def public_key_cose(self) -> bytes:
        """The COSE_Key (EC2, ES256) that the server must store after registration."""
        numbers = self.private_key.public_key().public_numbers()
        cose = {
            1: 2,  # kty: EC2
            3: COSE_ALG_ES256,  # alg
            -1: 1,  # crv: P-256
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
        return cbor2.dumps(cose, canonical=True)

    @property
    def public_key_spki(self) -> bytes:
        """SubjectPublicKeyInfo DER, as ``getPublicKey()`` returns it in browsers."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def _unwrap(options: dict[str, Any]) -> dict[str, Any]:
    """Accept both bare options and the ``{"publicKey": {...}}`` wrapper pages pass to the API."""
    inner = options.get("publicKey")
    return inner if isinstance(inner, dict) else options


def _host_of(origin: str) -> str:
    host = urlsplit(origin).hostname
    if not host:
        raise AuthenticatorError("SecurityError", f"origin has no host: {origin!r}")
    return host


def _check_rp_id_for_origin(rp_id: str, origin: str) -> None:
    """Do what a browser does before it even asks the authenticator.

    The rp id must equal the origin's host or be a registrable suffix of it, and the origin must
    be a secure context (https, or http on localhost). A server misconfigured with the wrong
    rp id or served over plain http on a real host is caught here, as in Chrome.
    """
    parts = urlsplit(origin)
    host = _host_of(origin)
    if (
        parts.scheme != "https"
        and host not in {"localhost", "127.0.0.1", "::1"}
        and not host.endswith(".localhost")
    ):
        raise AuthenticatorError("SecurityError", f"{origin} is not a secure context")
    if host != rp_id and not host.endswith("." + rp_id):
        raise AuthenticatorError(
            "SecurityError", f"rp id {rp_id!r} is not valid for origin {origin!r}"
        )


class SoftAuthenticator:
    """A platform authenticator with ES256 keys, ``none`` attestation and resident credentials.

    ``rp_id`` and ``origin`` describe where the "browser" is; the options from the server decide
    the rest. Per-call keyword arguments override what a well-behaved client would put in, so a
    test can forge each part of a response on its own.
    """

    def __init__(
        self,
        rp_id: str,
        origin: str,
        *,
        user_verified: bool = True,
        backup_eligible: bool = False,
        backup_state: bool = False,
        initial_sign_count: int = 0,
        aaguid: bytes = ZERO_AAGUID,
    ) -> None:
        if len(aaguid) != 16:
            raise ValueError("aaguid must be 16 bytes")
        self.rp_id = rp_id
        self.origin = origin
        self.user_verified = user_verified
        self.backup_eligible = backup_eligible
        self.backup_state = backup_state
        self.initial_sign_count = initial_sign_count
        self.aaguid = aaguid
        self.credentials: list[SoftCredential] = []
        self.last_registration: dict[str, Any] | None = None
        self.last_assertion: dict[str, Any] | None = None

    # ------------------------------------------------------------------ lookup helpers

    def credential(self, credential_id: bytes | str) -> SoftCredential:
        """Find a held credential by raw id or base64url id (``KeyError`` if unknown)."""
        raw = b64url_decode(credential_id) if isinstance(credential_id, str) else credential_id
        for cred in self.credentials:
            if cred.credential_id == raw:
                return cred
        raise KeyError(credential_id)

    def set_sign_count(self, credential_id: bytes | str, value: int) -> None:
        """Force the stored counter, e.g. below what the server saw, to fake a cloned key."""
        self.credential(credential_id).sign_count = value

    def freeze_counter(self, credential_id: bytes | str) -> None:
        """Make the counter stop growing, so every later assertion repeats the same count."""
        self.credential(credential_id).counter_step = 0

    def remove(self, credential_id: bytes | str) -> None:
        """Forget a credential, as when a user deletes a passkey on the device."""
        self.credentials.remove(self.credential(credential_id))

    def replay(self) -> dict[str, Any]:
        """Return a copy of the last assertion, byte for byte, to send a second time."""
        if self.last_assertion is None:
            raise RuntimeError("no assertion has been made yet")
        return copy.deepcopy(self.last_assertion)

    # ------------------------------------------------------------------ ceremonies

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool | None = None,
        user_present: bool = True,
        backup_eligible: bool | None = None,
        backup_state: bool | None = None,
        sign_count: int | None = None,
        counter_step: int = 1,
        cross_origin: bool = False,
    ) -> dict[str, Any]:
        """Run ``navigator.credentials.create()`` and return ``RegistrationResponseJSON``.

        Without overrides it behaves like Chrome plus a platform authenticator: it validates the
        options, refuses excluded credentials with ``InvalidStateError``, and replaces an older
        resident credential of the same user handle, as CTAP2 authenticators do.
        """
        opts = _unwrap(options)
        rp_opts = opts.get("rp") or {}
        user = opts.get("user") or {}
        the_origin = origin if origin is not None else self.origin
        option_rp_id = rp_opts.get("id") or _host_of(the_origin)
        if origin is None and rp_id is None:
            _check_rp_id_for_origin(option_rp_id, the_origin)
        effective_rp_id = rp_id if rp_id is not None else option_rp_id

        challenge = b64url_decode(_required_str(opts, "challenge"))
        user_handle = b64url_decode(_required_str(user, "id"))
        if not 1 <= len(user_handle) <= 64:
            raise AuthenticatorError("TypeError", "user.id must be 1 to 64 bytes")
        if not isinstance(user.get("name"), str) or not isinstance(rp_opts.get("name"), str):
            raise AuthenticatorError("TypeError", "rp.name and user.name are required")
        algs = [p.get("alg") for p in opts.get("pubKeyCredParams") or []]
        if algs and COSE_ALG_ES256 not in algs:
            raise AuthenticatorError("NotSupportedError", f"no supported algorithm in {algs}")

        for desc in opts.get("excludeCredentials") or []:
            excluded = b64url_decode(desc["id"])
            if any(
                c.credential_id == excluded and c.rp_id == effective_rp_id for c in self.credentials
            ):
                raise AuthenticatorError(
                    "InvalidStateError", "an excluded credential is already on this device"
                )

        be = self.backup_eligible if backup_eligible is None else backup_eligible
        bs = self.backup_state if backup_state is None else backup_state
        cred = SoftCredential(
            credential_id=os.urandom(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=effective_rp_id,
            user_handle=user_handle,
            user_name=user["name"],
            sign_count=self.initial_sign_count if sign_count is None else sign_count,
            counter_step=counter_step,
            backup_eligible=be,
            backup_state=bs,
            aaguid=self.aaguid,
        )
        self.credentials = [
            c
            for c in self.credentials
            if not (c.rp_id == effective_rp_id and c.user_handle == user_handle)
        ]
        self.credentials.append(cred)

        uv = self.user_verified if user_verified is None else user_verified
        flags = _flags(up=user_present, uv=uv, be=be, bs=bs) | FLAG_AT
        attested = (
            cred.aaguid
            + len(cred.credential_id).to_bytes(2, "big")
            + cred.credential_id
            + cred.public_key_cose
        )
        auth_data = (
            hashlib.sha256(effective_rp_id.encode()).digest()
            + bytes([flags])
            + cred.sign_count.to_bytes(4, "big")
            + attested
        )
        attestation_object = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": auth_data}, canonical=True
        )
        client_data = _client_data("webauthn.create", challenge, the_origin, cross_origin)

        extensions: dict[str, Any] = {}
        if (opts.get("extensions") or {}).get("credProps"):
            extensions["credProps"] = {"rk": True}
        result = {
            "id": cred.id_b64,
            "rawId": cred.id_b64,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "attestationObject": b64url_encode(attestation_object),
                "transports": list(cred.transports),
                "authenticatorData": b64url_encode(auth_data),
                "publicKey": b64url_encode(cred.public_key_spki),
                "publicKeyAlgorithm": COSE_ALG_ES256,
            },
            "clientExtensionResults": extensions,
            "authenticatorAttachment": "platform",
        }
        self.last_registration = copy.deepcopy(result)
        return result

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool | None = None,
        user_present: bool = True,
        credential_id: bytes | str | None = None,
        sign_count: int | None = None,
        cross_origin: bool = False,
    ) -> dict[str, Any]:
        """Run ``navigator.credentials.get()`` and return ``AuthenticationResponseJSON``.

        With an empty ``allowCredentials`` it picks the newest resident credential for the rp
        (the passkey "username-less" flow); ``credential_id=`` chooses one explicitly, as the
        user would in the account picker. ``sign_count=`` sends that counter value once without
        changing the stored one, for a one-off replayed or rolled-back counter.
        """
        opts = _unwrap(options)
        the_origin = origin if origin is not None else self.origin
        option_rp_id = opts.get("rpId") or _host_of(the_origin)
        if origin is None and rp_id is None:
            _check_rp_id_for_origin(option_rp_id, the_origin)
        effective_rp_id = rp_id if rp_id is not None else option_rp_id
        challenge = b64url_decode(_required_str(opts, "challenge"))

        # Credentials are scoped to the rp id the *client* believes in, so an rp_id override
        # still finds the credential made for the real site (that is the forged case).
        candidates = [c for c in self.credentials if c.rp_id == option_rp_id]
        allowed = [b64url_decode(d["id"]) for d in opts.get("allowCredentials") or []]
        if allowed:
            candidates = [c for c in candidates if c.credential_id in allowed]
        if credential_id is not None:
            wanted = self.credential(credential_id).credential_id
            candidates = [c for c in candidates if c.credential_id == wanted]
        if not candidates:
            raise AuthenticatorError("NotAllowedError", "no matching credential on this device")
        cred = candidates[-1]

        if sign_count is None:
            cred.sign_count = max(cred.sign_count + cred.counter_step, 0)
            count = cred.sign_count
        else:
            count = sign_count
        uv = self.user_verified if user_verified is None else user_verified
        flags = _flags(up=user_present, uv=uv, be=cred.backup_eligible, bs=cred.backup_state)
        auth_data = (
            hashlib.sha256(effective_rp_id.encode()).digest()
            + bytes([flags])
            + count.to_bytes(4, "big")
        )
        client_data = _client_data("webauthn.get", challenge, the_origin, cross_origin)
        signature = cred.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        result = {
            "id": cred.id_b64,
            "rawId": cred.id_b64,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url_encode(client_data),
                "authenticatorData": b64url_encode(auth_data),
                "signature": b64url_encode(signature),
                "userHandle": b64url_encode(cred.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
        self.last_assertion = copy.deepcopy(result)
        return result


def _required_str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise AuthenticatorError("TypeError", f"missing or non-string {key!r} in options")
    return value


def _flags(*, up: bool, uv: bool, be: bool, bs: bool) -> int:
    # BS without BE is invalid per spec but is allowed here so a test can send it on purpose.
    return (
        (FLAG_UP if up else 0)
        | (FLAG_UV if uv else 0)
        | (FLAG_BE if be else 0)
        | (FLAG_BS if bs else 0)
    )


def _client_data(kind: str, challenge: bytes, origin: str, cross_origin: bool) -> bytes:
    """Serialise CollectedClientData in the member order browsers use (type, challenge, origin).

    The order matters for servers that use the spec's "limited verification" prefix match.
    """
    data = {
        "type": kind,
        "challenge": b64url_encode(challenge),
        "origin": origin,
        "crossOrigin": cross_origin,
    }
    return json.dumps(data, separators=(",", ":")).encode()
