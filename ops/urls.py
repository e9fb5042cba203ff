from django.urls import path

from ops import order_views, return_views, views

app_name = "ops"

urlpatterns = [
    path("", views.console, name="console"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("members/<int:pk>/", views.member, name="member"),
    path("id-checks/<int:pk>/", views.id_check, name="id_check"),
    path("id-checks/<int:pk>/<str:which>/", views.id_check_picture, name="id_check_picture"),
    path("claim/<str:kind>/<str:key>/", views.claim, name="claim"),
    path("returns/<int:pk>/", return_views.return_review, name="return_review"),
    path("returns/<int:pk>/photos/<int:photo_pk>/", return_views.return_photo, name="return_photo"),
    path("returns/<int:pk>/pickup-photos/<int:photo_pk>/", return_views.pickup_photo, name="pickup_photo"),
    path("returns/<int:pk>/ok/", return_views.return_ok, name="return_ok"),
    path("returns/<int:pk>/charge/", return_views.return_charge, name="return_charge"),
    path("act/<str:action>/<int:pk>/", views.act, name="act"),
    path("orders/<int:pk>/", order_views.order, name="order"),
    path("orders/<int:pk>/advance/", order_views.order_advance, name="order_advance"),
    path("orders/<int:pk>/handover/", order_views.order_handover, name="order_handover"),
]
