import secrets

import pycountry
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import (
    MERCHANT_MANAGERS,
    ROLES_BY_KIND,
    ApiToken,
    Membership,
    Organization,
    User,
    validate_time_zone,
)
from accounts.selectors import api_token_hash, membership_list_for_user
from accounts.time_zones import default_time_zone
from core.errors import NotAuthenticated, PermissionDenied, TooManyRequests, ValidationFailed

TOKEN_PREFIX = "rdr_"  # noqa: S105 — a marker that helps secret scanners, not a secret
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION_SECONDS = 60


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
