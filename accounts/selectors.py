import hashlib

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import ApiToken, AuditEntry, Membership, Organization


def api_token_hash(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is as safe as a slow one and costs nothing.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_get_usable(*, key: str) -> ApiToken | None:
    """The token for `key` if it is live and its user still belongs to the organization."""
    role = Membership.objects.filter(
        user_id=OuterRef("user_id"), organization_id=OuterRef("organization_id")
    ).values("role")[:1]
    token = (
        ApiToken.objects.select_related("user", "organization")
        .annotate(role=Subquery(role))
        .filter(
            key_hash=api_token_hash(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if token is None or token.role is None:
        return None
    return token


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
