from django.urls import path

from members import api, favourite_api

urlpatterns = [
    path("members/register/code/", api.RegisterCodeApi.as_view(), name="api-member-register-code"),
    path("members/register/", api.RegisterApi.as_view(), name="api-member-register"),
    path("members/register/finish/", api.RegisterFinishApi.as_view(), name="api-member-register-finish"),
    path("auth/token/", api.TokenCreateApi.as_view(), name="api-token-create"),
    path("auth/token/delete/", api.TokenDeleteApi.as_view(), name="api-token-delete"),
    path("auth/tokens/", api.TokenListApi.as_view(), name="api-token-list"),
    path("auth/tokens/<str:key>/revoke/", api.TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("auth/logout-everywhere/", api.LogoutEverywhereApi.as_view(), name="api-logout-everywhere"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/update/", api.MeUpdateApi.as_view(), name="api-me-update"),
    path("me/export/", api.MeExportApi.as_view(), name="api-me-export"),
    path("me/delete/", api.MeDeleteApi.as_view(), name="api-me-delete"),
    path("me/favourites/", favourite_api.FavouriteListApi.as_view(), name="api-favourite-list"),
    path("me/favourites/save/", favourite_api.FavouriteSaveApi.as_view(), name="api-favourite-save"),
    path(
        "me/favourites/<slug:slug>/delete/",
        favourite_api.FavouriteDeleteApi.as_view(),
        name="api-favourite-delete",
    ),
    path("me/credit-check/", api.CreditCheckApi.as_view(), name="api-me-credit-check"),
]
