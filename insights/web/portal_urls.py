from django.urls import path

from insights.web import views

urlpatterns = [
    path("scorecard/", views.PortalScorecardView.as_view(), name="portal-scorecard"),
]
