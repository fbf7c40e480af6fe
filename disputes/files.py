"""What an uploaded evidence file really is, and a clean copy of it to store.

Judged by content (libmagic), never by the name or the browser's content type: a PHP script
named photo.jpg is text/x-php here. Images are decoded and re-encoded, which drops EXIF (GPS
position, camera serial numbers) and anything smuggled after the pixels; HEIC becomes JPEG
because browsers cannot show it. Videos are probed and copied without their metadata
(disputes.videos); PDFs are checked structurally. Both are only ever served as downloads,
never inline.
"""

import hashlib
import io
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass

import magic
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from disputes.videos import UnreadableVideo, clean_video

register_heif_opener()

MEGABYTE = 1024 * 1024
# The marketplaces' usual limits; an installation may override them in settings.
DEFAULT_SIZE_LIMITS = {"image": 20 * MEGABYTE, "video": 200 * MEGABYTE, "document": 20 * MEGABYTE}
# A 20 MB PNG can hold a billion blank pixels; decoding it would exhaust memory.
MAX_IMAGE_PIXELS = 60_000_000
# Every frame of an animation is decoded to the full canvas: a 300 KB GIF of 40 frames of
# 3000 x 3000 would take gigabytes. Both bounds are checked from the headers, before decoding.
MAX_ANIMATION_FRAMES = 500
MAX_ANIMATION_PIXELS = 40_000_000
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    kind: str  # image, video or document (AttachmentKind)
    extension: str
    # Pillow's format name to re-encode an image with; None for files kept as sent.
    image_format: str | None = None
    stored_as: str | None = None  # the content type once re-encoded, when it changes


ACCEPTED_TYPES: dict[str, FileType] = {
    "image/jpeg": FileType("image", ".jpg", "JPEG"),
    "image/png": FileType("image", ".png", "PNG"),
    "image/webp": FileType("image", ".webp", "WEBP"),
    "image/gif": FileType("image", ".gif", "GIF"),
    "image/heic": FileType("image", ".jpg", "JPEG", stored_as="image/jpeg"),
    "image/heif": FileType("image", ".jpg", "JPEG", stored_as="image/jpeg"),
    "video/mp4": FileType("video", ".mp4"),
    "video/quicktime": FileType("video", ".mov"),
    "application/pdf": FileType("document", ".pdf"),
}


@dataclass
class CleanFile:
    content: object  # a file object positioned at its start
    filename: str
    content_type: str
    kind: str
    size: int
    sha256: str


def size_limits() -> dict[str, int]:
    return {**DEFAULT_SIZE_LIMITS, **getattr(settings, "DISPUTE_ATTACHMENT_SIZE_LIMITS", {})}


def check_declared_size(size: int | None) -> None:
    """Refuse from the request's declared length alone, before anything is read."""
    largest = max(size_limits().values())
    if size is not None and size > largest + MEGABYTE:  # room for the other form fields
        raise PayloadTooLarge(
            _("Files may be at most %(megabytes)d MB.") % {"megabytes": largest // MEGABYTE}
        )


def clean_upload(upload) -> CleanFile:
    """Identify, limit and sanitise one uploaded file; raise 413/415/400 with a reason."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not head:
        raise ValidationFailed(field_errors={"file": [_("The file is empty.")]})
    sniffed = magic.from_buffer(head, mime=True)
    file_type = ACCEPTED_TYPES.get(sniffed)
    if file_type is None:
        raise UnsupportedMediaType(
            _(
                "Only photos (JPEG, PNG, WebP, HEIC, GIF), videos (MP4, MOV) and PDF "
                "documents are accepted; this file is %(type)s."
            )
            % {"type": sniffed}
        )
    limit = size_limits()[file_type.kind]
    if upload.size > limit:
        raise PayloadTooLarge(
            _("A file of this type may be at most %(megabytes)d MB.")
            % {"megabytes": limit // MEGABYTE}
        )
    if file_type.image_format:
        content = _reencoded_image(upload, file_type.image_format)
    elif file_type.kind == "video":
        try:
            content = clean_video(upload, sniffed)
        except UnreadableVideo as error:
            raise _corrupt() from error
    else:
        _check_pdf(upload, head)
        content = upload
    content_type = file_type.stored_as or sniffed
    return CleanFile(
        content=content,
        filename=clean_filename(getattr(upload, "name", "") or "", file_type.extension),
        content_type=content_type,
        kind=file_type.kind,
        size=_size_of(content),
        sha256=_sha256(content),
    )


def clean_filename(name: str, extension: str) -> str:
    """A name safe in a Content-Disposition header and a file system, with the TRUE extension."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/")
    stem = os.path.splitext(os.path.basename(name))[0]
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._-")[:80]
    return (stem or "file") + extension


def _corrupt() -> ValidationFailed:
    return ValidationFailed(
        field_errors={"file": [_("The file is damaged or incomplete and cannot be read.")]}
    )


def _reencoded_image(upload, image_format: str) -> io.BytesIO:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(
                    field_errors={"file": [_("The picture has too many pixels.")]}
                )
            # Counting frames reads their headers only; nothing is decoded yet.
            frames = getattr(image, "n_frames", 1)
            _check_animation_size(image.width * image.height, frames)
            image.load()  # a truncated file fails here, not later in a page
            if image_format == "GIF" and frames > 1:
                return _reencoded_animation(image)
            # Camera photos are often stored sideways with an EXIF hint; apply it before
            # the EXIF block is dropped, or the picture would turn.
            image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise _corrupt() from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationFailed(
            field_errors={"file": [_("The picture has too many pixels.")]}
        ) from error
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A fresh info dict: nothing of the original's metadata (EXIF, XMP, ICC comments,
    # PNG text chunks) is handed to the encoder.
    image.info = {}
    output = io.BytesIO()
    options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
    image.save(output, image_format, **options)
    output.seek(0)
    return output


def _check_animation_size(frame_pixels: int, frames: int) -> None:
    if frames > MAX_ANIMATION_FRAMES or frame_pixels * frames > MAX_ANIMATION_PIXELS:
        raise PayloadTooLarge(
            _(
                "The animation is too large: at most %(frames)d frames and %(megapixels)d "
                "million pixels in all frames together."
            )
            % {"frames": MAX_ANIMATION_FRAMES, "megapixels": MAX_ANIMATION_PIXELS // 1_000_000}
        )


def _reencoded_animation(image) -> io.BytesIO:
    frames = []
    durations = []
    for index in range(image.n_frames):
        image.seek(index)
        durations.append(image.info.get("duration", 100))
        frames.append(image.convert("RGBA"))
    output = io.BytesIO()
    frames[0].save(
        output, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0
    )
    output.seek(0)
    return output


def _check_pdf(upload, head: bytes) -> None:
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    # A PDF ends with %%EOF; a cut-off upload does not.
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise _corrupt()


def _size_of(content) -> int:
    if isinstance(content, io.BytesIO):
        return len(content.getbuffer())
    return content.size


def _sha256(content) -> str:
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in iter(lambda: content.read(1024 * 1024), b""):
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()
