from django.urls import path

from orders.web import views

urlpatterns = [
    path("", views.PortalOrderListView.as_view(), name="portal-orders"),
    path(
        "<uuid:pk>/parcels/",
        views.PortalParcelCreateView.as_view(),
        name="portal-order-parcel-create",
    ),
    path(
        "<uuid:pk>/parcels/<uuid:shipment_id>/correct/",
        views.PortalParcelCorrectView.as_view(),
        name="portal-order-parcel-correct",
    ),
    path(
        "<uuid:pk>/parcels/<uuid:shipment_id>/void/",
        views.PortalParcelVoidView.as_view(),
        name="portal-order-parcel-void",
    ),
]
