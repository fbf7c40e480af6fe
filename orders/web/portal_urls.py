from django.urls import path

from orders.web import views

urlpatterns = [
    path("", views.PortalOrderListView.as_view(), name="portal-orders"),
    path(
        "<uuid:pk>/parcels/",
        views.PortalParcelCreateView.as_view(),
        name="portal-order-parcel-create",
    ),
]
