from django.urls import path
from rest_framework.routers import SimpleRouter

from disputes.api.views import AttachmentDownloadView, DisputeViewSet

router = SimpleRouter()
router.register("disputes", DisputeViewSet, basename="dispute")
urlpatterns = [
    *router.urls,
    path(
        "attachments/<uuid:pk>/download/",
        AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
]
