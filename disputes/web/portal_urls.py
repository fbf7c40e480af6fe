"""Supplier portal pages under /portal/disputes/."""

from django.urls import path

from disputes.web import actions, views
from disputes.web.urls import dispute_patterns

urlpatterns = [
    path("", views.SupplierInboxView.as_view(), name="portal-disputes"),
    *dispute_patterns(
        "portal",
        detail=views.SupplierDisputeDetailView,
        action=actions.SupplierDisputeActionView,
        upload=actions.SupplierAttachmentUploadView,
        preview=actions.SupplierAttachmentPreviewView,
        download=actions.SupplierAttachmentDownloadView,
    ),
]
