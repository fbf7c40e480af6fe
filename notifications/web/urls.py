from django.urls import path

from notifications.web import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.bell, name="bell"),
    path("<uuid:pk>/read/", views.NotificationReadView.as_view(), name="read"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="read-all"),
    path("preferences/", views.EmailPreferencesView.as_view(), name="preferences"),
]
