"""A shop's delivery arrives: verified, de-duplicated, stored and queued, nothing more.

The shops wait a few seconds for the answer and retry otherwise, so the request does only
what must happen before "200": the signature is checked over the raw bytes before anything
is parsed or stored, the delivery id is inserted under a unique key (a retried delivery
finds it and changes nothing), and processing is queued after the commit.
"""

import base64
import enum
import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from connectors import crypto, queue
from connectors.models import Connector, ConnectorEvent, Platform
from core.errors import NotAuthenticated
from core.tenancy import organization_scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlatformHeaders:
    signature: str
    topic: str
    delivery_id: str


HEADERS = {
    Platform.SHOPIFY: PlatformHeaders(
        "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id"
    ),
    Platform.WOOCOMMERCE: PlatformHeaders(
        "X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID"
    ),
}
# WooCommerce checks a new webhook's URL with an unsigned form post of its id, and refuses
# to save the webhook unless the answer is 2xx.
WOOCOMMERCE_PING = re.compile(rb"webhook_id=\d{1,20}")
TOPIC_MAX_LENGTH = ConnectorEvent._meta.get_field("topic").max_length
DELIVERY_ID_MAX_LENGTH = ConnectorEvent._meta.get_field("delivery_id").max_length


class Received(enum.Enum):
    QUEUED = "queued"  # a new delivery, stored and queued
    DUPLICATE = "duplicate"  # this delivery id was received before: nothing changed
    PING = "ping"  # WooCommerce checking the URL: nothing stored


def signature_for(secret: str, body: bytes) -> str:
    """Base64 HMAC-SHA256 of the raw body: what Shopify and WooCommerce both send."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_is_valid(secret: str, body: bytes, signature: str) -> bool:
    expected = signature_for(secret, body).encode()
    # Constant time, so that the answer's timing tells nothing about the expected value.
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def connector_delivery_receive(
    *, connector: Connector, headers: Mapping[str, str], body: bytes
) -> tuple[Received, ConnectorEvent | None]:
    """Verify and store one delivery; NotAuthenticated (401) when the signature is wrong."""
    names = HEADERS[connector.platform]
    signature = headers.get(names.signature, "")
    if (
        not signature
        and connector.platform == Platform.WOOCOMMERCE
        and WOOCOMMERCE_PING.fullmatch(body)
    ):
        return Received.PING, None
    refusal = NotAuthenticated(_("The delivery's signature does not match the connector."))
    if not signature:
        raise refusal
    try:
        secret = crypto.decrypt(connector.secret_encrypted)
    except crypto.SecretUnreadable as error:
        # SECRET_KEY changed without the old one in SECRET_KEY_FALLBACKS. The shop retries
        # refused deliveries for hours: time to restore the key or paste the secret again.
        logger.error("Connector %s: its signing secret cannot be decrypted.", connector.pk)
        raise refusal from error
    if not signature_is_valid(secret, body, signature):
        raise refusal

    delivery_id = headers.get(names.delivery_id, "").strip()
    if not delivery_id or len(delivery_id) > DELIVERY_ID_MAX_LENGTH:
        # Without a usable id, identical bodies are the same delivery.
        delivery_id = "sha256:" + hashlib.sha256(body).hexdigest()
    # PostgreSQL text holds no NUL; a JSON body escapes it anyway, so this only keeps a
    # malformed body storable for the event log.
    text = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    with organization_scope(connector.merchant):
        try:
            with transaction.atomic():
                event = ConnectorEvent.objects.create(
                    merchant_id=connector.merchant_id,
                    connector=connector,
                    delivery_id=delivery_id,
                    topic=headers.get(names.topic, "").strip()[:TOPIC_MAX_LENGTH],
                    body=text,
                )
                transaction.on_commit(lambda: queue.enqueue_event(event.pk))
        except IntegrityError:
            return Received.DUPLICATE, None
    return Received.QUEUED, event
