from django.urls import path

from fleet import api

urlpatterns = [
    path("brands/", api.BrandListApi.as_view(), name="api-brand-list"),
    path("models/", api.CarModelListApi.as_view(), name="api-carmodel-list"),
    path("models/<slug:slug>/", api.CarModelDetailApi.as_view(), name="api-carmodel-detail"),
    path("models/<slug:slug>/price/", api.CarModelPriceApi.as_view(), name="api-carmodel-price"),
    path("stores/", api.StoreListApi.as_view(), name="api-store-list"),
    path("compare/", api.CompareApi.as_view(), name="api-compare"),
]
