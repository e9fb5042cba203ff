from django.urls import path

from testdrives import follow_views, views

app_name = "testdrives"

urlpatterns = [
    path("membership/", views.membership, name="membership"),
    path("drives/", views.drive_list, name="list"),
    path("drives/book/<slug:slug>/", views.book, name="book"),
    path("drives/<int:pk>/", views.detail, name="detail"),
    path("drives/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("drives/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("drives/<int:pk>/pay/", views.pay, name="pay"),
    path("drives/<int:pk>/buy/", views.buy, name="buy"),
    path("drives/<int:pk>/follow/", follow_views.follow, name="follow"),
    path("drives/<int:pk>/calendar.ics", follow_views.calendar, name="calendar"),
    path("drives/<int:pk>/purchase/", follow_views.purchase, name="purchase"),
]
