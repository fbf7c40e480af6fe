from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self):
        # Registering the event types disputes raise is importing the module that words them;
        # importing disputes.checks registers them.
        from disputes import checks, deadlines, notifications, order_hooks  # noqa: F401
        from orders import hooks

        # orders shows disputes on its pages without importing this app (layering).
        hooks.order_filters.register("has_dispute", order_hooks.filter_orders_with_disputes)
        hooks.dispute_summaries.register(order_hooks.dispute_summaries)
        hooks.shipment_change_handlers.register(order_hooks.record_parcel_change)
        # The rules the disputes domain owns act through its services (disputes.deadlines).
        hooks.ship_overdue_handlers.register(deadlines.open_shipping_delayed_refund)
