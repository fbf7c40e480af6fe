from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Importing registers: the Bearer scheme with the schema, sign-ins with the audit log.
        from accounts import schema, signins  # noqa: F401
