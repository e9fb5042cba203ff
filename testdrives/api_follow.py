"""Following a booking from the phone app: its live status, its calendar file, and after buying,
the order's steps. The same reads as the portal's follow and purchase pages; owner-only (another
member's booking is a 404, like one that does not exist)."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from members.api import MemberApi, MemberRequest
from testdrives.api import ERROR, TAGS
from testdrives.follow import testdrive_follow, testdrive_followed_get_for_member
from testdrives.ics import testdrive_calendar
from testdrives.models import Handover, OrderStatus, PurchaseMethod, State, TestDrive
from testdrives.purchase_steps import purchase_order_for_member, purchase_order_progress
from testdrives.services.arrival import testdrive_announce_arrival


class StepOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    # An output key: DRF takes declared fields off the class, so Field.label is not replaced.
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=["done", "current", "todo"])


class OpeningHoursOutputSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    day = serializers.CharField()
    opens = serializers.TimeField(allow_null=True, help_text="Null: closed that day.")
    closes = serializers.TimeField(allow_null=True)


class FollowStoreOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="display_name")
    address = serializers.CharField(source="display_address")
    city = serializers.CharField(source="display_city")
    phone = serializers.CharField()
    time_zone = serializers.CharField()


class TestDriveStatusOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="test_drive.pk")
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    headline = serializers.CharField(help_text="Where the booking stands, in a sentence.")
    steps = StepOutputSerializer(many=True, help_text="Empty for a cancelled or missed booking.")
    slot_start = serializers.DateTimeField(source="test_drive.slot_start")
    slot_end = serializers.DateTimeField(source="test_drive.slot_end")
    eta_seconds = serializers.IntegerField(
        allow_null=True, help_text="While the car comes down: about how many seconds until it is in the bay."
    )
    eta_source = serializers.ChoiceField(
        choices=["tower", "estimate"],
        allow_null=True,
        help_text="`tower`: from the tower's move queue; `estimate`: from the lift's physics alone.",
    )
    bay = serializers.CharField(allow_null=True, help_text="The delivery bay, once known.")
    due_back_at = serializers.DateTimeField(allow_null=True)
    drive_seconds = serializers.IntegerField(help_text="The length of the drive (72 hours).")
    seconds_left = serializers.IntegerField(allow_null=True, help_text="On the road: until the due time.")
    overdue = serializers.BooleanField()
    pickup_code = serializers.CharField(allow_null=True, help_text="Until check-in.")
    return_code = serializers.CharField(allow_null=True, help_text="On the road.")
    store = FollowStoreOutputSerializer()
    opening_hours = OpeningHoursOutputSerializer(many=True)
    map_url = serializers.URLField()
    calendar_url = serializers.CharField(help_text="The pickup and the return as an iCalendar file.")
    poll_seconds = serializers.IntegerField(
        allow_null=True, help_text="Ask again after this many seconds; null: nothing changes on its own now."
    )
    can_announce_arrival = serializers.BooleanField(
        help_text='The check-in window is open and the member has not checked in: offer "I\'m at the store".'
    )
    arrival_announced = serializers.BooleanField(
        help_text="The member said they are at the store and it still counts (until check-in, or a few minutes)."
    )


class TestDriveStatusApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Follow my test drive: where it stands now",
        responses={
            200: TestDriveStatusOutputSerializer,
            404: OpenApiResponse(ERROR, description="Not yours, or none."),
        },
    )
    def get(self, request: MemberRequest, pk: int) -> Response:
        return self.status_response(testdrive_followed_get_for_member(member=request.member, pk=pk))

    @staticmethod
    def status_response(td: TestDrive) -> Response:
        status = testdrive_follow(test_drive=td, now=timezone.now())
        data = TestDriveStatusOutputSerializer(
            {**status.__dict__, "calendar_url": reverse("api-testdrive-calendar", args=[td.pk])}
        ).data
        return Response(data)


class TestDriveArrivingApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="I'm at the store: get my car ready",
        description=(
            "Tells the store the member is about to check in, so the tower keeps a lift free for their car. "
            "Idempotent. Only for a booked drive whose check-in window is open; the car is still sent for "
            "at the kiosk check-in."
        ),
        request=None,
        responses={
            200: TestDriveStatusOutputSerializer,
            402: OpenApiResponse(ERROR, description="The fee is not paid."),
            404: OpenApiResponse(ERROR, description="Not yours, or none."),
            409: OpenApiResponse(
                ERROR, description="Checked in already, finished, or outside the check-in window."
            ),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_followed_get_for_member(member=request.member, pk=pk)
        td.arriving_at = testdrive_announce_arrival(test_drive=td, now=timezone.now()).arriving_at
        return TestDriveStatusApi.status_response(td)


class TestDriveCalendarApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="My test drive's pickup and return as an iCalendar file (RFC 5545)",
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="Two VEVENTs, UTC times."),
            404: ERROR,
        },
    )
    def get(self, request: MemberRequest, pk: int) -> HttpResponse:
        td = testdrive_followed_get_for_member(member=request.member, pk=pk)
        response = HttpResponse(
            testdrive_calendar(test_drive=td, now=timezone.now()), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="test-drive-{td.pickup_code}.ics"'
        response["Cache-Control"] = "private, no-store"
        return response


class OrderStepOutputSerializer(StepOutputSerializer):
    text = serializers.CharField(help_text="What happens in this step.")
    at = serializers.DateTimeField(allow_null=True, help_text="When it was done.")


class PurchaseOrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="order.pk")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField()
    price_cny = serializers.IntegerField(source="order.price_cny")
    method = serializers.ChoiceField(source="order.method", choices=PurchaseMethod.choices)
    down_payment_cny = serializers.IntegerField(source="order.down_payment_cny")
    financed_cny = serializers.IntegerField(source="order.financed_cny")
    finance_term_months = serializers.IntegerField(source="order.finance_term_months", allow_null=True)
    vin = serializers.CharField(source="order.vehicle.vin")
    handover = serializers.ChoiceField(source="order.handover", choices=Handover.choices)
    invoice_number = serializers.CharField(source="order.invoice_number")
    plate_number = serializers.CharField(source="order.plate_number")
    steps = OrderStepOutputSerializer(many=True, help_text="Oldest first; `current` is being worked on.")


class TestDrivePurchaseOrderApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="After buying: my order and what happens next",
        responses={
            200: PurchaseOrderOutputSerializer,
            404: OpenApiResponse(ERROR, description="Not yours, none, or not bought."),
        },
    )
    def get(self, request: MemberRequest, pk: int) -> Response:
        order = purchase_order_for_member(member=request.member, test_drive_id=pk)
        if order is None:
            raise Http404("This test drive's car was not bought.")
        return Response(PurchaseOrderOutputSerializer(purchase_order_progress(order=order)).data)
