"""Small real files of every accepted type, and forged ones, made on the fly."""

import functools
import io
import json
import random
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

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


# Where the recording was made, as a phone writes it: what must not reach the other party.
VIDEO_LOCATION = "+48.8577+002.2950/"
VIDEO_TITLE = "Holiday at home of J. Smith"


@functools.cache
def video_bytes(container: str = "mp4") -> bytes:
    """Half a second of ffmpeg's test pattern and a tone, with a position and a title."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"sample.{container}"
        subprocess.run(
            [
                shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-nostdin",
                "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
                "-t", "0.5", "-c:v", "mpeg4", "-c:a", "aac",
                "-metadata", f"location={VIDEO_LOCATION}", "-metadata", f"title={VIDEO_TITLE}",
                "-f", container, str(path),
            ],
            check=True,
        )  # fmt: skip
        return path.read_bytes()


def video_tags(content: bytes) -> dict:
    """The container's metadata as ffprobe reads it."""
    with tempfile.NamedTemporaryFile() as file:
        file.write(content)
        file.flush()
        probe = subprocess.run(
            [
                shutil.which("ffprobe") or "ffprobe", "-v", "error", "-of", "json",
                "-show_entries", "format_tags", file.name,
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return json.loads(probe.stdout)["format"].get("tags", {})


def video_with_garbage_body() -> bytes:
    """A true MP4 header (ftyp) over bytes that are no video at all."""
    header = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    return header + _box(b"free", b"") + _box(b"mdat", bytes(range(256)) * 40)


def video_with_garbage_frames() -> bytes:
    """A real MP4's index (moov first) over a media box overwritten with noise."""
    original = video_bytes("mp4")
    with tempfile.TemporaryDirectory() as folder:
        source, indexed = Path(folder) / "in.mp4", Path(folder) / "out.mp4"
        source.write_bytes(original)
        subprocess.run(
            [
                shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-nostdin", "-i", str(source),
                "-c", "copy", "-movflags", "+faststart", str(indexed),
            ],
            check=True,
        )  # fmt: skip
        content = bytearray(indexed.read_bytes())
    media = content.index(b"mdat") + 4
    content[media:] = random.Random(9).randbytes(len(content) - media)
    return bytes(content)


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
    "unboxing.mp4": (video_bytes, "video/mp4", ".mp4"),
    "unboxing.mov": (lambda: video_bytes("mov"), "video/quicktime", ".mov"),
    "invoice.pdf": (pdf_bytes, "application/pdf", ".pdf"),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_upload(name="photo.png"):
    return upload(name, image_bytes("PNG"), "image/png")
