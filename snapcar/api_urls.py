from django.urls import path

from snapcar.api import SnapcarQueryApi

urlpatterns = [
    path("snapcar/", SnapcarQueryApi.as_view(), name="api-snapcar-query"),
]
