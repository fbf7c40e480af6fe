from django.urls import path

from notifications.web import webhooks

urlpatterns = [
    path("webhooks/", webhooks.WebhookListView.as_view(), name="settings-webhooks"),
    path("webhooks/<uuid:pk>/", webhooks.WebhookDetailView.as_view(), name="settings-webhook"),
    path(
        "webhooks/<uuid:pk>/delete/",
        webhooks.WebhookDeleteView.as_view(),
        name="settings-webhook-delete",
    ),
    path(
        "webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/resend/",
        webhooks.WebhookResendView.as_view(),
        name="settings-webhook-resend",
    ),
]
