"""Prove PushReceiver against pywebpush, the library the server uses to send notifications."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid01
from pywebpush import WebPushException, webpush, webpush_async

from tests.support.push_receiver import MAX_PAYLOAD, PushReceiver

CLAIMS_SUB = "mailto:ops@example.org"
PAYLOAD = {"title": "訪問記録", "body": "山田様の記録が更新されました", "url": "/records/42"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class VapidKeys:
    """A VAPID key pair in every form pywebpush or a browser might want."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.raw_private = _b64(self.key.private_numbers().private_value.to_bytes(32, "big"))
        self.der_private = _b64(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.pem_private = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public = _b64(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )


@pytest.fixture
def vapid() -> VapidKeys:
    return VapidKeys()


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as r:
        yield r


def _send(sub: dict[str, Any], key: str | Vapid01, **kwargs: Any) -> requests.Response:
    params: dict[str, Any] = {
        "data": json.dumps(PAYLOAD, ensure_ascii=False),
        "vapid_claims": {"sub": CLAIMS_SUB},
        "ttl": 60,
        "headers": {"Urgency": "high", "Topic": "room-1"},
    }
    params.update(kwargs)
    response = webpush(sub, vapid_private_key=key, **params)
    assert isinstance(response, requests.Response)
    return response


def _refusal(sub: dict[str, Any], key: str, **kwargs: Any) -> requests.Response:
    with pytest.raises(WebPushException) as info:
        _send(sub, key, **kwargs)
    # A 4xx Response is falsy, so compare with None rather than test truthiness.
    assert info.value.response is not None
    response: requests.Response = info.value.response
    return response


def test_subscription_looks_like_a_browsers(receiver: PushReceiver) -> None:
    sub = receiver.new_subscription("nurse")
    assert sub["endpoint"].startswith(f"{receiver.origin}/push/")
    assert len(base64.urlsafe_b64decode(sub["keys"]["p256dh"] + "==")) == 65
    assert len(base64.urlsafe_b64decode(sub["keys"]["auth"] + "==")) == 16
    assert "=" not in sub["keys"]["p256dh"] + sub["keys"]["auth"]
    assert sub["expirationTime"] is None


@pytest.mark.parametrize("form", ["raw", "der"])
def test_pywebpush_message_is_decrypted(
    receiver: PushReceiver, vapid: VapidKeys, form: str
) -> None:
    receiver.expect_vapid_key(vapid.public)
    sub = receiver.new_subscription("nurse")
    key = vapid.raw_private if form == "raw" else vapid.der_private
    response = _send(sub, key)
    assert response.status_code == 201
    assert response.headers["Location"].startswith(receiver.origin)

    [msg] = receiver.wait_for(1)
    assert msg.subscription == "nurse"
    assert msg.endpoint == sub["endpoint"]
    assert msg.json == PAYLOAD
    assert msg.payload.decode() == json.dumps(PAYLOAD, ensure_ascii=False)
    assert (msg.ttl, msg.urgency, msg.topic) == (60, "high", "room-1")
    assert msg.vapid_public_key == vapid.public
    assert msg.vapid_claims["aud"] == receiver.origin
    assert msg.vapid_claims["sub"] == CLAIMS_SUB
    assert receiver.received(sub) == [msg]


def test_legacy_webpush_scheme_with_crypto_key(receiver: PushReceiver, vapid: VapidKeys) -> None:
    receiver.expect_vapid_key(vapid.public)
    sub = receiver.new_subscription("legacy")
    _send(sub, Vapid01.from_string(vapid.raw_private))
    [msg] = receiver.wait_for(1)
    assert msg.json == PAYLOAD
    assert msg.headers["authorization"].startswith("WebPush ")


def test_push_without_payload(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("tickle")
    _send(sub, vapid.raw_private, data=None)
    [msg] = receiver.wait_for(1)
    assert msg.payload == b""
    assert msg.json is None


def test_wrong_vapid_key_is_refused_when_key_is_expected(
    receiver: PushReceiver, vapid: VapidKeys
) -> None:
    receiver.expect_vapid_key(vapid.public)
    sub = receiver.new_subscription("nurse")
    response = _refusal(sub, VapidKeys().raw_private)
    assert response.status_code == 403
    assert receiver.received() == []
    assert receiver.attempts(sub)[0].status == 403


def test_subscription_bound_key_overrides_receiver_key(
    receiver: PushReceiver, vapid: VapidKeys
) -> None:
    other = VapidKeys()
    receiver.expect_vapid_key(vapid.public)
    sub = receiver.new_subscription("bound", application_server_key=other.public)
    assert _refusal(sub, vapid.raw_private).status_code == 403
    _send(sub, other.raw_private)
    assert len(receiver.wait_for(1)) == 1


def test_gone_and_unknown_endpoints(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("old-phone")
    receiver.gone(sub)
    assert _refusal(sub, vapid.raw_private).status_code == 410
    unknown = dict(sub, endpoint=f"{receiver.origin}/push/nope")
    assert _refusal(unknown, vapid.raw_private).status_code == 404


def test_scripted_failures_then_success(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("flaky")
    receiver.fail_next(sub["endpoint"], 429, retry_after=30)
    receiver.fail_next(sub["endpoint"], 500, times=2)
    first = _refusal(sub, vapid.raw_private)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "30"
    assert _refusal(sub, vapid.raw_private).status_code == 500
    assert _refusal(sub, vapid.raw_private).status_code == 500
    assert _send(sub, vapid.raw_private).status_code == 201
    assert [a.status for a in receiver.attempts(sub)] == [429, 500, 500, 201]


def test_claims_dict_is_mutated_by_pywebpush(vapid: VapidKeys) -> None:
    """pywebpush writes ``aud`` into the caller's claims dict and keeps it on the next call.

    A server that reuses one claims dict for several push services sends the first service's
    origin to the others; they answer 401/403. Always pass a fresh dict per send.
    """
    claims = {"sub": CLAIMS_SUB}
    with PushReceiver() as first, PushReceiver() as second:
        _send(first.new_subscription("a"), vapid.raw_private, vapid_claims=claims)
        assert claims["aud"] == first.origin
        response = _refusal(second.new_subscription("b"), vapid.raw_private, vapid_claims=claims)
        assert response.status_code == 401
        assert "aud" in second.attempts()[0].reason


def test_expiry_more_than_a_day_ahead_is_refused(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    claims = {"sub": CLAIMS_SUB, "exp": int(time.time()) + 2 * 86400}
    assert _refusal(sub, vapid.raw_private, vapid_claims=claims).status_code == 401


def test_missing_sub_claim_is_refused(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    key = Vapid01.from_string(vapid.raw_private)
    key.conf["no-strict"] = True  # let py_vapid sign a bad sub so the receiver must catch it
    claims = {"sub": "ops@example.org"}
    assert _refusal(sub, key, vapid_claims=claims).status_code == 401


def test_bad_headers_are_refused(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    bad_urgency = {"Urgency": "urgent"}
    assert _refusal(sub, vapid.raw_private, headers=bad_urgency).status_code == 400
    bad_topic = {"Topic": "room 1 with spaces"}
    assert _refusal(sub, vapid.raw_private, headers=bad_topic).status_code == 400


def test_oversized_payload_is_refused(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    response = _refusal(sub, vapid.raw_private, data="x" * MAX_PAYLOAD)
    assert response.status_code == 413


def test_legacy_aesgcm_encoding_is_refused(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    response = _refusal(sub, vapid.raw_private, content_encoding="aesgcm")
    assert response.status_code == 415


def test_missing_vapid_is_refused(receiver: PushReceiver) -> None:
    sub = receiver.new_subscription("nurse")
    with pytest.raises(WebPushException) as info:
        webpush(sub, data="hi", ttl=60)
    assert info.value.response is not None
    assert info.value.response.status_code == 401


def test_pem_string_is_not_a_valid_vapid_key_for_pywebpush(
    receiver: PushReceiver, vapid: VapidKeys
) -> None:
    """pywebpush treats a string as a file path or as base64url raw/DER, never as PEM text."""
    sub = receiver.new_subscription("nurse")
    with pytest.raises(ValueError, match="deserialize"):
        _send(sub, vapid.pem_private)
    assert receiver.attempts() == []


def test_wait_for_reports_refusals(receiver: PushReceiver, vapid: VapidKeys) -> None:
    sub = receiver.new_subscription("nurse")
    receiver.gone(sub)
    _refusal(sub, vapid.raw_private)
    with pytest.raises(TimeoutError, match="410"):
        receiver.wait_for(1, timeout=0.2)


def test_stop_closes_kept_alive_connections(vapid: VapidKeys) -> None:
    receiver = PushReceiver().start()
    sub = receiver.new_subscription("nurse")
    with requests.Session() as session:
        webpush(
            sub,
            data="hi",
            vapid_private_key=vapid.raw_private,
            vapid_claims={"sub": CLAIMS_SUB},
            ttl=60,
            requests_session=session,
        )
        receiver.stop()
        with pytest.raises(requests.ConnectionError):
            webpush(
                sub,
                data="hi",
                vapid_private_key=vapid.raw_private,
                vapid_claims={"sub": CLAIMS_SUB},
                ttl=60,
                requests_session=session,
                timeout=2,
            )
    assert len(receiver.received()) == 1


def test_payload_encrypted_for_other_keys_is_refused(
    receiver: PushReceiver, vapid: VapidKeys
) -> None:
    mine = receiver.new_subscription("mine")
    theirs = receiver.new_subscription("theirs")
    crossed = dict(theirs, endpoint=mine["endpoint"])
    response = _refusal(crossed, vapid.raw_private)
    assert response.status_code == 400
    assert "decryption" in receiver.attempts(mine)[0].reason


async def test_webpush_async_over_aiohttp(receiver: PushReceiver, vapid: VapidKeys) -> None:
    """The async sender (aiohttp, keep-alive HTTP/1.1) is accepted as well."""
    sub = receiver.new_subscription("async")
    response = await webpush_async(
        sub,
        data=json.dumps(PAYLOAD),
        vapid_private_key=vapid.raw_private,
        vapid_claims={"sub": CLAIMS_SUB},
        ttl=30,
        headers={"Urgency": "low"},
    )
    assert not isinstance(response, str)
    assert response.status == 201
    [msg] = receiver.wait_for(1)
    assert (msg.json, msg.ttl, msg.urgency, msg.topic) == (PAYLOAD, 30, "low", None)
