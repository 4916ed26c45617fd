"""Prove SoftAuthenticator against py_webauthn itself, so server tests can trust it.

If these pass, a failure in a server test that uses the authenticator is the server's fault (or a
deliberately forged value), not the helper's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from tests.support.authenticator import (
    AuthenticatorError,
    SoftAuthenticator,
    b64url_decode,
)

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
USER_ID = "ユーザー1".encode()


def _reg_options(exclude: list[bytes] | None = None) -> tuple[dict[str, Any], bytes]:
    opts = generate_registration_options(
        rp_id=RP_ID,
        rp_name="carebook",
        user_name="看護師 花子",
        user_id=USER_ID,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in exclude or []],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    return json.loads(options_to_json(opts)), opts.challenge


def _auth_options(allow: list[bytes] | None = None) -> tuple[dict[str, Any], bytes]:
    opts = generate_authentication_options(
        rp_id=RP_ID,
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow or []],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return json.loads(options_to_json(opts)), opts.challenge


def _register(auth: SoftAuthenticator, **kwargs: Any) -> VerifiedRegistration:
    options, challenge = _reg_options()
    response = auth.create(options, **kwargs)
    return verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )


def _login(
    auth: SoftAuthenticator,
    reg: VerifiedRegistration,
    current: int,
    *,
    allow: bool = False,
    **kwargs: Any,
) -> int:
    options, challenge = _auth_options([reg.credential_id] if allow else None)
    response = auth.get(options, **kwargs)
    verified = verify_authentication_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=reg.credential_public_key,
        credential_current_sign_count=current,
        require_user_verification=True,
    )
    return verified.new_sign_count


def test_registration_verifies_with_uv_required() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    options, challenge = _reg_options()
    response = auth.create(options)
    assert set(response) >= {"id", "rawId", "type", "response", "clientExtensionResults"}
    assert response["response"]["transports"] == ["internal"]
    assert "=" not in response["response"]["attestationObject"]
    reg = verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )
    cred = auth.credentials[0]
    assert reg.credential_id == cred.credential_id
    assert reg.credential_public_key == cred.public_key_cose
    assert reg.sign_count == 0
    assert reg.user_verified is True
    assert reg.fmt == "none"
    assert cred.user_handle == USER_ID


def test_backup_flags_reach_py_webauthn() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN, backup_eligible=True, backup_state=True)
    reg = _register(auth)
    assert reg.credential_device_type == "multi_device"
    assert reg.credential_backed_up is True


def test_options_wrapped_in_public_key_are_accepted() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    options, challenge = _reg_options()
    response = auth.create({"publicKey": options})
    verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
    )


def test_authentication_verifies_and_counts_up() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    first = _login(auth, reg, reg.sign_count)
    assert first == 1
    second = _login(auth, reg, first, allow=True)
    assert second == 2
    response = auth.last_assertion
    assert response is not None
    assert b64url_decode(response["response"]["userHandle"]) == USER_ID


def test_excluded_credential_is_refused() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    options, _ = _reg_options(exclude=[reg.credential_id])
    with pytest.raises(AuthenticatorError) as info:
        auth.create(options)
    assert info.value.name == "InvalidStateError"


def test_no_credential_for_rp_is_not_allowed() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    options, _ = _auth_options()
    with pytest.raises(AuthenticatorError) as info:
        auth.get(options)
    assert info.value.name == "NotAllowedError"


def test_browser_refuses_rp_id_that_does_not_fit_origin() -> None:
    auth = SoftAuthenticator("carebook.example", "https://evil.example")
    options, _ = _reg_options()
    options["rp"]["id"] = "carebook.example"
    with pytest.raises(AuthenticatorError) as info:
        auth.create(options)
    assert info.value.name == "SecurityError"


def test_wrong_origin_is_refused_on_registration_and_login() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    options, challenge = _reg_options()
    response = auth.create(options, origin="https://phish.example")
    with pytest.raises(InvalidRegistrationResponse, match="origin"):
        verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
        )
    reg = _register(auth)
    with pytest.raises(InvalidAuthenticationResponse, match="origin"):
        _login(auth, reg, 0, origin="https://phish.example")


def test_wrong_rp_id_is_refused_on_registration_and_login() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    options, challenge = _reg_options()
    response = auth.create(options, rp_id="phish.example")
    with pytest.raises(InvalidRegistrationResponse, match="RP ID"):
        verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
        )
    reg = _register(auth)
    with pytest.raises(InvalidAuthenticationResponse, match="RP ID"):
        _login(auth, reg, 0, rp_id="phish.example")


def test_missing_user_verification_is_refused() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN, user_verified=False)
    with pytest.raises(InvalidRegistrationResponse, match="verification"):
        _register(auth)
    auth.user_verified = True
    reg = _register(auth)
    with pytest.raises(InvalidAuthenticationResponse, match="verification"):
        _login(auth, reg, 0, user_verified=False)


def test_missing_user_presence_is_refused() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    with pytest.raises(InvalidAuthenticationResponse, match="present"):
        _login(auth, reg, 0, user_present=False)


def test_frozen_counter_is_refused_once_count_is_known() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    count = _login(auth, reg, 0)
    auth.freeze_counter(reg.credential_id)
    with pytest.raises(InvalidAuthenticationResponse, match="sign count"):
        _login(auth, reg, count)


def test_backwards_counter_is_refused() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    count = _login(auth, reg, 0)
    count = _login(auth, reg, count)
    auth.set_sign_count(reg.credential_id, 0)
    with pytest.raises(InvalidAuthenticationResponse, match="sign count"):
        _login(auth, reg, count)
    with pytest.raises(InvalidAuthenticationResponse, match="sign count"):
        _login(auth, reg, count, sign_count=count)


def test_always_zero_counter_is_accepted_while_stored_count_is_zero() -> None:
    """Synced passkeys report 0 forever; py_webauthn allows that only while the store says 0."""
    auth = SoftAuthenticator(RP_ID, ORIGIN, backup_eligible=True, backup_state=True)
    options, challenge = _reg_options()
    response = auth.create(options, counter_step=0)
    reg = verify_registration_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
    )
    assert _login(auth, reg, 0) == 0
    assert _login(auth, reg, 0) == 0


def test_replayed_assertion_fails_on_counter_and_challenge() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    options, challenge = _auth_options()
    response = auth.get(options)
    verified = verify_authentication_response(
        credential=response,
        expected_challenge=challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=reg.credential_public_key,
        credential_current_sign_count=0,
    )
    replayed = auth.replay()
    assert replayed == response
    # Same challenge (server forgot to consume it): the counter catches the replay.
    with pytest.raises(InvalidAuthenticationResponse, match="sign count"):
        verify_authentication_response(
            credential=replayed,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=reg.credential_public_key,
            credential_current_sign_count=verified.new_sign_count,
        )
    # Fresh challenge: the old clientDataJSON no longer matches.
    _, new_challenge = _auth_options()
    with pytest.raises(InvalidAuthenticationResponse, match="challenge"):
        verify_authentication_response(
            credential=replayed,
            expected_challenge=new_challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=reg.credential_public_key,
            credential_current_sign_count=verified.new_sign_count,
        )


def test_signature_from_another_credential_is_refused() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    reg = _register(auth)
    other = SoftAuthenticator(RP_ID, ORIGIN)
    _register(other)
    options, challenge = _auth_options()
    response = other.get(options)
    response["id"] = response["rawId"] = auth.credentials[0].id_b64
    with pytest.raises(InvalidAuthenticationResponse, match="signature"):
        verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=reg.credential_public_key,
            credential_current_sign_count=0,
        )


def test_same_user_re_registering_replaces_resident_credential() -> None:
    auth = SoftAuthenticator(RP_ID, ORIGIN)
    _register(auth)
    _register(auth)
    assert len(auth.credentials) == 1
