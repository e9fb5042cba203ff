from django.urls import path

from tower import views

app_name = "tower"
urlpatterns = [
    path("tower/<slug:code>/events/", views.tower_events_webhook, name="events"),
]
