"""Consent and patients: the explainer's office and the signed 様式5's scan (admins only),
one room per patient (a duplicate warning, reopening the closed room), and a withdrawn
consent closing the room for writing."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image
from sqlalchemy import select

from store.models import Attachment, Consent, Room, RoomMember
from tests.conftest import BASE_URL
from tests.support import pdfs
from tests.support.api import ApiClient
from tests.support.smtp import SmtpSink

from .conftest import City, SignIn, consent, patient, team
from .test_corrections_people import audit_actions, drain, pull
from .test_rooms import open_room


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 250)).save(out, "PNG")
    return out.getvalue()


def pdf(catalog: bytes = b"", **options: Any) -> bytes:
    """A real two-page PDF (tests/support/pdfs.py), with extra catalog entries."""
    return pdfs.document(title="Consent form 5", catalog=catalog, **options)


async def upload(admin: ApiClient, room_id: str, data: bytes, name: str, kind: str) -> Any:
    return await admin.request(
        "POST", f"/api/admin/rooms/{room_id}/consent/scan", files={"file": (name, data, kind)}
    )


async def test_the_consent_keeps_the_explainers_office_and_a_scan_only_admins_see(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(
        admin,
        city,
        consent=consent(explainedBy="佐藤 美香", explainerOffice="みどりケアプランセンター"),
    )
    assert room["consent"]["explainerOffice"] == "みどりケアプランセンター"
    assert room["consent"]["scanContentType"] is None

    stored = await upload(admin, room["id"], pdf(), "consent.pdf", "application/pdf")
    assert stored.status_code == 201, stored.text
    assert stored.json()["consent"]["scanContentType"] == "application/pdf"
    fetched = await admin.get(f"/api/admin/rooms/{room['id']}/consent/scan")
    assert fetched.status_code == 200
    assert fetched.content == pdf()
    assert fetched.headers["content-disposition"].startswith("attachment")
    assert fetched.headers["x-content-type-options"] == "nosniff"

    image = await upload(admin, room["id"], png_bytes(), "consent.png", "image/png")
    assert image.status_code == 201
    assert image.json()["consent"]["scanContentType"] == "image/png"

    # Members: no admin route, and the attachment route does not serve it either.
    nurse = await sign_in(city.users["station_nurse"])
    assert (await nurse.get(f"/api/admin/rooms/{room['id']}/consent/scan")).status_code == 403
    scan_id = image.json()["consent"]["scanAttachmentId"]
    assert (await nurse.get(f"/api/attachments/{scan_id}")).status_code == 404
    viewed = await audit_actions(sessionmaker, "admin.consent_scan_viewed")
    assert len(viewed) == 1 and str(viewed[0].room_id) == room["id"]
    assert len(await audit_actions(sessionmaker, "admin.consent_scan_recorded")) == 2


async def test_a_scan_is_checked_by_content(city: City, sign_in: SignIn, sessionmaker: Any) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    cases = [
        (b"just some text", "a.pdf", "application/pdf", 415, "unsupported_scan"),
        (pdf(pdfs.JAVASCRIPT_ACTION), "a.pdf", "application/pdf", 415, "pdf_active_content"),
        (pdf(b"/OpenAction << /S /J#61vaScript /JS (x) >>"), "a.pdf", "application/pdf", 415,
         "pdf_active_content"),
        # A launch action out of sight in a compressed object stream.
        (pdf(b"/OpenAction 100 0 R", hidden={100: b"<< /S /Launch /F (cmd.exe) >>"}),
         "a.pdf", "application/pdf", 415, "pdf_active_content"),
        (pdf(b"/Names << /EmbeddedFiles << /Names [] >> >>"), "a.pdf", "application/pdf", 415,
         "pdf_active_content"),
        (b"%PDF-1.7\nno end", "a.pdf", "application/pdf", 415, "not_a_pdf"),
    ]
    for data, name, kind, status, code in cases:
        response = await upload(admin, room["id"], data, name, kind)
        assert response.status_code == status, (data[:40], response.text)
        assert response.json()["error"] == code, (data[:40], response.text)
    async with sessionmaker() as s:
        stored = await s.scalar(select(Consent))
        assert stored is not None and stored.scan_attachment_id is None
        assert list(await s.scalars(select(Attachment))) == []
    missing = await admin.get(f"/api/admin/rooms/{room['id']}/consent/scan")
    assert missing.status_code == 404


async def test_a_second_room_for_the_same_patient_is_warned_of_and_can_be_confirmed(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    first = await open_room(admin, city)
    # Same name (spaces differ) and date of birth, no insured number: possibly the same person.
    again = {
        "patient": patient(name="青木　ハナ", insuredNumber=""),
        "consent": consent(),
        "members": team(city, "home_doctor", "station_nurse", "care_manager"),
    }
    warned = await admin.post("/api/admin/rooms", again)
    assert warned.status_code == 409, warned.text
    body = warned.json()
    assert body["error"] == "possible_duplicate_patient"
    (dup,) = body["duplicates"]
    assert dup["roomId"] == first["id"] and dup["matchedOn"] == ["nameAndBirthDate"]
    # Nor does the width of the characters (half-width katakana, as some vendors' files have).
    narrow = await admin.post("/api/admin/rooms", {
        **again, "patient": patient(name="青木 ﾊﾅ", insuredNumber="")})
    assert narrow.status_code == 409, narrow.text
    assert [d["roomId"] for d in narrow.json()["duplicates"]] == [first["id"]]
    async with sessionmaker() as s:
        assert len(list(await s.scalars(select(Room)))) == 1

    checked = await admin.get(
        "/api/admin/patients/duplicates",
        params={"insuredNumber": "0000012345", "name": "別の 名前", "birthDate": "1950-01-01"},
    )
    assert checked.status_code == 200
    assert [(d["roomId"] if d["room"] is None else d["room"]["id"], d["matchedOn"])
            for d in [{**c, "roomId": None} for c in checked.json()]] == [
        (first["id"], ["insuredNumber"])
    ]
    assert len(await audit_actions(sessionmaker, "admin.patient_duplicates_checked")) == 1
    bad = await admin.get("/api/admin/patients/duplicates", params={"insuredNumber": "12"})
    assert bad.status_code == 400

    confirmed = await admin.post("/api/admin/rooms", {**again, "allowDuplicate": True})
    assert confirmed.status_code == 201, confirmed.text


async def test_a_patient_back_from_hospital_gets_the_closed_room_reopened_with_its_members(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(
        admin, city, members=team(city, "home_doctor", "station_nurse", "care_manager",
                                  "pharmacist")
    )
    closed = await admin.post(f"/api/admin/rooms/{room['id']}/close",
                              {"reason": "facilityAdmission"})
    assert closed.status_code == 200
    nurse = await sign_in(city.users["station_nurse"])
    pharmacist = await sign_in(city.users["pharmacist"])
    nurse_cursor = await drain(nurse)
    pharmacist_cursor = await drain(pharmacist)

    # Opening a new room is warned of, naming the closed room to reopen.
    warned = await admin.post(
        "/api/admin/rooms",
        {"patient": patient(), "consent": consent(), "members": team(city, "home_doctor",
                                                                     "station_nurse",
                                                                     "care_manager")},
    )
    assert warned.status_code == 409
    assert warned.json()["duplicates"][0]["roomStatus"] == "closed"

    # Reopen without the pharmacist and with the clinic's doctor (the city chooses the team).
    clinic_doctor = await sign_in(city.users["clinic_doctor"])
    assert room["id"] not in (await pull(clinic_doctor))["rooms"]
    reopened = await admin.post(
        f"/api/admin/rooms/{room['id']}/reopen",
        {"members": team(city, "home_doctor", "station_nurse", "care_manager", "clinic_doctor"),
         "note": "退院により在宅へ戻られたため"},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "open"
    assert {m["user"]["loginId"] for m in reopened.json()["members"]} == {
        "home-doctor", "station-nurse", "care-manager", "clinic-doctor"
    }
    # The new member's device is served the whole room, history included.
    served = (await pull(clinic_doctor))["rooms"][room["id"]]["changes"]
    assert {"room", "patient", "member", "reportTitle"} <= {c["type"] for c in served}
    nurse_pull = await pull(nurse, nurse_cursor)
    rooms = [c["data"] for c in nurse_pull["rooms"][room["id"]]["changes"] if c["type"] == "room"]
    assert rooms[-1]["status"] == "open"
    assert room["id"] in (await pull(pharmacist, pharmacist_cursor))["revokedRooms"]

    history = (await admin.get(f"/api/admin/rooms/{room['id']}/history")).json()["changes"]
    assert [(c["field"], c["after"], c["note"]) for c in history] == [
        ("status", "再開", "退院により在宅へ戻られたため")
    ]
    (event,) = await audit_actions(sessionmaker, "admin.room_reopened")
    assert str(event.room_id) == room["id"]

    # Reopening an open room, or one missing a required member, is refused.
    assert (await admin.post(f"/api/admin/rooms/{room['id']}/reopen")).status_code == 409


async def test_reopening_with_the_default_brings_every_member_back(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    await admin.post(f"/api/admin/rooms/{room['id']}/close", {"reason": "facilityAdmission"})
    short = await admin.post(
        f"/api/admin/rooms/{room['id']}/reopen",
        {"members": team(city, "station_nurse", "care_manager")},
    )
    assert short.status_code == 409
    assert [m["code"] for m in short.json()["missing"]] == ["doctor"]
    reopened = await admin.post(f"/api/admin/rooms/{room['id']}/reopen")
    assert reopened.status_code == 200
    assert len(reopened.json()["members"]) == 3
    async with sessionmaker() as s:
        stays = list(
            await s.scalars(
                select(RoomMember).where(RoomMember.room_id == uuid.UUID(room["id"]))
            )
        )
    assert len(stays) == 3 and all(m.left_at is None for m in stays)


async def test_a_withdrawn_consent_closes_the_room_for_writing_with_the_reason(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(admin, city)
    nurse = await sign_in(city.users["station_nurse"])
    cursor = await drain(nurse)

    for bad, code in (
        ({"date": "2026-11-01", "reason": "x"}, "invalid_withdrawal_date"),  # before consent
        ({"date": "2099-01-01", "reason": "x"}, "invalid_withdrawal_date"),
        ({"date": "2026-11-25"}, "invalid_input"),
    ):
        refused = await admin.post(f"/api/admin/rooms/{room['id']}/consent/withdraw", bad)
        assert refused.status_code == 400 and refused.json()["error"] == code, refused.text
    assert (await nurse.post(f"/api/admin/rooms/{room['id']}/consent/withdraw",
                             {"date": "2026-11-25", "reason": "x"})).status_code == 403

    withdrawn = await admin.post(
        f"/api/admin/rooms/{room['id']}/consent/withdraw",
        {"date": "2026-11-25", "reason": "ご家族から情報共有をやめたいとの申し出"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert body["status"] == "closed" and body["closedReason"] == "consentWithdrawn"
    assert body["closedNote"] == "ご家族から情報共有をやめたいとの申し出"
    assert body["consent"]["withdrawnOn"] == "2026-11-25"
    assert [m["code"] for m in body["missing"]] == ["consent"]

    served = await pull(nurse, cursor)
    rooms = [c["data"] for c in served["rooms"][room["id"]]["changes"] if c["type"] == "room"]
    assert rooms[-1]["status"] == "closed" and rooms[-1]["closedReason"] == "consentWithdrawn"
    assert (await admin.post(f"/api/admin/rooms/{room['id']}/consent/withdraw",
                             {"date": "2026-11-25", "reason": "x"})).status_code == 409
    (event,) = await audit_actions(sessionmaker, "admin.consent_withdrawn")
    assert str(event.patient_id) == room["patient"]["id"]

    # It reopens only on a new consent.
    refused = await admin.post(f"/api/admin/rooms/{room['id']}/reopen")
    assert refused.status_code == 409 and refused.json()["error"] == "consent_required"
    reopened = await admin.post(
        f"/api/admin/rooms/{room['id']}/reopen",
        {"consent": consent(date="2026-11-26", explainerOffice="みどりケアプランセンター")},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["consent"]["withdrawnOn"] is None
    assert reopened.json()["consent"]["date"] == "2026-11-26"


async def test_a_reopened_room_tells_its_members_and_those_not_brought_back_by_mail(
    city: City, sign_in: SignIn, smtp: SmtpSink
) -> None:
    admin = await sign_in(city.users["admin"])
    room = await open_room(
        admin, city, members=team(city, "home_doctor", "station_nurse", "care_manager",
                                  "pharmacist")
    )
    closed = await admin.post(f"/api/admin/rooms/{room['id']}/close",
                              {"reason": "facilityAdmission"})
    assert closed.status_code == 200
    smtp.clear()
    reopened = await admin.post(
        f"/api/admin/rooms/{room['id']}/reopen",
        {"members": team(city, "home_doctor", "station_nurse", "care_manager", "clinic_doctor")},
    )
    assert reopened.status_code == 200, reopened.text
    mails = smtp.wait_for(5)
    by_person = {m.rcpt_tos[0].split("@")[0]: m for m in mails}
    assert set(by_person) == {
        "home-doctor", "station-nurse", "care-manager", "clinic-doctor", "pharmacist"
    }
    for login in ("home-doctor", "station-nurse", "care-manager", "clinic-doctor"):
        told = by_person[login]
        assert "再開" in told.subject, told.subject
        assert "部屋：若葉-01" in told.text and "閲覧権限：" in told.text
        assert SmtpSink.links(told) == [f"{BASE_URL}/#/rooms/{room['id']}"]
    left = by_person["pharmacist"]
    assert "参加終了" in left.subject and "再開後の参加者に含まれていません" in left.text
    assert SmtpSink.links(left) == []
    for mail in mails:
        assert not [w for w in ("青木", "アオキ", "0000012345", "若葉町") if w in mail.text]
