from rest_framework.routers import SimpleRouter

from orders.api.views import OrderImportViewSet, OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="api-order")
router.register("imports", OrderImportViewSet, basename="api-import")
urlpatterns = router.urls
