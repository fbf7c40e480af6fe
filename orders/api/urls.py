from rest_framework.routers import SimpleRouter

from orders.api.views import OrderImportViewSet, OrderViewSet, ShipmentViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="api-order")
router.register("imports", OrderImportViewSet, basename="api-import")
router.register("shipments", ShipmentViewSet, basename="api-shipment")
urlpatterns = router.urls
