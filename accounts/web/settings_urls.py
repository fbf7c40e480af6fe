from django.urls import path

from accounts.web import views

urlpatterns = [
    path("audit-log/", views.AuditLogView.as_view(), name="settings-audit-log"),
]
