from django.urls import path

from ops import views

app_name = "ops"

urlpatterns = [
    path("", views.console, name="console"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("members/<int:pk>/", views.member, name="member"),
    path("id-checks/<int:pk>/", views.id_check, name="id_check"),
    path("id-checks/<int:pk>/<str:which>/", views.id_check_picture, name="id_check_picture"),
    path("claim/<str:kind>/<str:key>/", views.claim, name="claim"),
    path("act/<str:action>/<int:pk>/", views.act, name="act"),
]
