from django.urls import path

from biometrics import api

urlpatterns = [
    path("me/face/", api.FaceApi.as_view(), name="api-me-face"),
    path("me/face-consent/", api.FaceConsentApi.as_view(), name="api-me-face-consent"),
]
