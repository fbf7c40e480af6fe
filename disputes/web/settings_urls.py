"""The merchant's saved replies, under /app/settings/."""

from django.urls import path

from disputes.web import saved_replies

urlpatterns = [
    path(
        "saved-replies/",
        saved_replies.SavedReplyListView.as_view(),
        name="settings-saved-replies",
    ),
    path(
        "saved-replies/<uuid:pk>/",
        saved_replies.SavedReplyEditView.as_view(),
        name="settings-saved-reply",
    ),
]
