import hashlib
import ipaddress
import logging
import secrets

import pycountry
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import (
    MERCHANT_MANAGERS,
    ROLES_BY_KIND,
    ApiToken,
    AuditAction,
    AuditEntry,
    Membership,
    Organization,
    User,
    UserManager,
    validate_time_zone,
)
from accounts.selectors import api_token_hash, membership_list_for_user
from accounts.time_zones import default_time_zone
from core.api.throttling import CACHE_ERRORS
from core.errors import NotAuthenticated, PermissionDenied, TooManyRequests, ValidationFailed
from core.tenancy import cross_tenant_scope, organization_scope

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "rdr_"  # noqa: S105 — a marker that helps secret scanners, not a secret
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION_SECONDS = 60


def audit_record(
    *,
    action: str,
    organization: Organization | None,
    actor: Actor | None = None,
    user: User | None = None,
    request=None,
    target: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log: the one way every service writes it.

    `actor` is who acted; `user` stands in where no Actor exists (a sign-in). `request`
    gives the caller's address. `target` and `data` say what it was done to, never a secret.
    """
    user = user if user is not None else (actor.user if actor is not None else None)
    # Written in the scope of the organization it concerns, whoever acted (a sign-in has no
    # scope yet); an entry that concerns none (a failed sign-in) is the platform's.
    scope = (
        organization_scope(organization)
        if organization is not None
        else cross_tenant_scope(reason="audit entry of no organization")
    )
    with scope:
        return AuditEntry.objects.create(
            organization=organization,
            action=action,
            actor=user,
            actor_email=user.email if user is not None else "",
            actor_party=actor.party if actor is not None else "",
            ip_address=_address(request),
            target=target[:200],
            data=data or {},
        )


def _address(request) -> str | None:
    # The connecting address; a proxy's forwarded header is resolved (or not) before here.
    address = getattr(request, "META", {}).get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def audit_sign_in(*, request, account: User | None, email: str, succeeded: bool, channel: str):
    """A sign-in to `account` (None: no such e-mail), once for each of its organizations,
    so that their owners see it. Who tried is only known when it succeeded."""
    action = AuditAction.LOGIN_SUCCEEDED if succeeded else AuditAction.LOGIN_FAILED
    memberships = membership_list_for_user(user=account) if account is not None else []
    for organization in [m.organization for m in memberships] or [None]:
        audit_record(
            action=action,
            organization=organization,
            user=account if succeeded else None,
            request=request,
            target=email,
            data={"channel": channel},
        )


def user_create(*, email: str, password: str | None, name: str = "", **fields) -> User:
    return User.objects.create_user(email=email, password=password, name=name, **fields)


def organization_time_zone_for_new(*, country: str, time_zone: str = "") -> str:
    """The time zone a new organization gets: the one chosen, else its country's main one."""
    return time_zone or default_time_zone(country)


def organization_settings_update(
    *, actor: Actor, organization: Organization, country: str, time_zone: str
) -> Organization:
    """The merchant's owner or manager sets its country and time zone (its local dates)."""
    if not actor.is_merchant or actor.organization != organization:
        raise PermissionDenied()
    if actor.role not in MERCHANT_MANAGERS:
        raise PermissionDenied(_("Only the owner or a manager can change these settings."))
    errors = {}
    country = (country or "").strip().upper()
    if country and pycountry.countries.get(alpha_2=country) is None:
        errors["country"] = [_("Use an ISO 3166 alpha-2 code, e.g. DE.")]
    time_zone = (time_zone or "").strip()
    try:
        validate_time_zone(time_zone)
    except DjangoValidationError as error:
        errors["time_zone"] = list(error.messages)
    if errors:
        raise ValidationFailed(field_errors=errors)
    organization.country = country
    organization.time_zone = time_zone
    organization.save(update_fields=["country", "time_zone"])
    return organization


def membership_create(
    *, user: User, organization: Organization, role: str, actor: Actor | None = None
) -> Membership:
    if role not in ROLES_BY_KIND[organization.kind]:
        raise ValidationFailed(field_errors={"role": [_("This role does not exist here.")]})
    with transaction.atomic():
        before = Membership.objects.filter(user=user, organization=organization).first()
        membership, _created = Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        membership_audit(
            actor=actor, membership=membership, role_before=before.role if before else None
        )
    return membership


def membership_audit(
    *, actor: Actor | None, membership: Membership, role_before: str | None, removed=False
) -> None:
    """Record a membership added, re-roled or removed (by a service or an operator)."""
    if removed:
        action, data = AuditAction.MEMBER_REMOVED, {"role": membership.role}
    elif role_before is None:
        action, data = AuditAction.MEMBER_ADDED, {"role": membership.role}
    elif role_before != membership.role:
        action = AuditAction.MEMBER_ROLE_CHANGED
        data = {"role": membership.role, "role_before": role_before}
    else:
        return
    audit_record(
        action=action,
        organization=membership.organization,
        actor=actor,
        target=membership.user.email,
        data=data,
    )


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
    audit_sign_in(request=request, account=user, email=user.email, succeeded=True, channel="api")
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
    token, key = api_token_create(user=user, organization=membership.organization, request=request)
    return token, key, membership.role


def api_token_create(
    *, user: User, organization: Organization, request=None
) -> tuple[ApiToken, str]:
    """A new token for a member; the key is returned once and only its hash is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organization=organization,
            key_hash=api_token_hash(key),
            key_prefix=key[:10],
            expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
        )
        audit_record(
            action=AuditAction.TOKEN_ISSUED,
            organization=organization,
            user=user,
            request=request,
            target=f"{token.key_prefix}…",
            data={"token": str(token.pk)},
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: Actor | None = None, request=None) -> None:
    """Revoke a token; `actor` is who did (the token's user when None)."""
    with transaction.atomic():
        # Conditional: revoking twice keeps the first time.
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_record(
                action=AuditAction.TOKEN_REVOKED,
                organization=token.organization,
                actor=actor,
                user=None if actor is not None else token.user,
                request=request,
                target=f"{token.key_prefix}…",
                data={"token": str(token.pk)},
            )


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
