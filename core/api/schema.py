from drf_spectacular.generators import SchemaGenerator

from core.tenancy import cross_tenant_scope


class ScopedSchemaGenerator(SchemaGenerator):
    """Views' querysets are built (never evaluated) to learn their models while describing them."""

    def get_schema(self, request=None, public=False):
        with cross_tenant_scope(reason="OpenAPI schema introspection"):
            return super().get_schema(request=request, public=public)
