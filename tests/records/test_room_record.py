"""A room's record out of carebook: its members print it (era dates, posts with comments,
vitals, photos), take the vitals as CSV for Excel and the record as a FHIR R4 bundle that
follows JP-Core and validates; every export is audited; a clerk gets a closed room's record
only through the break-glass step, which the members see."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select, update

from store.models import AuditEvent, ReportTitle, User
from tests.admin.conftest import REQUIRED_TEAM, City, SignIn, audit_events, consent, patient, team
from tests.contact_book import photos
from tests.support import pdfs
from tests.support.smtp import SmtpSink

JP = "http://jpfhir.jp/fhir/core/StructureDefinition/"
LETTER = "褥瘡評価表.pdf"


async def _room_with_history(city: City, sign_in: SignIn) -> tuple[Any, Any, str]:
    admin = await sign_in(city.users["admin"])
    made = await admin.post("/api/admin/rooms", {
        "patient": patient(), "consent": consent(),
        "members": team(city, *REQUIRED_TEAM, "pharmacist"), "label": "若葉-01"})
    assert made.status_code == 201, made.text
    room = made.json()
    titles = {t["name"]: t["id"] for t in room["reportTitles"]}
    nurse = await sign_in(city.users["station_nurse"])
    upload = await nurse.http.post(
        f"/api/rooms/{room['id']}/attachments",
        files={"file": ("wound.jpg", photos.jpeg_with_gps(), "image/jpeg")},
        headers=nurse.headers())
    assert upload.status_code == 201, upload.text
    letter = await nurse.http.post(
        f"/api/rooms/{room['id']}/documents",
        files={"file": (LETTER, pdfs.document(pages=3), "application/pdf")},
        headers=nurse.headers())
    assert letter.status_code == 201, letter.text
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    pushed = await nurse.post("/api/sync/push", {"clientId": "record-nurse", "mutations": [
        {"id": 1, "name": "post.create", "args": {
            "id": first, "roomId": room["id"], "reportTitleId": titles["バイタル"],
            "body": "訪問時バイタル。血圧やや高め。",
            "vitals": {"systolic": 142, "diastolic": 88, "pulse": 76, "temperature": 36.9,
                       "spo2": 96, "respirationRate": 16, "weight": 45.5,
                       "bloodGlucose": 132}}},
        {"id": 2, "name": "post.create", "args": {
            "id": second, "roomId": room["id"], "reportTitleId": titles["褥瘡・創傷"],
            "body": "仙骨部に発赤。写真を添付します。",
            "attachmentIds": [upload.json()["id"], letter.json()["id"]]}},
        {"id": 3, "name": "comment.create", "args": {
            "id": third, "postId": first, "body": "承知しました。降圧薬は継続で。"}},
    ]})
    assert [r["status"] for r in pushed.json()["results"]] == ["ok"] * 3, pushed.text
    return admin, nurse, room["id"]


async def test_a_member_prints_the_record_with_era_dates_posts_comments_and_photos(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    _admin, nurse, room_id = await _room_with_history(city, sign_in)
    got = await nurse.get(f"/api/rooms/{room_id}/record")
    assert got.status_code == 200, got.text
    record = got.json()
    assert record["patient"]["birthDateEra"]["text"] == "昭和15年3月12日"
    assert record["patient"]["careLevelLabel"] == "要介護3"
    assert record["consentDateEra"]["text"] == "令和8年11月20日"
    assert [p["body"] for p in record["posts"]] == ["訪問時バイタル。血圧やや高め。",
                                                    "仙骨部に発赤。写真を添付します。"]
    assert record["posts"][0]["vitals"]["systolic"] == 142
    assert record["posts"][0]["comments"][0]["author"]["jobTypeLabel"] == "看護師"
    assert record["posts"][1]["photos"][0].startswith("data:image/jpeg;base64,")
    # The document is listed by name and pages, never drawn as a photo.
    assert len(record["posts"][1]["photos"]) == 1
    assert [(d["name"], d["pages"]) for d in record["posts"][1]["documents"]] == [(LETTER, 3)]
    assert record["posts"][0]["documents"] == []
    assert record["generatedBy"] == "鈴木 真理子"
    empty = (await nurse.get(f"/api/rooms/{room_id}/record",
                             params={"from": "2027-01-01"})).json()
    assert empty["posts"] == [] and empty["since"] == "2027-01-01"
    events = await audit_events(sessionmaker, "record.printed")
    assert [(str(e.room_id), e.details["posts"]) for e in events] == [(room_id, 2), (room_id, 0)]
    assert events[0].patient_id is not None


async def test_the_printed_chart_gets_each_post_s_kept_flags_and_the_ranges_in_force(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    """The printed chart marks what every member was shown (the flag kept with the post,
    under the thresholds then) and shades the patient's ranges as they are now."""
    _admin, nurse, room_id = await _room_with_history(city, sign_in)
    record = (await nurse.get(f"/api/rooms/{room_id}/record")).json()
    title = next(p for p in record["posts"] if p["vitals"])
    low, after = str(uuid.uuid4()), str(uuid.uuid4())
    async with sessionmaker() as session:
        vitals_title = str(await session.scalar(select(ReportTitle.id).where(
            ReportTitle.room_id == uuid.UUID(room_id), ReportTitle.name == "バイタル")))
    pushed = await nurse.post("/api/sync/push", {"clientId": "record-nurse-2", "mutations": [
        {"id": 1, "name": "post.create", "args": {
            "id": low, "roomId": room_id, "reportTitleId": vitals_title,
            "vitals": {"spo2": 86, "systolic": 186, "pulse": 80}}},
        # Lowered for this patient afterwards: 86 % stays flagged, 88 % later is not.
        {"id": 2, "name": "threshold.set", "args": {
            "roomId": room_id, "sign": "spo2", "low": 85, "high": None}},
        {"id": 3, "name": "post.create", "args": {
            "id": after, "roomId": room_id, "reportTitleId": vitals_title,
            "vitals": {"spo2": 88}}},
    ]})
    assert [r["status"] for r in pushed.json()["results"]] == ["ok"] * 3, pushed.text
    record = (await nurse.get(f"/api/rooms/{room_id}/record")).json()
    flags = {p["id"]: p["vitalsFlags"] for p in record["posts"]}
    assert flags[title["id"]] is None
    assert flags[low] == {"spo2": "low", "systolic": "high"}
    assert flags[after] is None
    ranges = {r["sign"]: (r["low"], r["high"]) for r in record["normalRanges"]}
    assert ranges["spo2"] == (85, None)
    assert ranges["systolic"] == (90, 179)
    assert ranges["temperature"] == (35.0, 37.9)
    assert "weight" not in ranges


async def test_vitals_as_csv_for_excel(city: City, sign_in: SignIn, sessionmaker: Any) -> None:
    _admin, nurse, room_id = await _room_with_history(city, sign_in)
    got = await nurse.get(f"/api/rooms/{room_id}/record/vitals.csv")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["日時", "記録者", "職種", "事業所", "ケアレポート標題"]
    assert len(rows) == 2  # the one post with vitals
    assert rows[1][1:3] == ["鈴木 真理子", "看護師"]
    assert rows[1][5:] == ["142", "88", "76", "36.9", "96", "16", "45.5", "132"]
    assert len(await audit_events(sessionmaker, "record.vitals_csv")) == 1


async def test_a_name_typed_as_a_formula_stays_text_in_the_vitals_csv(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    _admin, nurse, room_id = await _room_with_history(city, sign_in)
    async with sessionmaker() as session:
        await session.execute(update(User).where(User.id == city.id("station_nurse"))
                              .values(name='=HYPERLINK("http://evil.example","鈴木")'))
        await session.commit()
    got = await nurse.get(f"/api/rooms/{room_id}/record/vitals.csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","鈴木")'


async def test_the_fhir_bundle_follows_jp_core_and_validates(
    city: City, sign_in: SignIn, sessionmaker: Any
) -> None:
    _admin, nurse, room_id = await _room_with_history(city, sign_in)
    got = await nurse.get(f"/api/rooms/{room_id}/record/fhir")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/fhir+json")
    document = got.json()
    parsed = Bundle.model_validate(document)  # base R4 structure, cardinalities, types
    assert parsed.type == "collection"
    resources = [e["resource"] for e in document["entry"]]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_type.setdefault(r["resourceType"], []).append(r)
    (patient_,) = by_type["Patient"]
    assert patient_["meta"]["profile"] == [JP + "JP_Patient"]
    assert [n["text"] for n in patient_["name"]] == ["青木 ハナ", "アオキ ハナ"]
    assert [n["extension"][0]["valueCode"] for n in patient_["name"]] == ["IDE", "SYL"]
    assert patient_["birthDate"] == "1940-03-12"
    observations = {o["code"]["coding"][0]["code"]: o for o in by_type["Observation"]}
    bp = observations["85354-9"]
    assert JP + "JP_Observation_VitalSigns" in bp["meta"]["profile"]
    assert {(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"],
             c["valueQuantity"]["code"]) for c in bp["component"]} == {
        ("8480-6", 142, "mm[Hg]"), ("8462-4", 88, "mm[Hg]")}
    assert (observations["8310-5"]["valueQuantity"]["value"],
            observations["8310-5"]["valueQuantity"]["code"]) == (36.9, "Cel")
    assert observations["8867-4"]["valueQuantity"]["code"] == "/min"
    assert observations["2708-6"]["valueQuantity"]["code"] == "%"
    assert observations["29463-7"]["valueQuantity"]["code"] == "kg"
    assert {c["system"] for c in bp["category"][0]["coding"]} == {
        "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS"}
    glucose = observations["3D010000001999901"]
    assert glucose["code"]["coding"][0]["system"] == "urn:oid:1.2.392.200119.4.504"
    assert glucose["meta"]["profile"] == [JP + "JP_Observation_LabResult"]
    assert glucose["valueQuantity"]["code"] == "mg/dL"
    communications = by_type["Communication"]
    assert len(communications) == 3  # two posts and a comment
    comment = next(c for c in communications if c.get("inResponseTo"))
    assert comment["payload"][0]["contentString"] == "承知しました。降圧薬は継続で。"
    (letter,) = by_type["DocumentReference"]
    attachment = letter["content"][0]["attachment"]
    assert (attachment["title"], attachment["contentType"]) == (LETTER, "application/pdf")
    assert attachment["url"].endswith(f"/api/attachments/{letter['id']}")
    assert "data" not in attachment  # the PDF stays with carebook (members only)
    photo_post = next(c for c in communications
                      if c["payload"][0]["contentString"].startswith("仙骨部に発赤"))
    assert letter["context"]["related"] == [{"reference": f"urn:uuid:{photo_post['id']}"}]
    assert {p["meta"]["profile"][0] for p in by_type["Practitioner"]} == {
        JP + "JP_Practitioner"}
    references = {e["fullUrl"] for e in document["entry"]}
    for r in resources:
        for ref in (r.get("subject"), r.get("sender")):
            if ref:
                assert ref["reference"] in references
    assert len(await audit_events(sessionmaker, "record.fhir")) == 1


async def test_others_get_nothing_and_a_clerk_needs_the_break_glass_step(
    city: City, sign_in: SignIn, sessionmaker: Any, smtp: SmtpSink
) -> None:
    admin, nurse, room_id = await _room_with_history(city, sign_in)
    outsider = await sign_in(city.users["clinic_doctor"])
    for who in (outsider, admin):
        for path in ("record", "record/vitals.csv", "record/fhir"):
            refused = await who.get(f"/api/rooms/{room_id}/{path}")
            assert refused.status_code == 404, (path, refused.text)
    still_open = await admin.post(f"/api/admin/rooms/{room_id}/record",
                                  {"reason": "情報開示請求（令和8年第12号）への対応のため"})
    assert still_open.status_code == 409
    closed = await admin.post(f"/api/admin/rooms/{room_id}/close", {"reason": "death"})
    assert closed.status_code == 200, closed.text
    smtp.clear()
    too_short = await admin.post(f"/api/admin/rooms/{room_id}/record", {"reason": "必要"})
    assert too_short.status_code == 400
    assert too_short.json()["error"] == "reason_required"
    by_nurse = await nurse.post(f"/api/admin/rooms/{room_id}/record",
                                {"reason": "情報開示請求（令和8年第12号）への対応のため"})
    assert by_nurse.status_code == 403
    reason = "情報開示請求（令和8年第12号）への対応のため"
    taken = await admin.post(f"/api/admin/rooms/{room_id}/record/fhir", {"reason": reason})
    assert taken.status_code == 200, taken.text
    Bundle.model_validate(taken.json())
    printed = await admin.post(f"/api/admin/rooms/{room_id}/record", {"reason": reason})
    assert printed.json()["breakGlassReason"] == reason
    events = await audit_events(sessionmaker, "record.break_glass")
    assert [e.details["reason"] for e in events] == [reason, reason]
    assert events[0].actor_login == "city-admin"
    mails = smtp.wait_for(8)  # four members, told of each of the two exports
    assert {m.to for m in mails} == {"home-doctor@example.jp", "station-nurse@example.jp",
                                    "care-manager@example.jp", "pharmacist@example.jp"}
    assert all(reason not in m.text and "青木" not in m.text for m in mails)
    log = await nurse.get(f"/api/rooms/{room_id}/record/break-glass")
    assert log.status_code == 200
    assert [(e["adminName"], e["reason"]) for e in log.json()] == [
        ("市役所 太郎", reason), ("市役所 太郎", reason)]
    assert (await outsider.get(f"/api/rooms/{room_id}/record/break-glass")).status_code == 404
    async with sessionmaker() as s:
        assert await s.scalar(select(AuditEvent.seq).where(
            AuditEvent.action == "record.printed")) is None
