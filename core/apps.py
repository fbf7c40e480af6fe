from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from core.db import install_scoped_cursor, register_safe_time_readers


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        register_safe_time_readers()
        connection_created.connect(install_scoped_cursor, dispatch_uid="core.scoped_cursor")
        from core.rls import apply_row_security

        post_migrate.connect(apply_row_security, sender=self, dispatch_uid="core.rls")
