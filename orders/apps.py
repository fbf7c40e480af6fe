from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Registers ship-reminder, ship-overdue and customs-hold with the deadline engine,
        # with their actions, and the event types orders raises with the notification engine.
        from orders import deadlines, notifications  # noqa: F401
