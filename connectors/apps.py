from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = _("Shop connectors")

    def ready(self):
        # The order import reads Shopify's own export file; orders never imports this app.
        from connectors.shopify_export import ShopifyExportFormat
        from orders import hooks

        hooks.import_formats.register(ShopifyExportFormat())
