from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self):
        # Registers the metadata of DESIGN.md's rules; domains attach their actions in
        # their own ready(), importing the registry (which registers the same on import).
        from deadlines import registry  # noqa: F401
