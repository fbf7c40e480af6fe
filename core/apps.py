from django.apps import AppConfig

from core.db import register_safe_time_readers


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        register_safe_time_readers()
