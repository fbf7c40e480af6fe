"""Serving a stored attachment to someone already found to be a party of its dispute.

Files are never under a public URL. Local storage streams through the view; S3-compatible
storage answers with a redirect to a signed URL that lives a minute. Either way the file
comes as a download (`Content-Disposition: attachment`) with the content type libmagic
found, `nosniff`, and a sandboxing CSP, so an uploaded file never runs as a page of ours.
Only images this server re-encoded may be shown inline (the dashboard's previews).
"""

from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from disputes.models import Attachment

SIGNED_URL_SECONDS = 60


def _is_local(storage) -> bool:
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True


def attachment_response(attachment: Attachment, *, inline: bool = False):
    inline = inline and attachment.is_previewable
    storage = attachment.file.storage
    disposition = content_disposition_header(not inline, attachment.filename)
    if not _is_local(storage):
        url = storage.url(
            attachment.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": attachment.content_type,
            },
            expire=SIGNED_URL_SECONDS,
        )
        return HttpResponseRedirect(url)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
