from django.urls import path

from fleet import views

app_name = "fleet"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("cars/<slug:slug>/", views.carmodel_detail, name="carmodel_detail"),
    path("compare/", views.compare, name="compare"),
]
