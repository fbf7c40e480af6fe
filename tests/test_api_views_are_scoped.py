"""Every API view inherits the scoped base: a new endpoint cannot forget the tenant."""

from django.urls import URLPattern, URLResolver, get_resolver

from core.api.views import ScopedAPIView

# Public on purpose, each for a reason.
PUBLIC_VIEWS = {
    "SpectacularAPIView",  # the OpenAPI schema describes endpoints, not data
    "SpectacularSwaggerSplitView",  # the docs page that renders it
    # A shop's webhook delivery: the shop is no member and has no token; the HMAC signature
    # over the raw body with the connector's secret authenticates it, and the connector named
    # in the URL sets the merchant's scope (connectors.services.intake).
    "ShopWebhookView",
}


def api_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            view_class = getattr(pattern.callback, "cls", None) or getattr(
                pattern.callback, "view_class", None
            )
            yield route, view_class


def test_every_api_view_is_tenant_scoped():
    unscoped = [
        (route, view_class)
        for route, view_class in api_views()
        if view_class is None
        or (view_class.__name__ not in PUBLIC_VIEWS and not issubclass(view_class, ScopedAPIView))
    ]
    assert unscoped == []


def test_the_walk_finds_the_api():
    routes = [route for route, _view in api_views()]
    assert "api/v1/me/" in routes
    assert len(routes) >= 4
