from django.urls import path
from rest_framework.routers import SimpleRouter

from connectors.api.views import ConnectorViewSet
from connectors.api.webhooks import ShopWebhookView

router = SimpleRouter()
router.register("connectors", ConnectorViewSet, basename="connector")
urlpatterns = [
    *router.urls,
    path("shop-webhooks/<str:connector_id>/", ShopWebhookView.as_view(), name="connector-webhook"),
]
