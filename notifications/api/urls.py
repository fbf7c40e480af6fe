from rest_framework.routers import SimpleRouter

from notifications.api.views import NotificationViewSet, WebhookViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookViewSet, basename="webhook")
urlpatterns = router.urls
