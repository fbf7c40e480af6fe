from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self):
        # orders shows disputes on its pages without importing this app (layering).
        from disputes import deadlines, order_hooks
        from orders import hooks

        hooks.order_filters.register("has_dispute", order_hooks.filter_orders_with_disputes)
        hooks.dispute_summaries.register(order_hooks.dispute_summaries)
        hooks.shipment_change_handlers.register(order_hooks.record_parcel_change)
        # The rules the disputes domain owns act through its services (disputes.deadlines).
        hooks.ship_overdue_handlers.register(deadlines.open_shipping_delayed_refund)
