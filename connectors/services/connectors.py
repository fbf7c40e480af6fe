"""Connectors, their signing secrets and supplier mappings: the merchant owner's to change."""

import re
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from connectors import crypto, queue
from connectors.models import (
    Connector,
    ConnectorEvent,
    EventResult,
    MatchKind,
    Platform,
    SupplierMapping,
)
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.tenancy import organization_scope
from suppliers.selectors import supplier_get_for_merchant

SECRET_MIN_LENGTH = 8
SECRET_MAX_LENGTH = 500
SHOPIFY_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
MAPPING_VALUE_MAX_LENGTH = SupplierMapping._meta.get_field("value").max_length


def _require_owner(actor: Actor):
    if not actor.is_merchant or not actor.is_owner or actor.organization is None:
        raise PermissionDenied(_("Only the shop's owner manages its connectors."))
    return actor.organization


def _check_secret(secret) -> str:
    if not isinstance(secret, str) or not secret.strip():
        raise ValidationFailed(field_errors={"secret": [_("This field is required.")]})
    secret = secret.strip()
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        raise ValidationFailed(
            field_errors={
                "secret": [
                    _("Paste the shop's signing secret (%(min)d to %(max)d characters).")
                    % {"min": SECRET_MIN_LENGTH, "max": SECRET_MAX_LENGTH}
                ]
            }
        )
    return secret


def normalise_shop(platform: str, shop) -> str:
    """Shopify: the shop's myshopify.com domain; WooCommerce: the site's https base URL."""
    if not isinstance(shop, str) or not shop.strip():
        raise ValidationFailed(field_errors={"shop": [_("This field is required.")]})
    text = shop.strip()
    if platform == Platform.SHOPIFY:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
        if not SHOPIFY_DOMAIN.fullmatch(host):
            raise ValidationFailed(
                field_errors={"shop": [_("Enter the shop's domain, e.g. acme.myshopify.com.")]}
            )
        return host
    parts = urlsplit(text if "//" in text else f"https://{text}")
    if parts.scheme not in ("http", "https") or not parts.hostname or len(text) > 255:
        raise ValidationFailed(
            field_errors={"shop": [_("Enter the shop's address, e.g. https://shop.example.com.")]}
        )
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _linked_supplier(slug, field: str):
    if not isinstance(slug, str) or not slug.strip():
        raise ValidationFailed(field_errors={field: [_("This field is required.")]})
    supplier = supplier_get_for_merchant(slug=slug.strip())
    if supplier is None:
        raise ValidationFailed(
            field_errors={
                field: [
                    _("No supplier linked to this shop has the slug “%(slug)s”.") % {"slug": slug}
                ]
            }
        )
    return supplier


def connector_create(
    *, actor: Actor, platform, shop, secret, default_supplier: str | None = None
) -> Connector:
    merchant = _require_owner(actor)
    if platform not in Platform.values:
        raise ValidationFailed(field_errors={"platform": [_("Choose shopify or woocommerce.")]})
    shop = normalise_shop(platform, shop)
    secret = _check_secret(secret)
    with organization_scope(merchant):
        supplier = (
            _linked_supplier(default_supplier, "default_supplier") if default_supplier else None
        )
        try:
            with transaction.atomic():
                return Connector.objects.create(
                    merchant=merchant,
                    platform=platform,
                    shop=shop,
                    secret_encrypted=crypto.encrypt(secret),
                    default_supplier=supplier,
                    created_by=actor.user,
                )
        except IntegrityError as error:
            raise Conflict(
                _("This shop is already connected."),
                field_errors={"shop": [_("This shop is already connected.")]},
            ) from error


def connector_secret_rotate(*, actor: Actor, connector: Connector, secret) -> Connector:
    """Replace the signing secret. Deliveries signed with the old one are refused from now on;
    the shops retry refused deliveries for hours, so pasting the new secret soon after
    changing it in the shop loses nothing."""
    _require_owner(actor)
    secret = _check_secret(secret)
    connector.secret_encrypted = crypto.encrypt(secret)
    connector.secret_rotated_at = timezone.now()
    connector.save(update_fields=["secret_encrypted", "secret_rotated_at"])
    return connector


def supplier_mapping_create(
    *, actor: Actor, connector: Connector, match, value, supplier
) -> SupplierMapping:
    """Add a mapping; deliveries waiting for a supplier are processed again after commit."""
    merchant = _require_owner(actor)
    if match not in MatchKind.values:
        raise ValidationFailed(field_errors={"match": [_("Choose sku, sku_prefix or vendor.")]})
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(field_errors={"value": [_("This field is required.")]})
    value = value.strip()
    if len(value) > MAPPING_VALUE_MAX_LENGTH:
        raise ValidationFailed(
            field_errors={
                "value": [_("At most %(limit)d characters.") % {"limit": MAPPING_VALUE_MAX_LENGTH}]
            }
        )
    with organization_scope(merchant):
        linked = _linked_supplier(supplier, "supplier")
        try:
            with transaction.atomic():
                mapping = SupplierMapping.objects.create(
                    merchant=merchant,
                    connector=connector,
                    match=match,
                    value=value,
                    supplier=linked,
                )
                transaction.on_commit(lambda: queue.enqueue_waiting(connector.pk))
        except IntegrityError as error:
            raise Conflict(
                _("This mapping exists already."),
                field_errors={"value": [_("This mapping exists already.")]},
            ) from error
    return mapping


def connector_event_retry(*, actor: Actor, event: ConnectorEvent) -> ConnectorEvent:
    """Process a failed delivery again (after fixing what its detail says)."""
    _require_owner(actor)
    if event.result != EventResult.FAILED:
        raise Conflict(_("Only a failed delivery can be processed again."))
    transaction.on_commit(lambda: queue.enqueue_event(event.pk, force=True))
    return event
