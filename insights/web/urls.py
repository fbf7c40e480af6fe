"""Merchant pages of insights (mounted under /app/); the portal's are in portal_urls."""

from django.urls import path

from insights.web import views

urlpatterns = [
    path("insights/", views.InsightsView.as_view(), name="app-insights"),
    path(
        "insights/export/<str:table>.<str:file_format>",
        views.ExportView.as_view(),
        name="app-insights-export",
    ),
    path("suppliers/<slug:slug>/", views.SupplierScorecardView.as_view(), name="app-supplier"),
]
