"""WebAuthn ceremonies through py_webauthn: options out, verified credentials in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from store.models import User, WebAuthnCredential

from ..settings import Settings

RP_NAME = "carebook"
CHALLENGE_SECONDS = 120


class PasskeyRejected(Exception):
    """The browser's answer did not verify (origin, RP id, challenge, UV, signature, count)."""


def _descriptor(credential: WebAuthnCredential) -> PublicKeyCredentialDescriptor:
    transports: list[AuthenticatorTransport] = []
    for name in credential.transports or []:
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(id=credential.credential_id, transports=transports)


def registration_options(
    settings: Settings, user: User, existing: list[WebAuthnCredential]
) -> tuple[bytes, dict[str, Any]]:
    options = generate_registration_options(
        rp_id=settings.rp_id,
        rp_name=RP_NAME,
        user_id=user.id.bytes,
        user_name=user.login_id,
        user_display_name=user.name,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(c) for c in existing],
    )
    return options.challenge, json.loads(options_to_json(options))


def authentication_options(
    settings: Settings, credentials: list[WebAuthnCredential]
) -> tuple[bytes, dict[str, Any]]:
    options = generate_authentication_options(
        rp_id=settings.rp_id,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=[_descriptor(c) for c in credentials],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options.challenge, json.loads(options_to_json(options))


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    aaguid: str
    backup_eligible: bool
    backup_state: bool
    transports: list[str]


def verify_registration(
    settings: Settings, credential: dict[str, Any], challenge: bytes
) -> NewPasskey:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRejected(str(exc)) from exc
    response = credential.get("response") if isinstance(credential, dict) else None
    transports = response.get("transports", []) if isinstance(response, dict) else []
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=verified.aaguid,
        backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backup_state=verified.credential_backed_up,
        transports=[t for t in transports if isinstance(t, str)][:8],
    )


@dataclass(frozen=True)
class PasskeyAssertion:
    new_sign_count: int
    backup_state: bool


def verify_assertion(
    settings: Settings,
    credential: dict[str, Any],
    challenge: bytes,
    stored: WebAuthnCredential,
) -> PasskeyAssertion:
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRejected(str(exc)) from exc
    return PasskeyAssertion(verified.new_sign_count, verified.credential_backed_up)
