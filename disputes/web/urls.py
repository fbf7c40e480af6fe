"""Dashboard pages under /app/disputes/ (the portal's are in portal_urls)."""

from django.urls import path

from disputes.web import actions, queue, views

ACTIONS = "<str:action>/"


def dispute_patterns(prefix, *, detail, action, upload, preview, download):
    return [
        path("<uuid:pk>/", detail.as_view(), name=f"{prefix}-dispute-detail"),
        path("<uuid:pk>/attachments/", upload.as_view(), name=f"{prefix}-dispute-upload"),
        path(
            "<uuid:pk>/proposals/<uuid:proposal_pk>/<str:action>/",
            action.as_view(),
            name=f"{prefix}-dispute-proposal-action",
        ),
        path("<uuid:pk>/" + ACTIONS, action.as_view(), name=f"{prefix}-dispute-action"),
        path(
            "attachments/<uuid:attachment_pk>/",
            preview.as_view(),
            name=f"{prefix}-dispute-attachment",
        ),
        path(
            "attachments/<uuid:attachment_pk>/download/",
            download.as_view(),
            name=f"{prefix}-dispute-attachment-download",
        ),
    ]


urlpatterns = [
    path("", views.DisputeListView.as_view(), name="app-disputes"),
    path("new/", views.DisputeOpenView.as_view(), name="app-dispute-new"),
    path("rules/", views.DisputePolicyView.as_view(), name="app-dispute-policy"),
    path("owed/", views.LedgerOwedView.as_view(), name="app-ledger-owed"),
    path("export.csv", queue.DisputeExportView.as_view(), name="app-disputes-export"),
    path("bulk/", queue.DisputeBulkView.as_view(), name="app-disputes-bulk"),
    path("views/", queue.SavedViewCreateView.as_view(), name="app-disputes-view-create"),
    path(
        "views/<uuid:pk>/delete/",
        queue.SavedViewDeleteView.as_view(),
        name="app-disputes-view-delete",
    ),
    *dispute_patterns(
        "app",
        detail=views.MerchantDisputeDetailView,
        action=actions.MerchantDisputeActionView,
        upload=actions.MerchantAttachmentUploadView,
        preview=actions.MerchantAttachmentPreviewView,
        download=actions.MerchantAttachmentDownloadView,
    ),
]
