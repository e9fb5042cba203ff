from django.urls import path

from biometrics import views

app_name = "biometrics"

urlpatterns = [
    path("face-consent/", views.consent, name="consent"),
    path("face-enrol/", views.enrol, name="enrol"),
]
