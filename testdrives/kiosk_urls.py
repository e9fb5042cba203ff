from django.urls import path

from testdrives import kiosk_idcheck_views, kiosk_views

app_name = "kiosk"

urlpatterns = [
    path("", kiosk_views.home, name="home"),
    path("sign-in/", kiosk_views.sign_in, name="sign_in"),
    path("check-in/", kiosk_views.check_in, name="check_in"),
    path("drive/<str:code>/", kiosk_views.drive, name="drive"),
    path("drive/<str:code>/gate/", kiosk_views.open_gate, name="open_gate"),
    path("drive/<str:code>/face/", kiosk_views.face, name="face"),
    path("drive/<str:code>/operator/", kiosk_views.call_operator, name="call_operator"),
    path("drive/<str:code>/id-check/", kiosk_idcheck_views.id_check, name="id_check"),
    path("return/", kiosk_views.return_car, name="return"),
]
