from django.conf import settings
from django.db import models
from django.utils import timezone

from core.ids import new_id


class IdempotentRequest(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed for repeats.

    Keyed by the caller (organization and user) rather than by a merchant: suppliers send
    keys too. Only ever read by (organization, user, key), so it needs no tenant scope.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organization = models.ForeignKey(
        settings.TENANT_ORGANIZATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still running.
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "key"], name="idempotent_request_unique"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age")]

    def __str__(self):
        return self.key
