from django.urls import path

from snapcar import views

app_name = "snapcar"
urlpatterns = [
    path("snap/", views.snapcar_page, name="snap"),
]
