"""Photo attachments: checked by content, stripped of EXIF/GPS, stored once by content
hash outside the database, served only to current members (SECURITY.md 16, 26)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select, update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import Attachment, AuditEvent, Room
from store.models.enums import RoomStatus
from tests.contact_book import photos
from tests.contact_book.conftest import SignIn, World, add_post, change_post
from tests.support.api import ApiClient


async def upload(
    api: ApiClient,
    room_id: uuid.UUID,
    data: bytes,
    *,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
) -> httpx.Response:
    return await api.post(
        f"/api/rooms/{room_id}/attachments", files={"file": (name, data, content_type)}
    )


def stored_files(settings: Settings) -> list[Path]:
    root = settings.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def attachment_rows(sessionmaker: Any) -> list[Attachment]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(Attachment)))


async def test_gps_exif_and_every_other_metadata_are_stripped_and_the_photo_stays_upright(
    world: World, sign_in: SignIn, settings: Settings, sessionmaker: Any
) -> None:
    original = photos.jpeg_with_gps((600, 400), orientation=6)
    # The original really carries what must not leave the patient's home.
    assert b"Exif" in original and b"WGS-84" in original and b"GPSLatitude" in original
    assert photos.SECRET_COMMENT in original and photos.CAMERA_MAKE.encode() in original
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    nurse = await sign_in(world.writer)
    answer = await upload(nurse, world.room_id, original)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"id", "contentType", "size", "width", "height"}
    # Orientation 6 (rotate 90° clockwise) applied: 600×400 becomes 400×600.
    assert (body["contentType"], body["width"], body["height"]) == ("image/jpeg", 400, 600)

    served = await nurse.get(f"/api/attachments/{body['id']}")
    assert served.status_code == 200
    stored = served.content
    assert len(stored) == body["size"]
    camera = photos.CAMERA_MAKE.encode()
    for secret in (b"Exif", b"GPS", b"WGS-84", photos.SECRET_COMMENT, b"xmpmeta", camera):
        assert secret not in stored, secret
    img = Image.open(io.BytesIO(stored))
    assert img.format == "JPEG"
    assert dict(img.getexif()) == {}
    assert "exif" not in img.info and "xmp" not in img.info and "comment" not in img.info
    # The left (red) half of the sensor image is now on top, the blue half below.
    red, _green, blue = img.convert("RGB").getpixel((200, 120))
    assert red > 150 and blue < 110
    red, _green, blue = img.convert("RGB").getpixel((200, 480))
    assert blue > 150 and red < 110

    # The file on disk is exactly what was served, named by its SHA-256, ab/cd/<hash>.
    row = (await attachment_rows(sessionmaker))[0]
    path = settings.attachments_dir / row.sha256[:2] / row.sha256[2:4] / row.sha256
    assert path.read_bytes() == stored
    assert (row.room_id, row.uploader_id, row.post_id) == (world.room_id, world.writer.id, None)


async def test_an_embedded_colour_profile_is_baked_in_and_dropped(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    original = photos.jpeg_with_icc()
    assert Image.open(io.BytesIO(original)).info.get("icc_profile")
    made = (await upload(nurse, world.room_id, original)).json()
    stored = Image.open(io.BytesIO((await nurse.get(f"/api/attachments/{made['id']}")).content))
    assert "icc_profile" not in stored.info
    red, _green, blue = stored.convert("RGB").getpixel((50, 100))
    assert red > 150 and blue < 110  # still red after the conversion to sRGB


async def test_a_smaller_jpeg_thumbnail_is_made(world: World, sign_in: SignIn) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps((1200, 900), 1))).json()
    full = await nurse.get(f"/api/attachments/{made['id']}")
    thumb = await nurse.get(f"/api/attachments/{made['id']}/thumbnail")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert len(thumb.content) < len(full.content)
    img = Image.open(io.BytesIO(thumb.content))
    assert img.format == "JPEG" and img.size == (320, 240)
    assert dict(img.getexif()) == {} and b"Exif" not in thumb.content


async def test_photos_are_served_inline_as_images_never_sniffed_nor_cached(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    for path, filename in (
        (f"/api/attachments/{made['id']}", f"{made['id']}.jpg"),
        (f"/api/attachments/{made['id']}/thumbnail", f"{made['id']}.thumb.jpg"),
    ):
        served = await nurse.get(path)
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"] == f'inline; filename="{filename}"'
        assert "no-store" in served.headers["cache-control"]


async def test_the_same_photo_twice_is_stored_once(
    world: World, sign_in: SignIn, settings: Settings, sessionmaker: Any
) -> None:
    nurse = await sign_in(world.writer)
    photo = photos.jpeg_with_gps()
    first = (await upload(nurse, world.room_id, photo)).json()
    second = (await upload(nurse, world.room_id, photo, name="IMG_0002.jpg")).json()
    assert first["id"] != second["id"]
    rows = await attachment_rows(sessionmaker)
    assert len(rows) == 2
    assert rows[0].sha256 == rows[1].sha256 and rows[0].thumb_sha256 == rows[1].thumb_sha256
    files = stored_files(settings)
    assert [f.name for f in files] == sorted([rows[0].sha256, rows[0].thumb_sha256 or ""])
    assert not [f for f in files if f.name.startswith(".upload-")]


async def test_png_and_webp_are_accepted_and_cleaned(world: World, sign_in: SignIn) -> None:
    nurse = await sign_in(world.writer)
    png = photos.png_with_text()
    assert b"GPSPosition" in png and photos.SECRET_COMMENT in png
    made = await upload(nurse, world.room_id, png, name="wound.png", content_type="image/png")
    assert made.status_code == 201, made.text
    assert made.json()["contentType"] == "image/png"
    served = await nurse.get(f"/api/attachments/{made.json()['id']}")
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"].endswith(f'"{made.json()["id"]}.png"')
    assert b"GPSPosition" not in served.content and photos.SECRET_COMMENT not in served.content
    img = Image.open(io.BytesIO(served.content))
    assert (img.format, img.mode, img.size) == ("PNG", "RGBA", (500, 300))
    assert not getattr(img, "text", {})

    made = await upload(nurse, world.room_id, photos.webp(), name="a.webp", content_type="")
    assert made.status_code == 201, made.text
    assert made.json()["contentType"] == "image/webp"
    assert Image.open(io.BytesIO((await nurse.get(
        f"/api/attachments/{made.json()['id']}")).content)).format == "WEBP"  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("html-named-jpg", photos.HTML_AS_JPEG, 415, "unsupported_image"),
        ("svg", photos.SVG, 415, "unsupported_image"),
        ("polyglot", photos.polyglot(), 415, "image_polyglot"),
        ("truncated", photos.truncated_jpeg(), 400, "damaged_image"),
        ("heic", photos.heic_header(), 415, "heic_unsupported"),
        ("bomb-400mp", photos.png_header_only(20_000, 20_000), 413, "image_too_many_pixels"),
        ("bomb-56mp", photos.png_header_only(8_000, 7_000), 413, "image_too_many_pixels"),
        ("empty", b"", 415, "unsupported_image"),
    ],
)
async def test_forged_damaged_and_unsupported_files_are_refused_and_nothing_is_kept(
    world: World,
    sign_in: SignIn,
    settings: Settings,
    sessionmaker: Any,
    name: str,
    data: bytes,
    status: int,
    code: str,
) -> None:
    nurse = await sign_in(world.writer)
    # Declared as a JPEG photo by name and content type: only the bytes count.
    answer = await upload(nurse, world.room_id, data, name="IMG_0001.jpg")
    assert answer.status_code == status, (name, answer.text)
    assert answer.json()["error"] == code
    assert answer.json()["message"]
    assert stored_files(settings) == []
    assert await attachment_rows(sessionmaker) == []


async def test_heic_refusal_explains_itself_in_english_too(world: World, sign_in: SignIn) -> None:
    nurse = await sign_in(world.writer)
    answer = await nurse.post(
        f"/api/rooms/{world.room_id}/attachments",
        files={"file": ("IMG_0001.HEIC", photos.heic_header(), "image/heic")},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 415
    assert "HEIC" in answer.json()["message"] and "JPEG" in answer.json()["message"]


@pytest.mark.parametrize("extra", [1, 200 * 1024], ids=["just-over", "over-the-body-limit"])
async def test_more_than_10_mb_is_refused_with_413_and_nothing_is_stored(
    world: World, sign_in: SignIn, settings: Settings, sessionmaker: Any, extra: int
) -> None:
    nurse = await sign_in(world.writer)
    photo = photos.jpeg_with_gps()
    big = photo + b"\0" * (10 * 1024 * 1024 + extra - len(photo))
    answer = await upload(nurse, world.room_id, big)
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"] == "image_too_large"
    assert "10 MB" in answer.json()["message"]
    assert stored_files(settings) == []
    assert await attachment_rows(sessionmaker) == []


async def test_the_form_must_hold_exactly_one_file_part(world: World, sign_in: SignIn) -> None:
    nurse = await sign_in(world.writer)
    path = f"/api/rooms/{world.room_id}/attachments"
    photo = photos.jpeg_with_gps()
    as_json = await nurse.post(path, {"file": "not a photo"})
    missing = await nurse.post(path, files={"photo": ("a.jpg", photo, "image/jpeg")})
    text_field = await nurse.post(path, data={"file": "just text"})
    extra = await nurse.post(
        path, files={"file": ("a.jpg", photo, "image/jpeg")}, data={"note": "x"}
    )
    for answer in (as_json, missing, text_field, extra):
        assert 400 <= answer.status_code < 500, answer.text
        assert answer.json()["error"]


async def test_uploads_and_views_are_audited_with_room_and_patient(
    world: World, sign_in: SignIn, sessionmaker: Any
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    await nurse.get(f"/api/attachments/{made['id']}")
    await nurse.get(f"/api/attachments/{made['id']}/thumbnail")
    kept = await nurse.get(f"/api/attachments/{made['id']}/thumbnail?purpose=offline")
    assert kept.status_code == 200
    odd = await nurse.get(f"/api/attachments/{made['id']}/thumbnail?purpose=gossip")
    assert odd.status_code == 400
    async with sessionmaker() as session:
        events = list(
            await session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("attachment.%"))
                .order_by(AuditEvent.seq)
            )
        )
    seen = [(e.action, e.details.get("variant"), e.details.get("purpose")) for e in events]
    assert seen == [
        ("attachment.upload", None, None),
        ("attachment.view", "original", "view"),
        ("attachment.view", "thumbnail", "view"),
        # The PWA's background copy for offline use is told apart from a look at the photo.
        ("attachment.view", "thumbnail", "offline"),
    ]
    for event in events:
        assert (event.room_id, event.patient_id) == (world.room_id, world.patient_id)
        assert (event.actor_id, event.target_id) == (world.writer.id, made["id"])


async def test_a_read_only_member_sees_photos_but_cannot_upload(
    world: World, sign_in: SignIn
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    pharmacist = await sign_in(world.reader)
    assert (await pharmacist.get(f"/api/attachments/{made['id']}")).status_code == 200
    refused = await upload(pharmacist, world.room_id, photos.jpeg_with_gps((300, 200)))
    assert refused.status_code == 403
    assert refused.json()["error"] == "read_only"


async def test_a_closed_room_takes_no_photos_but_still_shows_its_own(
    world: World, sign_in: SignIn, sessionmaker: Any, settings: Settings
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    before = stored_files(settings)
    async with sessionmaker() as session:
        await session.execute(
            update(Room).where(Room.id == world.room_id).values(status=RoomStatus.closed)
        )
        await session.commit()
    refused = await upload(nurse, world.room_id, photos.jpeg_with_gps((300, 200)))
    assert refused.status_code == 403
    assert refused.json()["error"] == "room_closed"
    assert stored_files(settings) == before
    assert (await nurse.get(f"/api/attachments/{made['id']}")).status_code == 200


async def test_non_members_former_members_and_admins_get_no_photo(
    world: World, sign_in: SignIn, sessionmaker: Any
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    for user in (world.outsider, world.former, world.admin):
        other = await sign_in(user)
        for path in (f"/api/attachments/{made['id']}", f"/api/attachments/{made['id']}/thumbnail"):
            answer = await other.get(path)
            assert answer.status_code == 404, (user.login_id, path)
            assert answer.json()["error"] == "attachment_not_found"
            assert answer.headers["content-type"].startswith("application/json")
        refused = await upload(other, world.room_id, photos.jpeg_with_gps((300, 200)))
        assert refused.status_code == 404
    unknown = await nurse.get(f"/api/attachments/{uuid.uuid4()}")
    assert unknown.status_code == 404
    async with sessionmaker() as session:
        views = await session.scalar(
            select(func.count()).where(AuditEvent.action == "attachment.view")
        )
        assert views == 0
        assert await session.scalar(select(func.count()).select_from(Attachment)) == 1


async def test_a_photo_of_a_deleted_post_is_no_longer_served(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await sign_in(world.writer)
    made = (await upload(nurse, world.room_id, photos.jpeg_with_gps())).json()
    post_id, _ = await add_post(
        sessionmaker, world.room_id, world.writer.id, "創部の写真", at=clock.now()
    )
    async with sessionmaker() as session:
        await session.execute(
            update(Attachment).where(Attachment.id == uuid.UUID(made["id"])).values(post_id=post_id)
        )
        await session.commit()
    assert (await nurse.get(f"/api/attachments/{made['id']}")).status_code == 200
    await change_post(sessionmaker, post_id, at=clock.now(), delete=True)
    assert (await nurse.get(f"/api/attachments/{made['id']}")).status_code == 404
    assert (await nurse.get(f"/api/attachments/{made['id']}/thumbnail")).status_code == 404
