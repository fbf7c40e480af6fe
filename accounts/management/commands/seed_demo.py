import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.tenancy import cross_tenant_scope


class Command(BaseCommand):
    help = "Create the demo organizations, users and data of API.md. Safe to run again."

    def handle(self, *args, **options):
        # Each app seeds its own part from <app>/demo.py, in INSTALLED_APPS order, so that
        # lower layers exist before the ones that use them and no app imports a higher one.
        with transaction.atomic(), cross_tenant_scope(reason="seed_demo"):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                module = importlib.import_module(module_name)
                module.seed(lambda line, app=config.label: self.stdout.write(f"{app}: {line}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password: demo-pass-123"))
