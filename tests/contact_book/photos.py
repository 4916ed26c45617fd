"""Photos and forgeries for the upload tests, made in memory."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageCms, PngImagePlugin
from PIL.ExifTags import GPS, IFD, Base

SECRET_COMMENT = b"Aoki home, 3-2-1 Midori-cho"
CAMERA_MAKE = "CarebookTestCam"


def _noisy(size: tuple[int, int], seed: int = 7) -> Image.Image:
    """Left half red, right half blue, with noise so the JPEG is photo-sized."""
    width, height = size
    rnd = random.Random(seed)
    img = Image.new("RGB", size)
    noise = bytes(rnd.getrandbits(8) for _ in range(width * height))
    grain = Image.frombytes("L", size, noise)
    red = Image.new("RGB", (width // 2, height), (220, 30, 30))
    blue = Image.new("RGB", (width - width // 2, height), (30, 30, 220))
    img.paste(red, (0, 0))
    img.paste(blue, (width // 2, 0))
    return Image.blend(img, Image.merge("RGB", (grain, grain, grain)), 0.15)


def jpeg_with_gps(size: tuple[int, int] = (600, 400), orientation: int = 6) -> bytes:
    """A camera-like JPEG: EXIF orientation, GPS position, make, a comment and XMP."""
    img = _noisy(size)
    exif = img.getexif()
    exif[Base.Orientation] = orientation
    exif[Base.Make] = CAMERA_MAKE
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = (35.0, 40.0, 12.5)
    gps[GPS.GPSLongitudeRef] = "E"
    gps[GPS.GPSLongitude] = (139.0, 45.0, 3.25)
    gps[GPS.GPSMapDatum] = "WGS-84"
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'exif:GPSLatitude="35,40.2N" exif:GPSLongitude="139,45.1E"/></rdf:RDF></x:xmpmeta>'
    )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=exif, comment=SECRET_COMMENT, xmp=xmp)
    return out.getvalue()


def jpeg_with_icc(size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG carrying an ICC colour profile (here sRGB's own), as phone cameras embed one."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    _noisy(size).save(out, "JPEG", quality=90, icc_profile=profile)
    return out.getvalue()


def png_with_text(size: tuple[int, int] = (500, 300)) -> bytes:
    img = _noisy(size).convert("RGBA")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET_COMMENT.decode())
    info.add_text("GPSPosition", "35.67 N, 139.75 E")
    out = io.BytesIO()
    img.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp(size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    _noisy(size).save(out, "WEBP", quality=80)
    return out.getvalue()


HTML_AS_JPEG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def polyglot() -> bytes:
    """A real JPEG that is also a web page: HTML after the end-of-image marker."""
    return jpeg_with_gps((200, 100)) + b"<html><script>fetch('/api/me')</script></html>"


def truncated_jpeg() -> bytes:
    whole = jpeg_with_gps((800, 600))
    return whole[: len(whole) // 2]


def heic_header() -> bytes:
    """The start of an iPhone HEIC file (ISO-BMFF `ftyp` box with the `heic` brand)."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge canvas and carries almost no data: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
