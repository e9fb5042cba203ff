"""Changing a drive under way from the phone app: extend it, or swap the car (one view each).

The rules are in ``testdrives.services.extend`` and ``testdrives.services.swap`` and
docs/EXTEND-AND-SWAP.md; refusals reach ``vendingstore.api_errors.api_exception_handler`` (409 with
the reason, e.g. when the car's next booking starts; 402 for a declined extension fee; 422 for a
swap to a model the member may not drive, with every failed rule).
"""

import uuid

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from fleet.models import CarModel, Paint
from members.api import MemberApi, MemberRequest
from testdrives.api import (
    ERROR,
    REFUSED,
    TAGS,
    TestDriveDetailOutputSerializer,
    _idempotency_key,
    testdrive_output,
)
from testdrives.models import Extension
from testdrives.selectors import testdrive_get_for_member
from testdrives.services.extend import testdrive_extend, testdrive_extend_options
from testdrives.services.swap import testdrive_swap, testdrive_swap_pending

EXTEND_REFUSED = inline_serializer(
    "ExtensionRefusedOutput",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "latest_due_back_at": serializers.DateTimeField(
            required=False,
            help_text="The latest due-back time still possible, when the car's calendar limits it.",
        ),
    },
)


class ExtensionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hours = serializers.IntegerField()
    due_before = serializers.DateTimeField()
    due_after = serializers.DateTimeField(help_text="The new due-back time.")
    fee_cny = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Extension.Status.choices)


class TestDriveExtendApi(MemberApi):
    class ExtendInputSerializer(serializers.Serializer):
        hours = serializers.IntegerField(min_value=1, help_text="Hours to add to the due-back time.")

    class ExtendOutputSerializer(serializers.Serializer):
        extension = ExtensionOutputSerializer()
        test_drive = TestDriveDetailOutputSerializer()

    @extend_schema(
        tags=TAGS,
        summary="Keep the car longer (a drive on the road)",
        description="Moves the due-back time and the car's hold, when the car's next booking allows, up to "
        "`TESTDRIVE_EXTEND_MAX_HOURS` past the first due time. A fee per started extra day is charged at once. "
        "Send an `Idempotency-Key` header (a UUID): the same key again returns the same extension (200).",
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER)],
        request=ExtendInputSerializer,
        responses={
            201: ExtendOutputSerializer,
            200: OpenApiResponse(ExtendOutputSerializer, description="The same Idempotency-Key again."),
            400: ERROR,
            402: OpenApiResponse(ERROR, description="The fee was declined: the drive is not extended."),
            404: ERROR,
            409: OpenApiResponse(
                EXTEND_REFUSED, description="Not on the road, past the due time, or the car is booked again."
            ),
            422: OpenApiResponse(ERROR, description="An Idempotency-Key already used for other hours."),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        data = self.ExtendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = _idempotency_key(request)
        replayed = key is not None and td.extensions.filter(request_key=key).exists()
        extension = testdrive_extend(
            test_drive=td,
            member=request.member,
            hours=data.validated_data["hours"],
            request_key=key or uuid.uuid4(),
        )
        td.refresh_from_db()
        body = {
            "extension": ExtensionOutputSerializer(extension).data,
            "test_drive": testdrive_output(td, detail=True),
        }
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


class TestDriveExtendOptionsApi(MemberApi):
    class OptionsOutputSerializer(serializers.Serializer):
        possible = serializers.BooleanField()
        reason = serializers.CharField(
            help_text="Why it cannot be extended (further), in words; empty if it can."
        )
        latest_due_back_at = serializers.DateTimeField(allow_null=True, source="latest")
        next_booking_at = serializers.DateTimeField(
            allow_null=True,
            help_text="When the car's next booking starts, if that is what limits the extension.",
        )
        hours = inline_serializer(
            "ExtendOption",
            {
                "hours": serializers.IntegerField(),
                "due_back_at": serializers.DateTimeField(),
                "fee_cny": serializers.IntegerField(),
            },
            many=True,
        )

    @extend_schema(
        tags=TAGS,
        summary="How much longer I may keep the car, and at what fee",
        responses={200: OptionsOutputSerializer, 404: ERROR},
    )
    def get(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        options = testdrive_extend_options(test_drive=td, now=timezone.now())
        body = {
            "possible": options.possible,
            "reason": options.reason,
            "latest": options.latest,
            "next_booking_at": options.next_booking_at,
            "hours": [{"hours": h, "due_back_at": due, "fee_cny": fee} for h, due, fee in options.hours],
        }
        return Response(self.OptionsOutputSerializer(body).data)


class TestDriveSwapApi(MemberApi):
    class SwapInputSerializer(serializers.Serializer):
        model = serializers.SlugField(help_text="The new car's model (another model).")
        paint = serializers.IntegerField(help_text="A paint of that model.")

    @extend_schema(
        tags=TAGS,
        summary="Swap the car for another model (once per drive)",
        description="Holds a free car of the model at the same store until the due-back time and returns the "
        "swap booking, with its own pickup code: return the first car at the kiosk with its return code, then "
        "pick this one up there. The due-back time stays the first car's. Asking again for the same model and "
        "paint returns the same swap (200).",
        request=SwapInputSerializer,
        responses={
            201: TestDriveDetailOutputSerializer,
            200: OpenApiResponse(TestDriveDetailOutputSerializer, description="The same swap again."),
            400: ERROR,
            404: OpenApiResponse(ERROR, description="Not yours, or no such model or paint."),
            409: OpenApiResponse(
                ERROR,
                description="Not on the road, already swapped, the same model (`swap_refused`), or no car of "
                "that model and paint free at the store (`no_car_left`).",
            ),
            422: OpenApiResponse(REFUSED, description="Every quota or eligibility rule the new model fails."),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        data = self.SwapInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        car_model = get_object_or_404(CarModel, slug=data.validated_data["model"])
        paint = get_object_or_404(Paint, pk=data.validated_data["paint"], car_model=car_model)
        existing = testdrive_swap_pending(test_drive=td)
        swap = testdrive_swap(test_drive=td, member=request.member, car_model=car_model, paint=paint)
        replayed = existing is not None and existing.pk == swap.pk
        return Response(
            testdrive_output(swap, detail=True),
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )
