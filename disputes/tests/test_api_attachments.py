"""Evidence uploads: judged by content, cleaned, limited, private, downloadable by parties."""

import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.test import override_settings
from PIL import Image, ImageFile

from core.tenancy import cross_tenant_scope
from disputes.models import Attachment, TimelineEvent
from disputes.services import attachments as attachment_services
from disputes.tests.samples import (
    GPS_TAG,
    SAMPLES,
    VIDEO_LOCATION,
    VIDEO_TITLE,
    gif_of_huge_frames,
    image_bytes,
    pdf_bytes,
    png_upload,
    upload,
    video_bytes,
    video_tags,
    video_with_garbage_body,
    video_with_garbage_frames,
)

URL = "/api/v1/disputes/"


def attach(client, dispute, file, **fields):
    return client.post(
        f"{URL}{dispute.pk}/attachments/", {"file": file, **fields}, format="multipart"
    )


def stored_count():
    with cross_tenant_scope(reason="test"):
        return Attachment.cross_tenant_objects.count(), TimelineEvent.cross_tenant_objects.filter(
            type="attachment"
        ).count()


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("caller", ["acme_agent", "shenzhen_agent"])
def test_every_accepted_type_is_stored_and_downloadable(world, disputes, name, caller):
    make, content_type, extension = SAMPLES[name]
    dispute = disputes.open()
    response = attach(world.client(caller), dispute, upload(name, make()))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "filename", "content_type", "size"}
    assert body["content_type"] == content_type
    assert body["filename"].endswith(extension)
    download = world.client("acme_viewer").get(f"/api/v1/attachments/{body['id']}/download/")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert len(content) == body["size"]
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    other_party = "shenzhen_agent" if caller == "acme_agent" else "acme_agent"
    assert (
        world.client(other_party).get(f"/api/v1/attachments/{body['id']}/download/").status_code
        == 200
    )


@pytest.mark.parametrize("caller", ["globex_owner", "yiwu_admin", None])
def test_only_parties_download(world, disputes, caller):
    dispute = disputes.open()
    attachment = attach(world.client("acme_agent"), dispute, png_upload()).json()
    response = world.client(caller).get(f"/api/v1/attachments/{attachment['id']}/download/")
    assert response.status_code == (401 if caller is None else 404)


def test_download_of_unknown_or_malformed_id_is_404(world):
    client = world.client("acme_agent")
    assert (
        client.get("/api/v1/attachments/00000000-0000-0000-0000-000000000000/download/").status_code
        == 404
    )
    assert client.get("/api/v1/attachments/nope/download/").status_code == 404


def test_download_ignores_the_accept_header(world, disputes):
    dispute = disputes.open()
    attachment = attach(world.client("acme_agent"), dispute, png_upload()).json()
    response = world.client("acme_agent").get(
        f"/api/v1/attachments/{attachment['id']}/download/", HTTP_ACCEPT="image/png"
    )
    assert response.status_code == 200


def test_image_metadata_and_gps_are_stripped(world, disputes):
    dispute = disputes.open()
    original = image_bytes("JPEG", size=(40, 20), exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_TAG)
    body = attach(world.client("acme_agent"), dispute, upload("gps.jpg", original)).json()
    download = world.client("acme_agent").get(f"/api/v1/attachments/{body['id']}/download/")
    stored = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    exif = stored.getexif()
    assert not exif.get_ifd(GPS_TAG)
    assert 0x010F not in exif  # the camera make is gone too
    # The orientation hint was applied before it was dropped: the picture is upright.
    assert stored.size == (20, 40)


@pytest.mark.parametrize("container", ["mp4", "mov"])
def test_video_metadata_and_position_are_stripped(world, disputes, container):
    dispute = disputes.open()
    original = video_bytes(container)
    assert {"location", "title"} <= {name.split("-")[0] for name in video_tags(original)}
    body = attach(world.client("acme_agent"), dispute, upload(f"clip.{container}", original))
    assert body.status_code == 201, body.json()
    download = world.client("acme_agent").get(f"/api/v1/attachments/{body.json()['id']}/download/")
    stored = b"".join(download.streaming_content)
    assert video_tags(stored).keys() <= {"major_brand", "minor_version", "compatible_brands"}
    assert VIDEO_LOCATION.encode() not in stored
    assert VIDEO_TITLE.encode() not in stored
    assert b"Lavf" not in stored  # not even the name of the tool that copied it
    # Still the same video: the streams were copied, not re-encoded.
    assert body.json()["size"] == len(stored) > len(original) // 2


def test_stored_names_are_ids_never_the_uploaders_name(world, disputes):
    dispute = disputes.open()
    name = "../../etc/passwd<script>.png"
    body = attach(world.client("acme_agent"), dispute, upload(name, image_bytes("PNG"))).json()
    assert body["filename"] == "passwd_script.png"
    with cross_tenant_scope(reason="test"):
        attachment = Attachment.cross_tenant_objects.get(pk=body["id"])
    assert attachment.file.name == (
        f"disputes/{dispute.merchant_id}/{dispute.pk}/{attachment.pk}.png"
    )
    assert default_storage.exists(attachment.file.name)


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("photo.jpg", b"<?php system($_GET['c']); ?>", 415),
        ("x.png", b"<!doctype html><html><script>alert(1)</script></html>", 415),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', 415),
        ("notes.txt", b"just text", 415),
        ("truncated.jpg", image_bytes("JPEG", size=(300, 300))[:400], 400),
        ("truncated.pdf", pdf_bytes()[:40], 400),
        ("header-only.mp4", video_with_garbage_body(), 400),
        ("noise-frames.mp4", video_with_garbage_frames(), 400),
        ("truncated.mp4", video_bytes()[: len(video_bytes()) // 2], 400),
        ("empty.png", b"", 400),
    ],
)
def test_forged_wrong_or_corrupt_files_are_refused(world, disputes, name, content, status):
    dispute = disputes.open()
    before = stored_count()
    response = attach(world.client("acme_agent"), dispute, upload(name, content, "image/jpeg"))
    assert response.status_code == status, response.json()
    assert response.json()["detail"]
    assert stored_count() == before


@override_settings(DISPUTE_ATTACHMENT_SIZE_LIMITS={"image": 1000})
def test_oversize_file_is_413(world, disputes):
    dispute = disputes.open()
    big = image_bytes("PNG", size=(400, 400))
    assert len(big) > 1000
    before = stored_count()
    response = attach(world.client("acme_agent"), dispute, upload("big.png", big))
    assert response.status_code == 413
    assert stored_count() == before


@pytest.mark.parametrize(
    ("frames", "side"),
    [
        (40, 3000),  # 360 million pixels in 940 bytes: the attack that exhausted memory
        (501, 4),  # few pixels, too many frames
    ],
)
def test_animation_too_large_in_all_is_refused_before_any_frame_is_decoded(
    world, disputes, monkeypatch, frames, side
):
    dispute = disputes.open()
    decoded = []
    original_load = ImageFile.ImageFile.load

    def counting_load(image):
        decoded.append(image.size)
        return original_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    before = stored_count()
    started = time.monotonic()
    response = attach(
        world.client("acme_agent"),
        dispute,
        upload("bomb.gif", gif_of_huge_frames(frames, side, side)),
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 413
    assert "animation" in response.json()["detail"]
    assert decoded == []
    assert stored_count() == before


def test_declared_length_beyond_any_limit_is_refused_before_reading(world, disputes):
    dispute = disputes.open()
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/attachments/",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_missing_file_is_400(world, disputes):
    dispute = disputes.open()
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/attachments/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_viewer_cannot_upload(world, disputes):
    dispute = disputes.open()
    before = stored_count()
    assert attach(world.client("acme_viewer"), dispute, png_upload()).status_code == 403
    assert stored_count() == before


def test_closed_dispute_refuses_uploads_and_stores_nothing(world, disputes):
    dispute = disputes.in_state("closed")
    before = stored_count()
    response = attach(world.client("acme_agent"), dispute, png_upload())
    assert response.status_code == 409
    assert stored_count() == before
    folder = f"disputes/{dispute.merchant_id}/{dispute.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


def test_a_file_whose_row_rolls_back_is_removed_from_storage(world, disputes, monkeypatch):
    dispute = disputes.open()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachment_services, "_record", fail)
    with pytest.raises(RuntimeError), disputes.acting("acme_agent") as actor:
        attachment_services.dispute_attachment_add(
            actor=actor, dispute=disputes.refresh(dispute), upload=png_upload()
        )
    folder = f"disputes/{dispute.merchant_id}/{dispute.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


def test_evidence_moves_an_awaiting_dispute_to_the_supplier(world, disputes):
    dispute = disputes.in_state("awaiting_evidence")
    client = world.client("acme_agent")
    # A PDF is not a photo of what arrived; the supplier's own photo does not count either.
    attach(client, dispute, upload("receipt.pdf", pdf_bytes()))
    attach(world.client("shenzhen_agent"), dispute, png_upload())
    attach(client, dispute, png_upload(), internal=True)
    assert disputes.refresh(dispute).status == "awaiting_evidence"
    attach(client, dispute, png_upload())
    dispute = disputes.refresh(dispute)
    assert dispute.status == "awaiting_supplier"
    assert dispute.respond_by is not None
    assert dispute.evidence_received_at is not None
    events = world.client("acme_agent").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert events[-1]["body"] == (
        "Evidence received: the supplier is asked to review it and respond."
    )
    assert events[-1]["author"]["party"] == "system"


def test_messages_carry_uploaded_attachments(world, disputes):
    dispute = disputes.open()
    client = world.client("shenzhen_agent")
    file_id = attach(client, dispute, png_upload("label.png")).json()["id"]
    response = client.post(
        f"{URL}{dispute.pk}/messages/",
        {"body": "Photo of the label", "attachments": [file_id]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["attachments"] == [
        {
            "id": file_id,
            "filename": "label.png",
            "content_type": "image/png",
            "size": pytest.approx(1, abs=10**9),
        }
    ]


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_messages_refuse_unknown_attachments(world, disputes, bad):
    dispute = disputes.open()
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/", {"body": "x", "attachments": [bad]}, format="json"
    )
    assert response.status_code == 400


def test_messages_refuse_another_disputes_attachment(world, disputes):
    dispute = disputes.open()
    other = disputes.open()
    file_id = attach(world.client("acme_agent"), other, png_upload()).json()["id"]
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/", {"body": "x", "attachments": [file_id]}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_message_is_400(world, disputes, body):
    dispute = disputes.open()
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/", {"body": body}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()


class SignedUrlStorage(Storage):
    """Stands in for S3: files kept in memory, no local path, URLs that carry their signing."""

    files: dict = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files

    def delete(self, name):
        self.files.pop(name, None)

    def size(self, name):
        return len(self.files[name])

    def url(self, name, parameters=None, expire=None, http_method=None):
        query = "&".join(f"{key}={value}" for key, value in sorted((parameters or {}).items()))
        return f"https://bucket.example/{name}?expire={expire}&{query}"


def test_remote_storage_answers_with_a_short_lived_signed_download(world, disputes):
    backend = f"{__name__}.SignedUrlStorage"
    storages = {
        "default": {"BACKEND": backend},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        dispute = disputes.open()
        body = attach(world.client("acme_agent"), dispute, png_upload("box.png")).json()
        response = world.client("shenzhen_agent").get(f"/api/v1/attachments/{body['id']}/download/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://bucket.example/disputes/")
    assert "expire=60" in location
    assert "ResponseContentDisposition=attachment;%20filename=%22box.png%22" in location
    assert "ResponseContentType=image/png" in location
