from django.urls import path

from orders.web import views

urlpatterns = [
    path("", views.OrderListView.as_view(), name="app-orders"),
    path("export.csv", views.OrderExportView.as_view(), name="app-orders-export"),
    path("import/", views.OrderImportCreateView.as_view(), name="app-orders-import"),
    path("imports/<uuid:pk>/", views.OrderImportDetailView.as_view(), name="app-order-import"),
    path("<uuid:pk>/", views.OrderDetailView.as_view(), name="app-order-detail"),
    path(
        "<uuid:pk>/parcels/", views.OrderParcelCreateView.as_view(), name="app-order-parcel-create"
    ),
    path(
        "<uuid:pk>/parcels/<uuid:shipment_id>/correct/",
        views.OrderParcelCorrectView.as_view(),
        name="app-order-parcel-correct",
    ),
    path(
        "<uuid:pk>/parcels/<uuid:shipment_id>/void/",
        views.OrderParcelVoidView.as_view(),
        name="app-order-parcel-void",
    ),
    path(
        "<uuid:pk>/parcels/<uuid:shipment_id>/reship/",
        views.OrderParcelReshipView.as_view(),
        name="app-order-parcel-reship",
    ),
]
