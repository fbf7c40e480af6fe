from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from core.ids import new_id
from core.tenancy import TenantModel
from orders.models import Order


class Platform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"


class Connector(TenantModel):
    """A merchant's shop that sends its orders and parcels to Redress by signed webhooks."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    # Shopify: the shop's myshopify.com domain; WooCommerce: the site's base URL.
    shop = models.CharField(_("shop"), max_length=255)
    # Encrypted (connectors.crypto); never shown back once saved.
    secret_encrypted = models.TextField()
    secret_rotated_at = models.DateTimeField(_("secret changed at"), default=timezone.now)
    default_supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
        verbose_name=_("default supplier"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shop connector")
        verbose_name_plural = _("shop connectors")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "platform", "shop"], name="connector_shop_unique_per_merchant"
            )
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.shop}"


class MatchKind(models.TextChoices):
    SKU = "sku", _("SKU is")  # the line's SKU, exactly
    SKU_PREFIX = "sku_prefix", _("SKU starts with")
    VENDOR = "vendor", _("vendor is")  # the product's vendor as the shop names it


class SupplierMapping(TenantModel):
    """Which supplier fulfils a shop's line: by SKU, SKU prefix or the product's vendor."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="mappings")
    match = models.CharField(_("match"), max_length=20, choices=MatchKind.choices)
    value = models.CharField(_("value"), max_length=200)
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
        verbose_name=_("supplier"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supplier mapping")
        verbose_name_plural = _("supplier mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "connector", "match", "value"],
                name="supplier_mapping_unique_per_connector",
            )
        ]

    def __str__(self):
        return f"{self.match}={self.value} → {self.supplier}"


class EventResult(models.TextChoices):
    IMPORTED = "imported", _("imported")  # an order or parcel was written from it
    DUPLICATE = "duplicate", _("duplicate")  # Redress already had exactly this
    IGNORED = "ignored", _("ignored")  # a topic or state that Redress does not act on
    FAILED = "failed", _("failed")  # could not be applied; `detail` says why


class ConnectorEvent(TenantModel):
    """One delivery from the shop, kept with its raw body so that it can be processed again."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="events")
    # The shop's own id for the delivery: a retried delivery repeats it.
    delivery_id = models.CharField(_("delivery id"), max_length=200)
    topic = models.CharField(_("topic"), max_length=100)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # Empty until a worker has processed the delivery.
    result = models.CharField(_("result"), max_length=10, choices=EventResult.choices, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The shop's id of the order the delivery is about, so that a fulfilment finds it.
    shop_order_id = models.CharField(max_length=64, blank=True)
    # Some lines had no supplier: processed again when a mapping is added.
    waiting_for_mapping = models.BooleanField(default=False)
    body = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("connector event")
        verbose_name_plural = _("connector events")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "connector", "delivery_id"],
                name="connector_event_delivery_unique",
            )
        ]
        indexes = [
            models.Index(fields=["connector", "-received_at"], name="connector_event_log"),
            models.Index(fields=["connector", "shop_order_id"], name="connector_event_shop_order"),
            models.Index(
                fields=["connector", "received_at"],
                condition=models.Q(waiting_for_mapping=True),
                name="connector_event_waiting",
            ),
            # The sweep's look for deliveries never processed.
            models.Index(
                fields=["received_at"],
                condition=models.Q(result=""),
                name="connector_event_unprocessed",
            ),
        ]

    def __str__(self):
        return f"{self.topic} {self.delivery_id}"
