from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Attaches the actions of ship-reminder, ship-overdue and customs-hold to the
        # deadline engine's rules (their metadata is the engine's: deadlines.defaults).
        from orders import deadlines  # noqa: F401
