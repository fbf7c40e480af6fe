from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.web import views as account_views
from core import health
from disputes.web import home as dispute_home
from disputes.web import search as dispute_search
from suppliers.web import views as supplier_views

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("suppliers.api.urls")),
    path("", include("deadlines.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("disputes.api.urls")),
    path("", include("connectors.api.urls")),
    path("", include("insights.api.urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("app/", dispute_home.AppHomeView.as_view(), name="app-home"),
    path("portal/", supplier_views.PortalHomeView.as_view(), name="portal-home"),
    path("app/search/", dispute_search.MerchantSearchView.as_view(), name="app-search"),
    path("portal/search/", dispute_search.SupplierSearchView.as_view(), name="portal-search"),
    path("app/orders/", include("orders.web.urls")),
    path("portal/orders/", include("orders.web.portal_urls")),
    path("app/disputes/", include("disputes.web.urls")),
    path("portal/disputes/", include("disputes.web.portal_urls")),
    path("app/", include("insights.web.urls")),
    path("portal/", include("insights.web.portal_urls")),
    path("app/settings/", include("deadlines.web.urls")),
    path("app/settings/", include("accounts.web.settings_urls")),
    path("app/settings/", include("notifications.web.settings_urls")),
    path("app/settings/", include("connectors.web.urls")),
    path("app/settings/", include("disputes.web.settings_urls")),
    path(
        "app/notifications/",
        include("notifications.web.urls", namespace="app-notifications"),
    ),
    path(
        "portal/notifications/",
        include("notifications.web.urls", namespace="portal-notifications"),
    ),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI sets inline styles; only this page relaxes the style policy for them.
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
