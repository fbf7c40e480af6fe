"""An uploaded video checked by what it holds, and a copy of it without its metadata.

Debian's ffmpeg does the work (installed by scripts/common.sh and the Dockerfile): ffprobe
reads the container, ffmpeg decodes the first frame (a right header over a garbage body
fails there) and copies the audio and video streams, untouched, into a fresh container
with no metadata: no GPS position, recording device or title, as with photos.
"""

import json
import shutil
import subprocess
import tempfile

from django.core.exceptions import ImproperlyConfigured
from django.core.files import File

# The container each accepted content type is written back as.
CONTAINERS = {"video/mp4": "mp4", "video/quicktime": "mov"}
# ffprobe's name for the ISO base media demuxer, which reads both.
ISO_MEDIA_FORMATS = {"mov", "mp4"}
PROBE_SECONDS = 30
# A stream copy of the largest accepted video (200 MB) takes seconds; a margin for slow disks.
COPY_SECONDS = 180


class UnreadableVideo(Exception):
    """The file is not a whole, playable MP4 or QuickTime video."""


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ImproperlyConfigured(
            f"{name} is missing: install Debian's ffmpeg package (scripts/quickstart does)."
        )
    return path


def clean_video(upload, content_type: str) -> File:
    """A metadata-free copy of the upload, or UnreadableVideo."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as original:
        for chunk in upload.chunks():
            original.write(chunk)
        original.flush()
        upload.seek(0)
        _check_playable(original.name)
        return _copied_without_metadata(original.name, CONTAINERS[content_type])


def _run(arguments: list[str], timeout: int) -> subprocess.CompletedProcess:
    try:
        # A fixed program and arguments, no shell: the upload is only ever a file name.
        return subprocess.run(  # noqa: S603
            arguments, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as error:
        raise UnreadableVideo from error


def _check_playable(path: str) -> None:
    probe = _run(
        [
            tool("ffprobe"), "-v", "error", "-of", "json",
            "-show_entries", "format=format_name,duration:stream=codec_type", path,
        ],
        PROBE_SECONDS,
    )  # fmt: skip
    if probe.returncode != 0:
        raise UnreadableVideo
    try:
        found = json.loads(probe.stdout)
        formats = set(found["format"]["format_name"].split(","))
        duration = float(found["format"]["duration"])
    except (ValueError, KeyError, TypeError) as error:
        raise UnreadableVideo from error
    has_video = any(stream.get("codec_type") == "video" for stream in found.get("streams", []))
    if not (formats & ISO_MEDIA_FORMATS and has_video and duration > 0):
        raise UnreadableVideo
    first_frame = _run(
        [
            tool("ffmpeg"), "-v", "error", "-xerror", "-nostdin", "-i", path,
            "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-",
        ],
        PROBE_SECONDS,
    )  # fmt: skip
    if first_frame.returncode != 0:
        raise UnreadableVideo


def _copied_without_metadata(path: str, container: str) -> File:
    copy = tempfile.NamedTemporaryFile(suffix=f".{container}")  # noqa: SIM115 — handed on, open
    result = _run(
        [
            tool("ffmpeg"), "-v", "error", "-nostdin", "-y", "-i", path,
            # Pictures and sound only: subtitle and data tracks can carry positions too.
            "-map", "0:v", "-map", "0:a?",
            "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy",
            # No encoder names either, and the index first so that a download plays at once.
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart", "-f", container, copy.name,
        ],
        COPY_SECONDS,
    )  # fmt: skip
    if result.returncode != 0:
        copy.close()
        raise UnreadableVideo
    copy.seek(0)
    return File(copy, name=copy.name)
