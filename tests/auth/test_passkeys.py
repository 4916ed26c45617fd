"""Passkeys through the HTTP API with a software authenticator (SECURITY.md 9, 10)."""

from __future__ import annotations

from typing import Any

import pytest

from server.clock import FrozenClock
from tests.factories import MadeUser
from tests.support.api import ORIGIN, ApiClient
from tests.support.authenticator import AuthenticatorError, SoftAuthenticator


@pytest.fixture()
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator("localhost", ORIGIN)


async def _register(api: ApiClient, authenticator: SoftAuthenticator) -> Any:
    options = await api.post("/api/auth/webauthn/register/options")
    assert options.status_code == 200, options.text
    assert options.json()["authenticatorSelection"]["userVerification"] == "required"
    credential = authenticator.create(options.json())
    return await api.post("/api/auth/webauthn/register/verify", {"credential": credential})


async def _signed_in_with_passkey(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    registered = await _register(api, authenticator)
    assert registered.status_code == 200, registered.text
    await api.post("/api/auth/logout")


async def _passkey_step(api: ApiClient, nurse: MadeUser) -> dict[str, Any]:
    first = await api.login(nurse.login_id, nurse.password)
    assert first.json()["next"] == "choose"
    options = await api.post("/api/auth/webauthn/options")
    assert options.status_code == 200, options.text
    assert options.json()["userVerification"] == "required"
    body: dict[str, Any] = options.json()
    return body


async def test_register_a_passkey_then_sign_in_with_it(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    await _signed_in_with_passkey(api, nurse, clock, authenticator)
    options = await _passkey_step(api, nurse)
    done = await api.post("/api/auth/webauthn/verify", {"credential": authenticator.get(options)})
    assert done.status_code == 200, done.text
    assert done.json()["next"] == "done"
    me = (await api.get("/api/me")).json()
    assert len(me["factors"]["passkeys"]) == 1
    assert me["factors"]["passkeys"][0]["lastUsedAt"] is not None


async def test_a_replayed_assertion_is_refused(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    await _signed_in_with_passkey(api, nurse, clock, authenticator)
    options = await _passkey_step(api, nurse)
    first = authenticator.get(options)
    assert (await api.post("/api/auth/webauthn/verify", {"credential": first})).status_code == 200
    await api.post("/api/auth/logout")
    await _passkey_step(api, nurse)  # a new challenge is pending
    replay = await api.post("/api/auth/webauthn/verify", {"credential": authenticator.replay()})
    assert replay.status_code == 401
    assert replay.json()["error"] == "invalid_code"


@pytest.mark.parametrize(
    "tamper",
    [
        {"origin": "http://localhost:9999"},
        {"origin": "https://evil.example", "rp_id": "evil.example"},
        {"user_verified": False},
    ],
    ids=["wrong-origin", "wrong-rp-id", "no-user-verification"],
)
async def test_wrong_origin_rp_id_or_missing_user_verification_fail(
    api: ApiClient,
    nurse: MadeUser,
    clock: FrozenClock,
    authenticator: SoftAuthenticator,
    tamper: dict[str, Any],
) -> None:
    await _signed_in_with_passkey(api, nurse, clock, authenticator)
    options = await _passkey_step(api, nurse)
    bad = authenticator.get(options, **tamper)
    response = await api.post("/api/auth/webauthn/verify", {"credential": bad})
    assert response.status_code == 401
    assert (await api.get("/api/me")).status_code == 401


async def test_a_challenge_is_single_use_and_expires(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    await _signed_in_with_passkey(api, nurse, clock, authenticator)
    options = await _passkey_step(api, nurse)
    clock.advance(seconds=121)
    late = await api.post("/api/auth/webauthn/verify", {"credential": authenticator.get(options)})
    assert late.status_code == 401


async def test_a_sign_count_that_does_not_rise_is_refused(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    await _signed_in_with_passkey(api, nurse, clock, authenticator)
    credential = authenticator.credentials[0]
    options = await _passkey_step(api, nurse)
    assert (
        await api.post("/api/auth/webauthn/verify", {"credential": authenticator.get(options)})
    ).status_code == 200
    await api.post("/api/auth/logout")
    authenticator.set_sign_count(credential.credential_id, 0)  # a cloned authenticator
    options = await _passkey_step(api, nurse)
    cloned = await api.post("/api/auth/webauthn/verify", {"credential": authenticator.get(options)})
    assert cloned.status_code == 401


async def test_registration_excludes_credentials_already_registered(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    assert (await _register(api, authenticator)).status_code == 200
    options = (await api.post("/api/auth/webauthn/register/options")).json()
    assert [c["id"] for c in options["excludeCredentials"]] == [authenticator.credentials[0].id_b64]
    with pytest.raises(AuthenticatorError):
        authenticator.create(options)


async def test_registration_without_user_verification_is_refused(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    lazy = SoftAuthenticator("localhost", ORIGIN, user_verified=False)
    assert (await _register(api, lazy)).status_code == 401


async def test_adding_a_factor_needs_a_fresh_sign_in_and_the_last_cannot_go(
    api: ApiClient, nurse: MadeUser, clock: FrozenClock, authenticator: SoftAuthenticator
) -> None:
    assert nurse.totp_secret is not None
    await api.sign_in_totp(nurse.login_id, nurse.password, nurse.totp_secret, clock.now())
    assert (await api.delete("/api/me/factors/totp")).json()["error"] == "last_factor"
    clock.advance(minutes=11)
    stale = await api.post("/api/auth/webauthn/register/options")
    assert stale.status_code == 401
    assert stale.json()["error"] == "reauth_required"
