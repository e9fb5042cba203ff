from django.urls import path

from testdrives import api, api_changes, api_follow, return_api

urlpatterns = [
    path("testdrives/slots/", api.SlotListApi.as_view(), name="api-testdrive-slots"),
    path("testdrives/", api.TestDriveListCreateApi.as_view(), name="api-testdrives"),
    path("testdrives/<int:pk>/", api.TestDriveDetailApi.as_view(), name="api-testdrive-detail"),
    path("testdrives/<int:pk>/cancel/", api.TestDriveCancelApi.as_view(), name="api-testdrive-cancel"),
    path("testdrives/<int:pk>/pay/", api.TestDrivePayApi.as_view(), name="api-testdrive-pay"),
    path(
        "testdrives/<int:pk>/reschedule/",
        api.TestDriveRescheduleApi.as_view(),
        name="api-testdrive-reschedule",
    ),
    path(
        "testdrives/<int:pk>/extend/", api_changes.TestDriveExtendApi.as_view(), name="api-testdrive-extend"
    ),
    path(
        "testdrives/<int:pk>/extend/options/",
        api_changes.TestDriveExtendOptionsApi.as_view(),
        name="api-testdrive-extend-options",
    ),
    path("testdrives/<int:pk>/swap/", api_changes.TestDriveSwapApi.as_view(), name="api-testdrive-swap"),
    path("testdrives/<int:pk>/car/", api.TestDriveCarApi.as_view(), name="api-testdrive-car"),
    path("testdrives/<int:pk>/purchase/", api.TestDrivePurchaseApi.as_view(), name="api-testdrive-purchase"),
    path(
        "testdrives/<int:pk>/pickup-photos/",
        return_api.TestDrivePickupPhotoAddApi.as_view(),
        name="api-testdrive-pickup-photos",
    ),
    path(
        "testdrives/<int:pk>/pickup-photos/<int:photo_pk>/",
        return_api.TestDrivePickupPhotoApi.as_view(),
        name="api-testdrive-pickup-photo",
    ),
    path(
        "testdrives/<int:pk>/return-photos/",
        return_api.TestDriveReturnPhotoAddApi.as_view(),
        name="api-testdrive-return-photos",
    ),
    path(
        "testdrives/<int:pk>/return-photos/<int:photo_pk>/",
        return_api.TestDriveReturnPhotoApi.as_view(),
        name="api-testdrive-return-photo",
    ),
    path("testdrives/<int:pk>/status/", api_follow.TestDriveStatusApi.as_view(), name="api-testdrive-status"),
    path(
        "testdrives/<int:pk>/arriving/",
        api_follow.TestDriveArrivingApi.as_view(),
        name="api-testdrive-arriving",
    ),
    path(
        "testdrives/<int:pk>/calendar.ics",
        api_follow.TestDriveCalendarApi.as_view(),
        name="api-testdrive-calendar",
    ),
    path(
        "testdrives/<int:pk>/order/",
        api_follow.TestDrivePurchaseOrderApi.as_view(),
        name="api-testdrive-order",
    ),
    path("me/eligibility/", api.EligibilityApi.as_view(), name="api-me-eligibility"),
    path("kiosk/check-in/", api.KioskCheckInApi.as_view(), name="api-kiosk-check-in"),
    path("kiosk/testdrives/<str:code>/", api.KioskStatusApi.as_view(), name="api-kiosk-status"),
]
