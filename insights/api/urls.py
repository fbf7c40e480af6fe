from django.urls import path

from insights.api import views

urlpatterns = [
    path("analytics/overview/", views.OverviewView.as_view(), name="api-analytics-overview"),
    path("analytics/suppliers/", views.SupplierRowsView.as_view(), name="api-analytics-suppliers"),
    path("analytics/products/", views.ProductRowsView.as_view(), name="api-analytics-products"),
    path("analytics/ledger/", views.LedgerExportView.as_view(), name="api-analytics-ledger"),
    path("analytics/scorecard/", views.ScorecardView.as_view(), name="api-analytics-scorecard"),
]
