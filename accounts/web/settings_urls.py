from django.urls import path

from accounts.web import settings, views

urlpatterns = [
    path("", settings.SettingsIndexView.as_view(), name="settings"),
    path(
        "organization/",
        settings.OrganizationSettingsView.as_view(),
        name="settings-organization",
    ),
    path("audit-log/", views.AuditLogView.as_view(), name="settings-audit-log"),
]
