from django.urls import path
from rest_framework.routers import SimpleRouter

from disputes.api.saved_replies import SavedReplyViewSet
from disputes.api.views import AttachmentDownloadView, DisputeViewSet, LedgerOwedView

router = SimpleRouter()
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("saved-replies", SavedReplyViewSet, basename="saved-reply")
urlpatterns = [
    *router.urls,
    path("ledger/owed/", LedgerOwedView.as_view(), name="api-ledger-owed"),
    path(
        "attachments/<uuid:pk>/download/",
        AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
]
