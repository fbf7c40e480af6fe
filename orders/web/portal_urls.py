from django.urls import path

from orders.web import portal, views

urlpatterns = [
    path("", portal.ShippingDeskView.as_view(), name="portal-orders"),
    path("lines/<uuid:line_id>/", portal.LineRowView.as_view(), name="portal-line-row"),
    path(
        "lines/<uuid:line_id>/tracking/",
        portal.LineTrackingView.as_view(),
        name="portal-line-tracking",
    ),
    path(
        "lines/<uuid:line_id>/parcels/<uuid:shipment_id>/edit/",
        portal.ParcelEditView.as_view(),
        name="portal-line-parcel-edit",
    ),
    path(
        "lines/<uuid:line_id>/parcels/<uuid:shipment_id>/void/",
        portal.ParcelVoidView.as_view(),
        name="portal-line-parcel-void",
    ),
    path("tracking-upload/", portal.TrackingUploadView.as_view(), name="portal-tracking-upload"),
    path(
        "tracking-upload/results.csv",
        portal.TrackingUploadResultsView.as_view(),
        name="portal-tracking-upload-results",
    ),
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
