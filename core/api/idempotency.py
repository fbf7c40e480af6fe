"""`Idempotency-Key` on POST: a retried request gets the first answer and changes nothing.

Keys belong to (organization, user). The first request reserves its key in a row before it
runs (its own short transaction, so a concurrent twin sees it at once) and stores its answer
after. Then, for the same key:

- same request (method, path and body) after a success → the stored answer, replayed,
  with `Idempotent-Replayed: true`;
- same request while the first is still running → 409;
- a different request → 422 (IETF draft-ietf-httpapi-idempotency-key-header).

Failed requests (4xx/5xx) changed nothing, so their reservation is dropped and the client
may retry the same key, corrected. Keys are kept 24 hours.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import Conflict, DomainError, ValidationFailed
from core.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
# A reservation older than this belongs to a request whose process died: take it over.
STALE_AFTER = timedelta(minutes=5)


class IdempotencyKeyReused(DomainError):
    status_code = 422
    default_message = _("This Idempotency-Key was already used for a different request.")


def idempotent(handler):
    """Wrap a bound POST handler of a ScopedAPIView (applied after authentication)."""

    @functools.wraps(handler)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > 255:
            raise ValidationFailed(_("The Idempotency-Key header must be 1 to 255 characters."))
        fingerprint = _fingerprint(request)
        record, replay = _reserve(request, key, fingerprint)
        if replay is not None:
            return replay
        try:
            response = handler(request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["response_status", "response_body"])
        else:
            record.delete()
        return response

    return wrapper


def _reserve(request, key: str, fingerprint: str):
    organization = request.auth.organization
    identity = {"organization": organization, "user": request.user, "key": key}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(**identity, request_hash=fingerprint), None
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(**identity).first()
        if existing is None:
            continue  # expired and deleted meanwhile: try again
        age = timezone.now() - existing.created_at
        if age > KEY_LIFETIME:
            IdempotentRequest.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        if existing.response_status is not None:
            return None, Response(
                existing.response_body,
                status=existing.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        if age > STALE_AFTER:
            # Conditional update: of two retries taking over the same stale key, one wins.
            taken = IdempotentRequest.objects.filter(
                pk=existing.pk, created_at=existing.created_at, response_status__isnull=True
            ).update(created_at=timezone.now())
            if taken:
                existing.refresh_from_db()
                return existing, None
        raise Conflict(_("A request with this Idempotency-Key is still being processed."))
    raise Conflict(_("A request with this Idempotency-Key is still being processed."))


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    files = request.FILES
    if hasattr(request.data, "getlist"):  # a form: every value of every field, files apart
        fields = {name: request.data.getlist(name) for name in request.data if name not in files}
    else:
        fields = request.data
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    for name in sorted(files):
        for upload in files.getlist(name):
            digest.update(f"\n{name}:{upload.name}:{upload.size}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()
