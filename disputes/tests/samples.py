"""Small real files of every accepted type, and forged ones, made on the fly."""

import io
import struct

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_TAG = 0x8825


def image_bytes(image_format: str, size=(24, 16), colour=(200, 30, 30), exif=False) -> bytes:
    output = io.BytesIO()
    image = Image.new("RGB", size, colour)
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # camera make
        data[0x0112] = 6  # orientation: rotate 90° when shown
        data.get_ifd(GPS_TAG)[2] = (48.0, 51.0, 29.0)  # latitude
        data.get_ifd(GPS_TAG)[1] = "N"
        options["exif"] = data
    image.save(output, image_format, **options)
    return output.getvalue()


def gif_animation() -> bytes:
    output = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return output.getvalue()


def gif_of_huge_frames(frames: int, width: int, height: int) -> bytes:
    """A tiny GIF whose every frame is a width x height canvas: bytes few, pixels many.

    Written by hand, a one-pixel image per frame on a huge logical screen, because an
    encoder would need the full frames in memory to make it, which is what it attacks.
    """
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # 2-colour table
    palette = b"\x00\x00\x00\xff\xff\xff"
    body = b""
    for index in range(frames):
        control = b"\x21\xf9\x04\x00" + struct.pack("<H", 10) + b"\x00\x00"
        left, top = index % width, index // width
        descriptor = b"\x2c" + struct.pack("<HHHHB", left, top, 1, 1, 0)
        # LZW, minimum code size 2: clear (4), colour 0, end (5) in 3-bit codes.
        pixels = b"\x02\x02\x44\x01\x00"
        body += control + descriptor + pixels
    return header + palette + body + b"\x3b"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes() -> bytes:
    return (
        _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
        + _box(b"free", b"")
        + _box(b"mdat", b"\0" * 64)
    )


def mov_bytes() -> bytes:
    return _box(b"ftyp", b"qt  " + struct.pack(">I", 0) + b"qt  ") + _box(b"moov", b"\0" * 16)


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


SAMPLES = {
    # name: (bytes factory, expected stored content type, expected extension)
    "photo.jpg": (lambda: image_bytes("JPEG"), "image/jpeg", ".jpg"),
    "photo.png": (lambda: image_bytes("PNG"), "image/png", ".png"),
    "photo.webp": (lambda: image_bytes("WEBP"), "image/webp", ".webp"),
    "photo.gif": (gif_animation, "image/gif", ".gif"),
    "IMG_0001.HEIC": (lambda: image_bytes("HEIF"), "image/jpeg", ".jpg"),
    "unboxing.mp4": (mp4_bytes, "video/mp4", ".mp4"),
    "unboxing.mov": (mov_bytes, "video/quicktime", ".mov"),
    "invoice.pdf": (pdf_bytes, "application/pdf", ".pdf"),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_upload(name="photo.png"):
    return upload(name, image_bytes("PNG"), "image/png")
