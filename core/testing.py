"""Test helpers shared by every app's tests (imported only from tests)."""

import factory


class TenantModelFactory(factory.django.DjangoModelFactory):
    """Creates tenant-owned rows without a tenant scope: test set-up is the platform's view."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.cross_tenant_objects
