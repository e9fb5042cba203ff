from django.urls import path

from testdrives import api

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
    path("testdrives/<int:pk>/car/", api.TestDriveCarApi.as_view(), name="api-testdrive-car"),
    path("testdrives/<int:pk>/purchase/", api.TestDrivePurchaseApi.as_view(), name="api-testdrive-purchase"),
    path("me/eligibility/", api.EligibilityApi.as_view(), name="api-me-eligibility"),
    path("kiosk/check-in/", api.KioskCheckInApi.as_view(), name="api-kiosk-check-in"),
    path("kiosk/testdrives/<str:code>/", api.KioskStatusApi.as_view(), name="api-kiosk-status"),
]
