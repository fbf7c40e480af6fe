from django.urls import path

from accounts.web import settings

urlpatterns = [
    path(
        "organization/",
        settings.OrganizationSettingsView.as_view(),
        name="settings-organization",
    ),
]
