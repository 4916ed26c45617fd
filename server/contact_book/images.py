"""Turn an uploaded photo into bytes that are safe to keep and to serve (SECURITY.md 26).

Wound photos are taken in the patient's home: the camera's EXIF carries the GPS
position of that home, so nothing of the original file is kept. The type is
decided by the bytes (magic number, then a full Pillow decode), never by the name
or the declared content type; the pixels are decoded, turned upright by the EXIF
orientation, brought to sRGB and encoded afresh without any metadata. A file that
is also a web page (a polyglot), an SVG, a truncated image or a decompression bomb
is refused. Pure functions, CPU-bound: callers run them in a worker thread.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 50 megapixels: more than a 48 MP phone camera, far less than a bomb's billions.
MAX_PIXELS = 50_000_000
# Pillow refuses to open anything above twice this with DecompressionBombError.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
THUMBNAIL_EDGE = 320

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_ISO_BMFF_IMAGE_BRANDS = {
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
    b"mif1", b"msf1", b"avif", b"avis",
}  # fmt: skip
# Markup that makes a file readable as a web page. Long tokens only, so that the
# chance of meeting one by accident in compressed image data is negligible.
_MARKUP = (b"<script", b"<!doctype", b"<html>", b"<html ", b"<iframe", b"javascript:")
# Decoding a 50 MP photo takes ~150 MB: at most two decodes at a time per process.
_DECODE_SLOTS = threading.BoundedSemaphore(2)


class UnsupportedImage(DomainError):
    status_code = 415
    code = "unsupported_image"
    message_ja = "JPEG・PNG・WebP の写真のみ送信できます。"
    message_en = "Only JPEG, PNG and WebP photos can be sent."


class DamagedImage(DomainError):
    status_code = 400
    code = "damaged_image"
    message_ja = "画像が壊れているか、途中までしかありません。撮り直すか別の写真を選んでください。"
    message_en = "The image is damaged or incomplete. Please take it again or choose another."


class ImageTooLarge(DomainError):
    status_code = 413
    code = "image_too_large"
    message_ja = "写真が大きすぎます（10 MB まで）。"
    message_en = "The photo is too large (10 MB at most)."


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes  # always JPEG


def sniff(head: bytes) -> str | None:
    """The Pillow format name the magic number announces, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_BMFF_IMAGE_BRANDS:
        return "HEIF"
    return None


def _refuse_heif() -> UnsupportedImage:
    return UnsupportedImage(
        "HEIC/HEIF 形式の写真はこのサーバーでは読み込めません。"
        "アプリから撮影・選択すると自動で JPEG に変換されます。",
        "HEIC/HEIF photos cannot be read by this server. Photos taken or chosen in the app "
        "are converted to JPEG automatically.",
        code="heic_unsupported",
    )


def _to_srgb(img: Image.Image) -> Image.Image:
    """Bake an embedded colour profile into the pixels, so dropping it keeps the colours."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in {"RGB", "RGBA", "CMYK"}:
        return img
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if img.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(img, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return img  # a broken profile: keep the pixels as they are
    return converted if converted is not None else img


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in img.info


def _for_format(img: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return img if img.mode in {"L", "RGB"} else img.convert("RGB")
    keep = {"L", "LA", "RGB", "RGBA"} if fmt == "PNG" else {"RGB", "RGBA"}
    if img.mode in keep:
        return img
    return img.convert("RGBA" if _has_alpha(img) else "RGB")


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=90)
    elif fmt == "PNG":
        img.save(out, "PNG")
    else:
        img.save(out, "WEBP", quality=90)
    return out.getvalue()


def _thumbnail(img: Image.Image) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    if thumb.mode != "RGB":
        rgba = thumb.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        thumb = flat
    thumb.info = {}
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()


def _decode(raw: bytes, fmt: str) -> Image.Image:
    """Decode every pixel of the first frame, upright and in sRGB, with no metadata left."""
    try:
        with Image.open(io.BytesIO(raw), formats=[fmt]) as img:
            if img.width < 1 or img.height < 1:
                raise DamagedImage()
            if img.width * img.height > MAX_PIXELS:
                raise ImageTooLarge(
                    "写真の画素数が多すぎます（5000 万画素まで）。",
                    "The photo has too many pixels (50 megapixels at most).",
                    code="image_too_many_pixels",
                )
            img.load()
            try:
                upright = ImageOps.exif_transpose(img)
            except Exception:  # a malformed EXIF block must not cost the photo
                upright = img.copy()
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(
            "写真の画素数が多すぎます（5000 万画素まで）。",
            "The photo has too many pixels (50 megapixels at most).",
            code="image_too_many_pixels",
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedImage() from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise DamagedImage() from exc
    clean = _to_srgb(upright)
    clean = _for_format(clean, fmt)
    # Nothing of the original's metadata survives: no EXIF/GPS, XMP, comments, ICC, text chunks.
    clean.info = {}
    return clean


def sanitize(raw: bytes) -> CleanImage:
    """Check an upload by content and re-encode it without metadata, plus a JPEG thumbnail."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ImageTooLarge()
    fmt = sniff(raw[:16])
    if fmt == "HEIF":
        raise _refuse_heif()
    if fmt is None:
        raise UnsupportedImage()
    if any(token in raw.lower() for token in _MARKUP):
        raise UnsupportedImage(
            "写真の中にウェブページの内容が含まれているため受け付けられません。",
            "The file also contains web page content and is refused.",
            code="image_polyglot",
        )
    with _DECODE_SLOTS:
        img = _decode(raw, fmt)
        data = _encode(img, fmt)
        thumbnail = _thumbnail(img)
    return CleanImage(
        data=data,
        content_type=CONTENT_TYPES[fmt],
        width=img.width,
        height=img.height,
        thumbnail=thumbnail,
    )
