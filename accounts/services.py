import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    ROLES_BY_KIND,
    ApiToken,
    Membership,
    Organization,
    User,
    UserManager,
)
from accounts.selectors import api_token_hash, membership_list_for_user
from core.api.throttling import CACHE_ERRORS
from core.errors import NotAuthenticated, TooManyRequests, ValidationFailed

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "rdr_"  # noqa: S105 — a marker that helps secret scanners, not a secret
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION_SECONDS = 60


def user_create(*, email: str, password: str | None, name: str = "", **fields) -> User:
    return User.objects.create_user(email=email, password=password, name=name, **fields)


def membership_create(*, user: User, organization: Organization, role: str) -> Membership:
    if role not in ROLES_BY_KIND[organization.kind]:
        raise ValidationFailed(field_errors={"role": [_("This role does not exist here.")]})
    membership, _created = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


def user_authenticate(*, request, email: str, password: str) -> User:
    user = authenticate(request=request, username=email, password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyRequests(_("Too many failed logins. Try again in 15 minutes."))
    if user is None:
        raise NotAuthenticated(_("E-mail or password is wrong."))
    return user


def password_reset_count_request(*, address: str, email: str) -> None:
    """Count one password-reset request; raise TooManyRequests past an hourly limit.

    Counted per requesting address (one client mailing many people) and per e-mail asked for
    (many clients mailing one person), whether or not an account uses that e-mail, so that
    the answer tells nothing about who has an account.
    """
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_SECONDS
    account = hashlib.sha256(UserManager.normalize_email(email).encode()).hexdigest()
    for key, limit in (
        (f"password-reset:address:{address}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
        (f"password-reset:account:{account}", settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT),
    ):
        if _count_in_window(key, window) > limit:
            raise TooManyRequests(_("Too many password reset requests. Try again in an hour."))


def _count_in_window(key: str, window: int) -> int:
    try:
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=window)
            return 1
    except CACHE_ERRORS:
        # People locked out of their account must still be able to get back in.
        logger.warning("Password reset limit skipped: the cache is unreachable", exc_info=True)
        return 0


def api_token_issue(
    *, request, email: str, password: str, organization_slug: str | None
) -> tuple[ApiToken, str, str]:
    """Check the credentials and pick the organization; returns (token, key, role).

    The key is returned once and never stored: only its hash is.
    """
    user = user_authenticate(request=request, email=email, password=password)
    memberships = membership_list_for_user(user=user)
    if organization_slug:
        memberships = [m for m in memberships if m.organization.slug == organization_slug]
        if not memberships:
            raise ValidationFailed(
                field_errors={"organization": [_("You are not a member of this organization.")]}
            )
    elif len(memberships) > 1:
        slugs = ", ".join(m.organization.slug for m in memberships)
        raise ValidationFailed(
            _("You belong to several organizations: name one."),
            field_errors={"organization": [_("Name one of: %(slugs)s.") % {"slugs": slugs}]},
        )
    elif not memberships:
        raise ValidationFailed(_("You are not a member of any organization."))
    membership = memberships[0]
    token, key = api_token_create(user=user, organization=membership.organization)
    return token, key, membership.role


def api_token_create(*, user: User, organization: Organization) -> tuple[ApiToken, str]:
    """A new token for a member; the key is returned once and only its hash is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organization=organization,
        key_hash=api_token_hash(key),
        key_prefix=key[:10],
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    # Conditional: revoking twice keeps the first time.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_record_use(*, token: ApiToken) -> None:
    now = timezone.now()
    last_used_at = token.last_used_at
    if last_used_at and (now - last_used_at).total_seconds() < LAST_USED_RESOLUTION_SECONDS:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def organization_verify(*, organization: Organization) -> None:
    if organization.verified:
        return
    organization.verified = True
    organization.verified_at = timezone.now()
    organization.save(update_fields=["verified", "verified_at"])


@transaction.atomic
def organization_unverify(*, organization: Organization) -> None:
    organization.verified = False
    organization.verified_at = None
    organization.save(update_fields=["verified", "verified_at"])
