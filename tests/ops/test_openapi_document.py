"""The served OpenAPI document tells the truth about errors (server/openapi.py).

Every operation's error answers point at the one `Error` component, never at Litestar's
default `{status_code, detail, extra}`; a new handler that fell back to that default, or an
operation that lost its 400/401/403/404, fails here. And real error answers of each kind
(the mapper in server/errors.py, and the middleware that refuse before a handler runs) match
that document, in Japanese and in English.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis

from server.route_policy import RoutePolicy
from tests.factories import MadeUser
from tests.ops.conftest import second_http
from tests.support.api import ApiClient

ERROR_REF = "#/components/schemas/Error"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def litestar_default_bodies(node: Any, where: str = "") -> list[str]:
    """Places in the document that still describe Litestar's own error body."""
    found: list[str] = []
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and {"status_code", "detail"} <= set(properties):
            found.append(where)
        for key, value in node.items():
            found += litestar_default_bodies(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += litestar_default_bodies(value, f"{where}/{index}")
    return found


async def served_document(client: Any) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_every_error_answer_of_every_operation_is_the_error_schema(client: Any) -> None:
    document = await served_document(client)
    ops = operations(document)
    assert len(ops) >= 70
    problems: list[str] = []
    for method, path, operation in ops:
        responses: dict[str, Any] = operation["responses"]
        errors = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
        expected = {400, 401}
        if method not in {"GET", "HEAD"}:
            expected |= {403, 413}
        if "{" in path:
            expected.add(404)
        if missing := expected - errors:
            problems.append(f"{method} {path}: no {sorted(missing)}")
        for status in sorted(errors):
            content = responses[str(status)].get("content") or {}
            schema = content.get("application/json", {}).get("schema")
            if list(content) != ["application/json"] or schema != {"$ref": ERROR_REF}:
                problems.append(f"{method} {path} {status}: {content}")
        for status, response in responses.items():
            if status.startswith("2"):
                schema = (response.get("content") or {}).get("application/json", {})
                if schema.get("schema") == {"$ref": ERROR_REF}:
                    problems.append(f"{method} {path} {status}: a success documented as Error")
    assert not problems, "\n".join(problems)
    assert litestar_default_bodies(document) == []


async def test_the_error_component_is_closed_and_names_every_key(client: Any) -> None:
    schema = (await served_document(client))["components"]["schemas"]["Error"]
    assert schema["type"] == "object"
    assert sorted(schema["required"]) == ["error", "message"]
    assert schema["additionalProperties"] is False
    assert {"error", "message", "details", "wipe", "limitBytes", "retryAfter",
            "refused", "reasons", "missing"} <= set(schema["properties"])


async def test_success_answers_keep_their_own_schemas(client: Any) -> None:
    document = await served_document(client)
    paths = document["paths"]
    room = paths["/api/admin/rooms/{room_id}"]["get"]["responses"]["200"]
    assert room["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoomOut"}
    assert "RoomOut" in document["components"]["schemas"]
    ledger = paths["/api/admin/ledger.csv"]["get"]["responses"]["200"]
    assert ledger["content"] == {"text/csv": {"schema": {"type": "string"}}}
    assert paths["/api/me/sessions/{session_id}"]["delete"]["responses"]["204"].get(
        "content") is None


async def test_a_route_s_declared_refusals_are_in_the_document(client: Any) -> None:
    """`opt=policy(refuses=…)` on the route is where the document learns of a 409/410, a 404
    for something a body names, or a public handler's own 403."""
    document = await served_document(client)
    declared = {
        (method, route.path_format): found.refuses
        for route in client.app.routes
        for handler in route.route_handlers
        if (found := RoutePolicy.of(handler)) is not None and found.refuses
        for method in handler.http_methods
    }
    assert declared[("POST", "/api/admin/users/{user_id}/reset-password")] == {409}  # no_email
    assert declared[("POST", "/api/invitations/{token}/apply")] == {409, 410}
    assert declared[("GET", "/api/metrics")] == {403}
    for (method, path), statuses in declared.items():
        documented = set(document["paths"][path][method.lower()]["responses"])
        assert {str(s) for s in statuses} <= documented, (method, path)


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_error_answers_match_the_document_in_both_languages(
    client: Any, member: tuple[MadeUser, ApiClient], language: str
) -> None:
    """One answer of each kind of refusal, checked by schemathesis against the served
    document, with `message` in the asked language."""
    _, api = member
    document = await served_document(client)
    async with second_http(client) as anonymous:
        await _check_answers(document, api, anonymous, language)


async def _check_answers(
    document: dict[str, Any], api: ApiClient, anonymous: Any, language: str
) -> None:
    schema = schemathesis.openapi.from_dict(document)
    lang = {"Accept-Language": "en-US,en;q=0.9" if language == "en" else "ja,en;q=0.5"}
    huge = {"cursor": "x" * (300 * 1024)}
    answers = {
        # Request validation (Litestar's ValidationException → invalid_input + details).
        ("POST", "/api/sync/pull", 400): await api.post(
            "/api/sync/pull", {"cursor": 1}, headers=lang),
        # A NUL in the URL, refused by the ops middleware before routing.
        ("GET", "/api/rooms/{room_id}/search", 400): await api.get(
            "/api/rooms/00000000-0000-7000-8000-000000000000/search?q=a%00", headers=lang),
        # No session (a browser of its own): the auth middleware.
        ("GET", "/api/me", 401): await anonymous.get(
            "/api/me", headers={**lang, "X-Carebook-Device": "anonymous-browser-1"}),
        # No CSRF token: the auth middleware.
        ("POST", "/api/sync/pull", 403): await api.http.post(
            "/api/sync/pull", json={"cursor": None},
            headers={**lang, "X-Carebook-Device": api.device}),
        # A room this user is not in: a DomainError from a service.
        ("GET", "/api/rooms/{room_id}/search", 404): await api.get(
            "/api/rooms/00000000-0000-7000-8000-000000000000/search?q=a", headers=lang),
        # Too large: the body limit, with limitBytes.
        ("POST", "/api/sync/pull", 413): await api.post("/api/sync/pull", huge, headers=lang),
    }
    messages = []
    for (method, path, status), response in answers.items():
        assert response.status_code == status, (method, path, response.text)
        assert str(status) in document["paths"][path][method.lower()]["responses"]
        assert response.headers["content-type"].startswith("application/json")
        schema[path][method].validate_response(response)  # raises when it does not match
        body = response.json()
        message = body["message"]
        if language == "ja":
            assert JAPANESE.search(message), (status, message)
        else:
            assert message.isascii() and not JAPANESE.search(message), (status, message)
        messages.append(message)
    assert answers[("POST", "/api/sync/pull", 400)].json()["details"]
    assert answers[("POST", "/api/sync/pull", 413)].json()["limitBytes"] > 0
    assert len(set(messages)) == len(messages)


async def test_router_answers_outside_the_document_use_the_error_body_too(
    client: Any, member: tuple[MadeUser, ApiClient]
) -> None:
    """404 (no such API path) and 405 (a method the path does not have) come from the router;
    they are not operations of the document but answer with the same `Error` body."""
    _, api = member
    schema = (await served_document(client))["components"]["schemas"]["Error"]
    for response, status in [
        (await api.get("/api/no-such-thing", headers={"Accept-Language": "en"}), 404),
        (await api.request("PATCH", "/api/health", headers={"Accept-Language": "ja"}), 405),
    ]:
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) <= set(schema["properties"]) and {"error", "message"} <= set(body)
