from drf_spectacular import openapi
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from core.tenancy import cross_tenant_scope

BODY_METHODS = ("POST", "PUT", "PATCH")
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: field errors by field name, or a bad query parameter or cursor.",
    "401": "No token, or a token that is invalid, expired or revoked.",
    "403": "The caller's organization or role may not do this.",
    "404": "Not found, or it belongs to another organization.",
    "409": "Not allowed in the current state, a duplicate, or the same Idempotency-Key "
    "still being processed.",
    "413": "The upload is too large.",
    "415": "The content type of the body, or the file's type, is not accepted.",
    "429": "Too many requests.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error: a message, and for invalid input the errors of each field by its name."""

    detail = serializers.CharField()


class ScopedSchemaGenerator(SchemaGenerator):
    """Views' querysets are built (never evaluated) to learn their models while describing them."""

    def get_schema(self, request=None, public=False):
        with cross_tenant_scope(reason="OpenAPI schema introspection"):
            return super().get_schema(request=request, public=public)


class AutoSchema(openapi.AutoSchema):
    """Documents the error answers of every operation from what the operation is, in one
    place, so that no view has to list them (API.md, "General": the status codes)."""

    def map_parsers(self):
        media_types = super().map_parsers()
        # API.md: JSON in, multipart for uploads. The form encodings DRF also reads are not
        # part of the contract, so they are not offered to clients either.
        return ["application/json"] if "application/json" in media_types else media_types

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}
        }
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": error})
        return operation

    def _error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        body = operation.get("requestBody", {}).get("content", {})
        codes = []
        if self.method in BODY_METHODS or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        if operation.get("security"):
            codes.append("401")
            if self._may_be_forbidden():
                codes.append("403")
        if any(p["in"] == "path" for p in parameters):
            codes.append("404")
        if self.method == "POST":
            codes.append("409")  # every POST honours Idempotency-Key
        if "multipart/form-data" in body and "application/json" not in body:
            codes.append("413")  # an upload
        if self.method in BODY_METHODS:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _may_be_forbidden(self) -> bool:
        view = self.view
        kinds = set(getattr(view, "organization_kinds", ()))
        required_roles = getattr(view, "required_roles", None)
        roles = required_roles(view.request) if required_roles else None
        return kinds != {"merchant", "supplier"} or roles is not None
