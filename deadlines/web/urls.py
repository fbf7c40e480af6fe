from django.urls import path

from deadlines.web import views

urlpatterns = [
    path("rules/", views.RuleSettingsView.as_view(), name="settings-rules"),
    path("rules/<str:code>/", views.RuleSettingsView.as_view(), name="settings-rule-update"),
]
