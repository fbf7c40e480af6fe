from django.urls import path

from connectors.web import views

urlpatterns = [
    path("connectors/", views.ConnectorListView.as_view(), name="settings-connectors"),
    path("connectors/<uuid:pk>/", views.ConnectorDetailView.as_view(), name="settings-connector"),
    path(
        "connectors/<uuid:pk>/mappings/",
        views.MappingCreateView.as_view(),
        name="settings-connector-mappings",
    ),
    path(
        "connectors/<uuid:pk>/secret/",
        views.SecretRotateView.as_view(),
        name="settings-connector-secret",
    ),
    path(
        "connectors/<uuid:pk>/events/<uuid:event_id>/retry/",
        views.EventRetryView.as_view(),
        name="settings-connector-event-retry",
    ),
]
