"""Members and office admins reach none of the admin API; nobody signed out reaches any of it."""

from __future__ import annotations

import re
import uuid

import pytest
from litestar import Litestar

from tests.support.api import ApiClient

from .conftest import City, SignIn

ANY = "00000000-0000-7000-8000-000000000000"
ADMIN_ROUTES = [
    ("GET", "/api/admin/applications?state=submitted", None),
    ("GET", f"/api/admin/applications/{ANY}", None),
    ("POST", f"/api/admin/applications/{ANY}/approve", None),
    ("POST", f"/api/admin/applications/{ANY}/reject", {"reason": "x"}),
    ("GET", f"/api/admin/applications/{ANY}/room-candidates", None),
    ("GET", "/api/admin/scheduled-stops", None),
    ("POST", f"/api/admin/scheduled-stops/{ANY}/cancel", None),
    ("POST", "/api/admin/invitations", {"name": "x", "email": "x@example.jp", "officeId": ANY}),
    ("GET", "/api/admin/invitations", None),
    ("POST", f"/api/admin/invitations/{ANY}/revoke", None),
    ("GET", "/api/admin/ledger", None),
    ("GET", "/api/admin/ledger.csv", None),
    ("GET", f"/api/admin/users/{ANY}", None),
    ("POST", f"/api/admin/users/{ANY}/stop", None),
    ("POST", f"/api/admin/users/{ANY}/unlock", None),
    ("POST", f"/api/admin/users/{ANY}/reset-factors", None),
    ("POST", f"/api/admin/users/{ANY}/reset-password", None),
    ("POST", f"/api/admin/users/{ANY}/wipe-devices", None),
    ("GET", f"/api/admin/users/{ANY}/account", None),
    ("POST", f"/api/admin/users/{ANY}/reset-letter", None),
    ("POST", f"/api/admin/users/{ANY}/devices/{ANY}/wipe", None),
    ("POST", f"/api/admin/users/{ANY}/end-sessions", None),
    ("POST", f"/api/admin/users/{ANY}/sessions/{ANY}/end", None),
    ("GET", "/api/admin/help-desk?q=x", None),
    ("GET", "/api/admin/clerks", None),
    ("POST", "/api/admin/clerks", {"name": "x", "email": "x@example.jp"}),
    ("POST", f"/api/admin/clerks/{ANY}/retire", None),
    ("GET", f"/api/admin/offices/{ANY}", None),
    ("POST", f"/api/admin/offices/{ANY}/system-managers", {"userId": ANY}),
    ("DELETE", f"/api/admin/offices/{ANY}/system-managers/{ANY}", None),
    ("GET", f"/api/admin/rooms/{ANY}/access-log", None),
    ("GET", f"/api/admin/rooms/{ANY}/access-log.csv", None),
    ("GET", "/api/admin/offices", None),
    ("POST", "/api/admin/offices", {"name": "x", "kind": "pharmacy"}),
    ("GET", "/api/admin/rooms", None),
    ("POST", "/api/admin/rooms", {}),
    ("GET", f"/api/admin/rooms/{ANY}", None),
    ("POST", f"/api/admin/rooms/{ANY}/members", {"userId": ANY}),
    ("PATCH", f"/api/admin/rooms/{ANY}/members/{ANY}", {"permission": "read"}),
    ("DELETE", f"/api/admin/rooms/{ANY}/members/{ANY}", None),
    ("PUT", f"/api/admin/rooms/{ANY}/report-titles", {"titles": ["x"]}),
    ("PUT", f"/api/admin/rooms/{ANY}/label", {"label": "x"}),
    ("POST", f"/api/admin/rooms/{ANY}/close", None),
    ("POST", f"/api/admin/rooms/{ANY}/record", {"reason": "情報開示請求への対応のため"}),
    ("POST", f"/api/admin/rooms/{ANY}/record/vitals.csv", {"reason": "情報開示請求への対応のため"}),
    ("POST", f"/api/admin/rooms/{ANY}/record/fhir", {"reason": "情報開示請求への対応のため"}),
    ("GET", "/api/admin/closing-requests", None),
    ("GET", f"/api/admin/imports/templates/{ANY}", None),
    ("POST", "/api/admin/imports", None),
    ("GET", f"/api/admin/imports/{ANY}", None),
    ("POST", "/api/admin/imports/activation-mails", {"userIds": [ANY]}),
    ("POST", "/api/admin/imports/activation-letters", {"userIds": [ANY]}),
    ("GET", "/api/admin/help", None),
    ("PUT", "/api/admin/help", {"cityName": "x", "contacts": [], "rules": "",
                                "pledge": {"version": "2026-04", "form41": "x", "form42": "x"}}),
    ("GET", f"/api/admin/forms/6/{ANY}", None),
    ("GET", "/api/admin/forms/5/blank", None),
    # corrections (issue #12, item 3) and a room's later life (item 9)
    ("PATCH", f"/api/admin/users/{ANY}", {"name": "x"}),
    ("GET", f"/api/admin/users/{ANY}/history", None),
    ("POST", f"/api/admin/users/{ANY}/transfer",
     {"officeId": ANY, "rooms": [], "pledge": {"version": "x", "acceptedOn": "2026-01-01"}}),
    ("GET", f"/api/admin/offices/{ANY}/history", None),
    ("PATCH", f"/api/admin/offices/{ANY}", {"phone": "012-555-0000"}),
    ("POST", f"/api/admin/offices/{ANY}/pledges",
     {"representative": "x", "version": "x", "acceptedOn": "2026-01-01"}),
    ("POST", f"/api/admin/offices/{ANY}/close", {"reason": "closed", "staff": "stop"}),
    ("GET", "/api/admin/patients/duplicates?insuredNumber=0000012345", None),
    ("PATCH", f"/api/admin/rooms/{ANY}/patient", {"careLevel": "care_1"}),
    ("GET", f"/api/admin/rooms/{ANY}/history", None),
    ("POST", f"/api/admin/rooms/{ANY}/consent/withdraw", {"date": "2026-01-01", "reason": "x"}),
    ("POST", f"/api/admin/rooms/{ANY}/reopen", None),
    ("GET", f"/api/admin/rooms/{ANY}/consent/scan", None),
    ("POST", f"/api/admin/rooms/{ANY}/consent/scan", {"__multipart__": True}),
]


@pytest.mark.parametrize("who", ["station_nurse", "station_admin"])
async def test_members_and_office_admins_reach_none_of_the_admin_api(
    city: City, sign_in: SignIn, who: str
) -> None:
    api = await sign_in(city.users[who])
    for method, path, body in ADMIN_ROUTES:
        if body == {"__multipart__": True}:
            response = await api.request(
                method, path, files={"file": ("scan.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")}
            )
        else:
            response = await api.request(method, path, body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"] in {"admin_only", "operator_only"}


async def test_members_reach_none_of_the_office_side(city: City, sign_in: SignIn) -> None:
    api = await sign_in(city.users["station_nurse"])
    for path in (
        "/api/applications",
        "/api/office/staff",
        "/api/office/directory",
        "/api/office/rooms",
    ):
        assert (await api.get(path)).status_code == 403, path
    withdraw = await api.post(f"/api/applications/{uuid.uuid4()}/withdraw")
    assert withdraw.status_code == 403


async def test_signed_out_callers_get_401(anonymous: ApiClient) -> None:
    for method, path, body in ADMIN_ROUTES[:6]:
        response = await anonymous.request(method, path, body)
        assert response.status_code == 401, (method, path)
    assert (await anonymous.get("/api/help")).status_code == 401
    assert (await anonymous.get("/api/applications")).status_code == 401


def test_the_list_above_is_every_admin_route(app: Litestar) -> None:
    """A new admin route must be added to ADMIN_ROUTES, so the checks above cover it."""
    served = {
        (method, re.sub(r"\{[^}]+\}", ANY, route.path))
        for route in app.routes
        if route.path.startswith("/api/admin/")
        for method in route.methods
        if method not in {"HEAD", "OPTIONS"}
    }
    listed = {(method, re.sub(r"/\d+(?=/)", f"/{ANY}", path.split("?")[0]))
              for method, path, _ in ADMIN_ROUTES}
    assert served - listed == set()
    assert listed - served == set()
