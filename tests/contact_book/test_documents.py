"""Documents (診療情報提供書, 退院時サマリ, ケアプラン, 訪問看護報告書): PDF attachments up to
20 MB, checked by content, stored like photos, served to current members only and always
as a download (SECURITY.md 16, 26; issue 17 item 6)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from server.clock import FrozenClock
from server.contact_book.attachments_service import document_filename
from server.settings import Settings
from store.models import Attachment, AuditEvent
from tests.contact_book import photos
from tests.contact_book.conftest import SignIn, World
from tests.support import pdfs
from tests.support.api import ApiClient

LETTER_NAME = "退院時サマリ_青木.pdf"


async def upload(
    api: ApiClient, room_id: uuid.UUID, data: bytes, name: str = LETTER_NAME,
    content_type: str = "application/pdf",
) -> httpx.Response:
    return await api.post(
        f"/api/rooms/{room_id}/documents", files={"file": (name, data, content_type)}
    )


def stored_files(settings: Settings) -> list[Path]:
    root = settings.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def attachments(sessionmaker: Any) -> list[Attachment]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Attachment)))


async def post_with(api: ApiClient, world: World, *attachment_ids: str) -> str:
    post_id = str(uuid.uuid4())
    pushed = await api.post("/api/sync/push", {
        "clientId": f"tablet-{uuid.uuid4().hex[:8]}",
        "mutations": [{"id": 1, "name": "post.create", "args": {
            "id": post_id, "roomId": str(world.room_id), "reportTitleId": str(world.title_id),
            "body": "退院時サマリをお送りします。", "attachmentIds": list(attachment_ids)}}],
    })
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["results"][0]["status"] == "ok", pushed.text
    return post_id


async def test_a_member_attaches_a_pdf_and_members_download_it_never_see_it_inline(
    world: World, sign_in: SignIn, sessionmaker: Any
) -> None:
    letter = pdfs.document(pages=3, title="Discharge summary")
    nurse = await sign_in(world.writer)
    made = await upload(nurse, world.room_id, letter)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body == {"id": body["id"], "contentType": "application/pdf", "size": len(letter),
                    "name": LETTER_NAME, "pages": 3}
    post_id = await post_with(nurse, world, body["id"])

    # Every member's device learns the document's name and pages with the post.
    pharmacist = await sign_in(world.reader)
    pulled = (await pharmacist.post("/api/sync/pull", {"cursor": None})).json()
    posts = [c["data"] for c in pulled["rooms"][str(world.room_id)]["changes"]
             if c["type"] == "post" and c["id"] == post_id]
    assert posts[0]["attachmentIds"] == [body["id"]]
    assert posts[0]["documents"] == [
        {"id": body["id"], "name": LETTER_NAME, "pages": 3, "size": len(letter)}]

    served = await pharmacist.get(f"/api/attachments/{body['id']}")
    assert served.status_code == 200
    assert served.content == letter  # kept as it came
    assert served.headers["content-type"] == "application/pdf"
    disposition = served.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert quote(LETTER_NAME) in disposition
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "no-store"
    assert "sandbox" in served.headers["content-security-policy"]

    # The first page, as a JPEG thumbnail of at most 320 px.
    thumb = await pharmacist.get(f"/api/attachments/{body['id']}/thumbnail")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(thumb.content))
    assert image.format == "JPEG" and max(image.size) == 320
    assert image.size[0] < image.size[1]  # A4 portrait
    # The shaded box at the top of the first page is there (light blue, not white).
    red, _green, blue = image.convert("RGB").getpixel((image.size[0] // 2, 40))
    assert blue > 200 and red < 235

    async with sessionmaker() as session:
        events = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.target_id == body["id"])
            .order_by(AuditEvent.seq)))
    assert [(e.action, e.actor_id) for e in events] == [
        ("attachment.upload", world.writer.id),
        ("attachment.view", world.reader.id),
        ("attachment.view", world.reader.id),
    ]
    assert events[0].details["pages"] == 3
    assert [e.details["kind"] for e in events[1:]] == ["document", "document"]
    assert all(e.patient_id == world.patient_id for e in events)
    # No file name (it may name the patient) in the audit log.
    assert all("青木" not in str(e.details) for e in events)


async def test_a_read_only_member_downloads_but_cannot_attach(
    world: World, sign_in: SignIn, sessionmaker: Any, settings: Settings
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, pdfs.document())).json()
    kept = stored_files(settings)
    pharmacist = await sign_in(world.reader)
    assert (await pharmacist.get(f"/api/attachments/{made['id']}")).status_code == 200
    refused = await upload(pharmacist, world.room_id, pdfs.document(title="Care plan"))
    assert refused.status_code == 403
    assert refused.json()["error"] == "read_only"
    assert len(await attachments(sessionmaker)) == 1
    assert stored_files(settings) == kept


async def test_non_members_learn_nothing_not_even_that_the_document_exists(
    world: World, sign_in: SignIn, sessionmaker: Any
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, pdfs.document())).json()
    await post_with(nurse, world, made["id"])
    for user in (world.outsider, world.former, world.admin):
        other = await sign_in(user)
        unknown = await other.get(f"/api/attachments/{uuid.uuid4()}")
        for path in (f"/api/attachments/{made['id']}",
                     f"/api/attachments/{made['id']}/thumbnail"):
            answer = await other.get(path)
            # The same answer as for an id that does not exist: no existence oracle.
            assert (answer.status_code, answer.json()) == (404, unknown.json()), user.login_id
        refused = await upload(other, world.room_id, pdfs.document())
        assert refused.status_code == 404, user.login_id
    assert len(await attachments(sessionmaker)) == 1


FORGED: list[tuple[str, Any, int, str]] = [
    ("a PNG renamed .pdf", lambda: photos.png_with_text(), 415, "not_a_pdf"),
    ("a JPEG photo", lambda: photos.jpeg_with_gps(), 415, "not_a_pdf"),
    ("plain text", lambda: b"%PDF-1.7\nnot really\n", 415, "not_a_pdf"),
    ("JavaScript on opening", lambda: pdfs.document(catalog=pdfs.JAVASCRIPT_ACTION), 415,
     "pdf_active_content"),
    ("a launch action", lambda: pdfs.document(catalog=pdfs.LAUNCH_ACTION), 415,
     "pdf_active_content"),
    ("JavaScript behind #-escapes",
     lambda: pdfs.document(catalog=b"/OpenAction << /S /J#61va#53cript /JS (x) >>"), 415,
     "pdf_active_content"),
    ("JavaScript in a twice-compressed object stream",
     lambda: pdfs.document(catalog=b"/OpenAction 100 0 R",
                           hidden={100: b"<< /S /JavaScript /JS (app.alert(1)) >>"},
                           hidden_filters=("FlateDecode", "FlateDecode")), 415,
     "pdf_active_content"),
    ("a launch action in a hex-encoded object stream",
     lambda: pdfs.document(catalog=b"/OpenAction 100 0 R",
                           hidden={100: b"<< /S /Launch /F (cmd.exe) >>"},
                           hidden_filters=("ASCIIHexDecode",)), 415, "pdf_active_content"),
    ("JavaScript hidden by encryption",
     lambda: pdfs.document(encrypt=True, catalog=b"/OpenAction 100 0 R",
                           hidden={100: b"<< /S /JavaScript /JS (app.alert(1)) >>"}), 415,
     "pdf_active_content"),
    ("a document-level script",
     lambda: pdfs.document(catalog=b"/Names 100 0 R",
                           hidden={100: b"<< /JavaScript 101 0 R >>",
                                   101: b"<< /Names [(a) 102 0 R] >>",
                                   102: b"<< /S /JavaScript /JS (app.alert(1)) >>"}), 415,
     "pdf_active_content"),
    ("an embedded file",
     lambda: pdfs.document(catalog=b"/Names << /EmbeddedFiles << /Names [] >> >>"), 415,
     "pdf_active_content"),
    ("a submit-form action",
     lambda: pdfs.document(catalog=b"/OpenAction << /S /SubmitForm /F (http://x) >>"), 415,
     "pdf_active_content"),
    ("an XFA form",
     lambda: pdfs.document(catalog=b"/AcroForm << /Fields [] /XFA 100 0 R >>",
                           hidden={100: b"[(template) 101 0 R]"}), 415, "pdf_active_content"),
    ("no pages at all",
     lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer << /Root 1 0 R >>\n"
             b"%%EOF\n", 415, "pdf_unreadable"),
    ("cut short", lambda: pdfs.document()[:-400], 415, "not_a_pdf"),
]


@pytest.mark.parametrize(("case", "make", "status", "code"), FORGED,
                         ids=[case[0] for case in FORGED])
async def test_forged_and_active_pdfs_are_refused_in_japanese_and_nothing_is_kept(
    world: World, sign_in: SignIn, sessionmaker: Any, settings: Settings,
    case: str, make: Any, status: int, code: str,
) -> None:
    nurse = await sign_in(world.writer)
    answer = await upload(nurse, world.room_id, make(), name="紹介状.pdf")
    assert answer.status_code == status, (case, answer.text)
    assert answer.json()["error"] == code, case
    assert "PDF" in answer.json()["message"]
    assert any("\u3040" <= ch <= "\u30ff" for ch in answer.json()["message"])  # Japanese
    assert await attachments(sessionmaker) == []
    assert stored_files(settings) == []


async def test_more_than_20_mb_is_refused_with_413_and_nothing_is_kept(
    world: World, sign_in: SignIn, sessionmaker: Any, settings: Settings
) -> None:
    nurse = await sign_in(world.writer)
    near = pdfs.document(padding=19 * 1024 * 1024)  # a scanned letter's size: accepted
    accepted = await upload(nurse, world.room_id, near)
    assert accepted.status_code == 201, accepted.text
    kept = stored_files(settings)
    for size in (20 * 1024 * 1024 + 1, 21 * 1024 * 1024):
        big = pdfs.document(padding=size)
        answer = await upload(nurse, world.room_id, big)
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == "document_too_large"
        assert "20 MB" in answer.json()["message"]
    assert len(await attachments(sessionmaker)) == 1
    assert stored_files(settings) == kept


async def test_a_letter_restricted_by_an_owner_password_is_accepted_but_not_one_that_asks(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    restricted = await upload(nurse, world.room_id, pdfs.document(encrypt=True))
    assert restricted.status_code == 201, restricted.text
    assert restricted.json()["pages"] == 2
    # PDFium cannot open a file whose user password is not empty: refused as protected.
    protected = pdfs.document(encrypt=True).replace(b"/P -3904", b"/P -3900")
    answer = await upload(nurse, world.room_id, protected)
    assert answer.status_code == 415
    assert answer.json()["error"] == "pdf_password"


async def test_photos_and_documents_keep_to_their_own_routes(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    as_photo = await nurse.post(
        f"/api/rooms/{world.room_id}/attachments",
        files={"file": ("letter.jpg", pdfs.document(), "image/jpeg")},
    )
    assert as_photo.status_code == 415
    assert as_photo.json()["error"] == "unsupported_image"
    photo = await upload(nurse, world.room_id, photos.jpeg_with_gps(), name="letter.pdf")
    assert photo.status_code == 415
    assert photo.json()["error"] == "not_a_pdf"


async def test_a_document_of_a_deleted_post_is_no_longer_served(
    world: World, sign_in: SignIn, clock: FrozenClock
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, pdfs.document())).json()
    post_id = await post_with(nurse, world, made["id"])
    assert (await nurse.get(f"/api/attachments/{made['id']}")).status_code == 200
    deleted = await nurse.post("/api/sync/push", {
        "clientId": "tablet-delete",
        "mutations": [{"id": 1, "name": "post.delete", "args": {"id": post_id}}],
    })
    assert deleted.json()["results"][0]["status"] == "ok"
    assert (await nurse.get(f"/api/attachments/{made['id']}")).status_code == 404
    assert (await nurse.get(f"/api/attachments/{made['id']}/thumbnail")).status_code == 404


@pytest.mark.parametrize(("given", "kept"), [
    ("診療情報提供書.pdf", "診療情報提供書.pdf"),
    ("ケアプラン.PDF", "ケアプラン.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\nurse\\訪問看護報告書 12月.pdf", "訪問看護報告書 12月.pdf"),
    ('a"b<c>|d\x00e.pdf', "a_b_c_d_e.pdf"),
    ("", "文書.pdf"),
    (None, "文書.pdf"),
    ("あ" * 300 + ".pdf", "あ" * 116 + ".pdf"),
])
def test_a_documents_name_is_the_uploaders_file_name_cleaned(
    given: str | None, kept: str
) -> None:
    assert document_filename(given) == kept


async def test_the_name_given_at_upload_is_the_download_name(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    made = await upload(nurse, world.room_id, pdfs.document(), name="../ケアプラン.PDF")
    assert made.json()["name"] == "ケアプラン.pdf"
    served = await nurse.get(f"/api/attachments/{made.json()['id']}")
    assert quote("ケアプラン.pdf") in served.headers["content-disposition"]
