import hashlib

from django.db.models import F
from django.utils import timezone

from accounts.models import ApiToken, AuditEntry, Membership, Organization


def api_token_hash(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is as safe as a slow one and costs nothing.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_get_usable(*, key: str) -> ApiToken | None:
    """The token for `key` if it is live and its user still belongs to the organization
    (`token.role`: the user's role there)."""
    # Every API request runs this: one join to the membership (unique per user and
    # organization; the annotation reuses the filter's join) and no ordering (the hash is
    # unique) cost less to compile than a subquery and `.first()`.
    tokens = (
        ApiToken.objects.select_related("user", "organization")
        .filter(
            key_hash=api_token_hash(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
            user__memberships__organization_id=F("organization_id"),
        )
        .annotate(role=F("user__memberships__role"))
    )
    return next(iter(tokens[:1]), None)


def membership_list_for_user(*, user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def organization_get_for_member(*, user, slug: str) -> tuple[Organization, str] | None:
    membership = (
        Membership.objects.filter(user=user, organization__slug=slug)
        .select_related("organization")
        .first()
    )
    return (membership.organization, membership.role) if membership else None


def audit_entry_list():
    """The audit log of the organization in scope, newest first (the tenant manager filters)."""
    return AuditEntry.objects.order_by("-id")
