from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Analytics over orders, disputes and the recovery ledger; nothing imports it."""

    name = "insights"
    verbose_name = _("insights")
