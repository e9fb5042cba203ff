"""The test-drive API for the phone app and the kiosk: slots, book, list/detail, cancel, pay,
purchase; kiosk check-in and status.

One view per operation with nested Input/Output serializers; views call services and selectors
and let domain errors reach ``vendingstore.api_errors.api_exception_handler`` (409 for a taken car
or a full window, 422 with every failed rule for a refused booking). Another member's booking is
a 404, like one that does not exist.
"""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet.models import CarModel, Paint, Store, VehiclePhoto
from members.api import MemberApi, MemberRequest, RuleOutputSerializer, rule_output
from members.models import Tier
from testdrives.codes import code_normalize
from testdrives.eligibility import Eligibility, member_eligibility
from testdrives.models import Kiosk, PurchaseMethod, State, TestDrive
from testdrives.return_api import ChargeOutputSerializer, ReturnPhotoOutputSerializer, return_output
from testdrives.selectors import (
    JourneyEvent,
    booking_day_in_range,
    slot_list,
    testdrive_fee_pending,
    testdrive_get_for_member,
    testdrive_journey,
    testdrive_list_for_member,
)
from testdrives.services.booking import testdrive_book_once, testdrive_cancel, testdrive_pay_fee
from testdrives.services.kiosks import kiosk_for_token
from testdrives.services.lifecycle import testdrive_check_in
from testdrives.services.purchase import testdrive_purchase
from testdrives.services.reschedule import testdrive_reschedule
from testdrives.vehicle_record import vehicle_record_get

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations
    from drf_spectacular.openapi import AutoSchema

TAGS = ["test drives"]
# The eligibility operation sits with the member's own operations (/me/) in the schema.
MEMBER_TAGS = ["members"]
KIOSK_TAGS = ["kiosk"]
ERROR = inline_serializer(
    "TestDriveErrorOutput", {"code": serializers.CharField(), "detail": serializers.CharField()}
)
REFUSED = inline_serializer(
    "BookingRefusedOutput",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "reasons": inline_serializer(
            "RefusalReason", {"rule": serializers.CharField(), "reason": serializers.CharField()}, many=True
        ),
    },
)


class StoreClockDateTimeField(serializers.DateTimeField):
    """A moment as sent: with an offset, that instant; without one, left naive for the service to
    read on the store's clock (``store_moment``), never on the project's TIME_ZONE. Input only."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value


class SlotOutputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    left = serializers.IntegerField(help_text="Bookings this window still takes for this model and paint.")


class TransitionOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.CharField(
        help_text='"booked", "paid", "arriving" (said they were at the store), "extended", "swap_booked", or the state entered.'
    )
    to = serializers.CharField(
        allow_null=True,
        help_text="The state entered (one of `state`'s values); null for booked, paid, arriving, extended and swap_booked.",
    )
    # An output key: DRF takes declared fields off the class, so Field.label is not replaced.
    label = serializers.CharField()  # type: ignore[assignment]


class TestDriveOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    car_model = serializers.CharField(source="car_model.slug")
    paint = serializers.IntegerField(source="paint_id")
    store = serializers.CharField(source="store.slug")
    slot_start = serializers.DateTimeField()
    slot_end = serializers.DateTimeField()
    pickup_code = serializers.CharField()
    return_code = serializers.CharField(allow_null=True)
    departed_at = serializers.DateTimeField(allow_null=True)
    due_back_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    fee_cny = serializers.IntegerField()
    fee_paid = serializers.BooleanField(source="fee_is_paid")
    late_fee_cny = serializers.IntegerField()
    swap_of = serializers.IntegerField(
        source="swap_of_id",
        allow_null=True,
        help_text="For a swapped car: the booking of the car it replaced.",
    )


class TestDriveDetailOutputSerializer(TestDriveOutputSerializer):
    timeline = TransitionOutputSerializer(
        many=True,
        help_text="One row per meaningful event, oldest first: the same list as the portal's.",
    )
    return_photos = ReturnPhotoOutputSerializer(
        many=True,
        source="return_photo_list",
        help_text="The pictures of the car's four sides (and close-ups) sent for its return.",
    )
    charge = ChargeOutputSerializer(
        allow_null=True,
        help_text="What the review of the return charged (damage or excess use), if anything.",
    )


class _Output(TypedDict):
    fee_is_paid: bool
    timeline: list[JourneyEvent]  # set for the detail only
    return_photo_list: object  # the detail only
    charge: object  # the detail only


def testdrive_output(td: TestDrive, *, detail: bool = False) -> dict[str, object]:
    # The output serializers read these from the booking, beside its fields.
    out = cast("WithAnnotations[TestDrive, _Output]", td)
    out.fee_is_paid = td.fee_cny == 0 or testdrive_fee_pending(test_drive=td) is None
    # Times carry the store's offset: the window reads as the store's opening hours.
    with timezone.override(td.store.zone):
        if not detail:
            return TestDriveOutputSerializer(out).data
        out.timeline = testdrive_journey(test_drive=td)
        returned = return_output(td)
        out.return_photo_list, out.charge = returned["return_photos"], returned["charge"]
        return TestDriveDetailOutputSerializer(out).data


class KioskRequest(Request):
    """Type only: a request that ``KioskApi`` let through; ``IsKiosk`` checked that it
    authenticated as a kiosk."""

    auth: Kiosk


# --- Slots and booking ----------------------------------------------------------------------


class SlotListApi(APIView):
    permission_classes = [AllowAny]

    class SlotQuerySerializer(serializers.Serializer):
        store = serializers.SlugField()
        model = serializers.SlugField()
        paint = serializers.IntegerField(required=False)
        date = serializers.DateField(
            help_text="The store's local calendar day: from its today to the last day open for booking."
        )

    @extend_schema(
        tags=TAGS,
        summary="Pickup windows of a day, with how many are left",
        parameters=[SlotQuerySerializer],
        responses={
            200: SlotOutputSerializer(many=True),
            400: OpenApiResponse(ERROR, description="A bad parameter, or a day outside the booking range."),
            404: OpenApiResponse(ERROR, description="No such store or model."),
        },
    )
    def get(self, request: Request) -> Response:
        query = self.SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        store = get_object_or_404(Store, slug=data["store"])
        if not booking_day_in_range(store=store, day=data["date"]):
            raise serializers.ValidationError(
                {"date": [_("Pick a day from today to the last day open for booking.")]}
            )
        car_model = get_object_or_404(CarModel, slug=data["model"])
        paint = get_object_or_404(Paint, pk=data["paint"], car_model=car_model) if "paint" in data else None
        slots = slot_list(store=store, car_model=car_model, paint=paint, day=data["date"])
        with timezone.override(store.zone):  # the windows read as the store's opening hours
            return Response(SlotOutputSerializer(slots, many=True).data)


class TestDriveListCreateApi(MemberApi):
    class BookInputSerializer(serializers.Serializer):
        model = serializers.SlugField()
        paint = serializers.IntegerField()
        store = serializers.SlugField()
        slot_start = StoreClockDateTimeField(
            help_text="The start of a window from the slots list; without an offset, on the store's clock."
        )

    @extend_schema(tags=TAGS, summary="My test drives", responses={200: TestDriveOutputSerializer(many=True)})
    def get(self, request: MemberRequest) -> Response:
        drives = testdrive_list_for_member(member=request.member).prefetch_related("payments")
        return Response([testdrive_output(td) for td in drives])

    @extend_schema(
        tags=TAGS,
        summary="Book a test drive",
        description="Holds one car for the window and the 72 hours after. Send an `Idempotency-Key` "
        "header (a UUID): the same key again returns the same booking (200) instead of a second one.",
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER)],
        request=BookInputSerializer,
        responses={
            201: TestDriveDetailOutputSerializer,
            200: OpenApiResponse(
                TestDriveDetailOutputSerializer, description="The same Idempotency-Key again."
            ),
            400: OpenApiResponse(ERROR, description="Not an open window, or a paint of another model."),
            404: OpenApiResponse(ERROR, description="No such model, paint or store."),
            409: OpenApiResponse(ERROR, description="No car left for that time, or the window is full."),
            422: OpenApiResponse(
                REFUSED,
                description="Every eligibility or quota rule that failed, or an Idempotency-Key "
                "already used for a different booking (code `idempotency_key_reused`).",
            ),
        },
    )
    def post(self, request: MemberRequest) -> Response:
        serializer = self.BookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = _idempotency_key(request)
        car_model = get_object_or_404(CarModel, slug=data["model"])
        paint = get_object_or_404(Paint, pk=data["paint"])
        store = get_object_or_404(Store, slug=data["store"])
        booked = testdrive_book_once(
            member=request.member,
            car_model=car_model,
            paint=paint,
            store=store,
            slot_start=data["slot_start"],
            request_key=key,
        )
        code = status.HTTP_200_OK if booked.replayed else status.HTTP_201_CREATED
        return Response(testdrive_output(booked.test_drive, detail=True), status=code)


def _idempotency_key(request: Request) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise exceptions.ValidationError({"Idempotency-Key": "Must be a UUID."}) from exc


class TestDriveDetailApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="One of my test drives, with its timeline",
        responses={
            200: TestDriveDetailOutputSerializer,
            404: OpenApiResponse(ERROR, description="Not yours, or none."),
        },
    )
    def get(self, request: MemberRequest, pk: int) -> Response:
        return Response(testdrive_output(testdrive_get_for_member(member=request.member, pk=pk), detail=True))


class TestDriveCancelApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Cancel my booking (until check-in)",
        request=None,
        responses={
            200: TestDriveDetailOutputSerializer,
            404: ERROR,
            409: OpenApiResponse(ERROR, description="Too late."),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_cancel(
            test_drive=testdrive_get_for_member(member=request.member, pk=pk), by=request.member.user
        )
        return Response(testdrive_output(td, detail=True))


class TestDriveRescheduleApi(MemberApi):
    class RescheduleInputSerializer(serializers.Serializer):
        store = serializers.SlugField(help_text="The store's slug.")
        paint = serializers.IntegerField(help_text="A paint of the booking's model.")
        slot_start = StoreClockDateTimeField(
            help_text="The start of an open pickup window; without an offset, on the store's clock."
        )

    @extend_schema(
        tags=TAGS,
        summary="Move my booking to another window, day, store or paint (same model)",
        request=RescheduleInputSerializer,
        responses={
            200: TestDriveDetailOutputSerializer,
            400: ERROR,
            404: ERROR,
            409: OpenApiResponse(ERROR, description="Checked in already, window full or no car free."),
            422: REFUSED,
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        data = self.RescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = get_object_or_404(Store, slug=data.validated_data["store"])
        paint = get_object_or_404(Paint, pk=data.validated_data["paint"], car_model_id=td.car_model_id)
        moved = testdrive_reschedule(
            test_drive=td,
            member=request.member,
            store=store,
            paint=paint,
            slot_start=data.validated_data["slot_start"],
        )
        return Response(testdrive_output(moved, detail=True))


class TestDrivePayApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Pay the test-drive fee",
        request=None,
        responses={200: TestDriveDetailOutputSerializer, 402: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        testdrive_pay_fee(test_drive=td)
        return Response(testdrive_output(td, detail=True))


class VehicleRecordOutputSerializer(serializers.Serializer):
    class NoteOutputSerializer(serializers.Serializer):
        returned_at = serializers.DateTimeField(allow_null=True)
        damage_noted = serializers.CharField()
        inspection_notes = serializers.CharField()

    class PhotoOutputSerializer(serializers.Serializer):
        url = serializers.SerializerMethodField()
        caption = serializers.CharField()

        def get_url(self, photo: VehiclePhoto) -> str:
            request = self.context.get("request")
            url = photo.image.url
            return request.build_absolute_uri(url) if request is not None else url

    vin = serializers.CharField(
        source="vehicle.vin", help_text="Send it with the purchase: it buys this car."
    )
    car_model = serializers.SlugField(source="vehicle.car_model.slug")
    paint_id = serializers.IntegerField(source="vehicle.paint_id")
    odometer_km = serializers.IntegerField()
    built_on = serializers.DateField(allow_null=True)
    test_drives = serializers.IntegerField(help_text="Times customers drove it, this drive included.")
    is_new = serializers.BooleanField(help_text="False for any car that has been test-driven.")
    notes = NoteOutputSerializer(many=True, help_text="What was noted at its returns (damage, inspection).")
    photos = PhotoOutputSerializer(many=True, help_text="Staff's photos of this very car.")


class TestDriveCarApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="The car of this test drive, as you would buy it",
        description="Its own record: odometer, build date, how often it was test-driven, what was "
        "noted at its returns, and staff's photos. The purchase is of this car; send its `vin` with it.",
        responses={200: VehicleRecordOutputSerializer, 401: ERROR, 404: ERROR},
    )
    def get(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        record = vehicle_record_get(vehicle_id=td.vehicle_id)
        return Response(VehicleRecordOutputSerializer(record, context={"request": request}).data)


class TestDrivePurchaseApi(MemberApi):
    class PurchaseInputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=PurchaseMethod.choices)
        down_payment_cny = serializers.IntegerField(required=False, min_value=1)
        term_months = serializers.IntegerField(required=False)
        vin = serializers.CharField(
            required=False,
            max_length=17,
            help_text="The VIN of the car whose record you were shown (`/car/`): another car is refused "
            "(409) before anything is charged.",
        )

    class PurchaseOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        vin = serializers.CharField(source="vehicle.vin", help_text="The car bought.")
        price_cny = serializers.IntegerField()
        method = serializers.CharField()
        down_payment_cny = serializers.IntegerField()
        financed_cny = serializers.IntegerField()
        finance_term_months = serializers.IntegerField(allow_null=True)

    @extend_schema(
        tags=TAGS,
        summary="Buy the car of this test drive",
        request=PurchaseInputSerializer,
        responses={201: PurchaseOutputSerializer, 402: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        serializer = self.PurchaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = testdrive_purchase(
            test_drive=testdrive_get_for_member(member=request.member, pk=pk),
            member=request.member,
            **serializer.validated_data,
        )
        return Response(self.PurchaseOutputSerializer(order).data, status=status.HTTP_201_CREATED)


# --- Kiosk ----------------------------------------------------------------------------------


class KioskAuthentication(BaseAuthentication):
    """``Authorization: Kiosk <token>``: the request acts for that kiosk's store, as no user."""

    keyword = "Kiosk"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Kiosk] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        kiosk = kiosk_for_token(header[len(self.keyword) + 1 :].strip())
        if kiosk is None:
            raise exceptions.AuthenticationFailed("Unknown or inactive kiosk token.")
        return AnonymousUser(), kiosk

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class KioskAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "testdrives.api.KioskAuthentication"
    name = "kioskToken"

    def get_security_definition(self, auto_schema: "AutoSchema") -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Kiosk <token>`, the token staff made for this kiosk in the admin.",
        }


class IsKiosk(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, Kiosk)


class KioskApi(APIView):
    authentication_classes = [KioskAuthentication]
    permission_classes = [IsKiosk]


class KioskStatusOutputSerializer(serializers.Serializer):
    pickup_code = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    delivery_bay = serializers.CharField(source="delivery_bay.code", allow_null=True, default=None)
    due_back_at = serializers.DateTimeField(allow_null=True)


class KioskCheckInApi(KioskApi):
    class CheckInInputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=20)

    @extend_schema(
        tags=KIOSK_TAGS,
        summary="Check in with a pickup code",
        request=CheckInInputSerializer,
        responses={200: KioskStatusOutputSerializer, 402: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: KioskRequest) -> Response:
        serializer = self.CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        td = testdrive_check_in(kiosk=request.auth, pickup_code=serializer.validated_data["code"])
        return Response(KioskStatusOutputSerializer(td).data)


class KioskStatusApi(KioskApi):
    @extend_schema(
        tags=KIOSK_TAGS,
        summary="Where a booking stands",
        responses={200: KioskStatusOutputSerializer, 404: ERROR},
    )
    def get(self, request: KioskRequest, code: str) -> Response:
        td = get_object_or_404(
            TestDrive.objects.select_related("delivery_bay"),
            pickup_code=code_normalize(code),
            store_id=request.auth.store_id,
        )
        return Response(KioskStatusOutputSerializer(td).data)


# --- May I test-drive this model? (the member's side of booking eligibility) -----------------


class EligibilityApi(MemberApi):
    class EligibilityInputSerializer(serializers.Serializer):
        model = serializers.SlugField(help_text="The car model's slug.")
        at = serializers.DateTimeField(required=False, help_text="When the drive would start; default now.")

    class EligibilityOutputSerializer(serializers.Serializer):
        model = serializers.SlugField(source="car_model.slug")
        at = serializers.DateTimeField()
        tier = serializers.ChoiceField(choices=Tier.choices)
        decision = serializers.ChoiceField(choices=["allowed", "allowed_with_fee", "refused"])
        fee_cny = serializers.IntegerField(
            allow_null=True,
            help_text="0 when allowed outright; the fee when below the credit bar; null when refused.",
        )
        rules = RuleOutputSerializer(many=True)

    @extend_schema(
        tags=MEMBER_TAGS,
        summary="May I test-drive this model?",
        description="Every rule (credit, licence through the whole drive, age, blacklist, the three "
        "quotas) with pass/fail and the reason in both languages, and whether face pickup is set up "
        "(optional: without it staff check the documents at pickup).",
        parameters=[
            OpenApiParameter("model", OpenApiTypes.STR, required=True, description="A car model slug."),
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="Start of the drive; default now."),
        ],
        responses={
            200: EligibilityOutputSerializer,
            400: OpenApiResponse(description="Bad parameters."),
            401: OpenApiResponse(ERROR, description="No valid token or session, or no member profile."),
            404: ERROR,
        },
    )
    def get(self, request: MemberRequest) -> Response:
        params = self.EligibilityInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        car_model = CarModel.objects.filter(slug=params.validated_data["model"], is_listed=True).first()
        if car_model is None:
            raise Http404("No listed car model has this slug.")
        at: datetime = params.validated_data.get("at") or timezone.now()
        eligibility = member_eligibility(member=request.member, car_model=car_model, at=at)
        return Response(eligibility_output(eligibility))


def eligibility_output(eligibility: Eligibility) -> dict[str, object]:
    return EligibilityApi.EligibilityOutputSerializer(
        {
            "car_model": eligibility.car_model,
            "at": eligibility.at,
            "tier": eligibility.tier,
            "decision": eligibility.decision,
            "fee_cny": eligibility.fee_cny,
            "rules": [rule_output(r) for r in eligibility.rules],
        }
    ).data
