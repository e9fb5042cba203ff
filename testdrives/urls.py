from django.urls import path

from testdrives import follow_views, return_views, views, views_changes

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
    path("drives/<int:pk>/extend/", views_changes.extend, name="extend"),
    path("drives/<int:pk>/swap/", views_changes.swap, name="swap"),
    path("drives/<int:pk>/return-photos/", return_views.return_photo_add, name="return_photo_add"),
    path(
        "drives/<int:pk>/return-photos/<int:photo_pk>/",
        return_views.return_photo_image,
        name="return_photo_image",
    ),
    path("drives/<int:pk>/pickup-photos/", return_views.pickup_photo_add, name="pickup_photo_add"),
    path(
        "drives/<int:pk>/pickup-photos/<int:photo_pk>/",
        return_views.pickup_photo_image,
        name="pickup_photo_image",
    ),
    path("drives/<int:pk>/follow/", follow_views.follow, name="follow"),
    path("drives/<int:pk>/arriving/", follow_views.arriving, name="arriving"),
    path("drives/<int:pk>/calendar.ics", follow_views.calendar, name="calendar"),
    path("drives/<int:pk>/purchase/", follow_views.purchase, name="purchase"),
]
