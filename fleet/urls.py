from django.urls import path

from fleet import views
from fleet.snapcar import views as snapcar_views

app_name = "fleet"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("cars/<slug:slug>/", views.carmodel_detail, name="carmodel_detail"),
    path("snap/", snapcar_views.snapcar_page, name="snapcar"),
]
