"""The app's URLs and, for benchmarks only, the ceiling view."""

from django.urls import include, path

from bench.ceiling import BareDisputePage

urlpatterns = [
    path("bench/ceiling/", BareDisputePage.as_view()),
    path("", include("config.urls")),
]
