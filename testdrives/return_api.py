"""The member's return through the API: send a picture of one side of the car during the drive,
and fetch any picture of the return (the booking's detail lists them, and the charge). Right
after pickup, report damage already on the car with a picture (``pickup-photos``)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from members.api import MemberApi, MemberRequest
from testdrives.models import CarSide, ChargeKind, PaymentStatus, PickupPhoto, ReturnPhoto, TestDrive
from testdrives.return_views import photo_response
from testdrives.selectors import testdrive_get_for_member
from testdrives.services.return_photos import ReturnView, return_view
from testdrives.services.returns import testdrive_pickup_photo_add, testdrive_return_photo_add

TAGS = ["test drives"]


class ReturnPhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.ChoiceField(choices=CarSide.choices, allow_blank=True, help_text='"" for a close-up.')
    url = serializers.CharField(help_text="The picture, for this booking's member only.")


class ChargeOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChargeKind.choices)
    kind_label = serializers.CharField()
    amount_cny = serializers.IntegerField()
    reason = serializers.CharField()
    payment_status = serializers.ChoiceField(choices=PaymentStatus.choices)
    photos = ReturnPhotoOutputSerializer(many=True)


def _photo(td: TestDrive, photo: ReturnPhoto) -> dict[str, object]:
    url = reverse("api-testdrive-return-photo", kwargs={"pk": td.pk, "photo_pk": photo.pk})
    return {"id": photo.pk, "side": photo.side, "url": url}


def return_output(td: TestDrive, view: ReturnView | None = None) -> dict[str, object]:
    """``return_photos`` and ``charge`` of a booking's detail."""
    view = view or return_view(test_drive=td)
    photos = [v.photo for v in view.sides if v.photo] + view.others
    charge = view.charge
    return {
        "return_photos": [_photo(td, p) for p in photos],
        "charge": None
        if charge is None
        else {
            "kind": charge.kind,
            "kind_label": charge.get_kind_display(),
            "amount_cny": charge.amount_cny,
            "reason": charge.reason,
            "payment_status": charge.payment.status,
            "photos": [_photo(td, p) for p in view.charge_photos],
        },
    }


class TestDriveReturnPhotoAddApi(MemberApi):
    parser_classes = [MultiPartParser]

    class ReturnPhotoInputSerializer(serializers.Serializer):
        side = serializers.ChoiceField(choices=CarSide.choices)
        image = serializers.FileField(help_text="JPEG, PNG or WebP; the usual upload limits apply.")

    @extend_schema(
        tags=TAGS,
        summary="Send a picture of one side of the car during the drive (again: it replaces it)",
        request={"multipart/form-data": ReturnPhotoInputSerializer},
        responses={
            201: ReturnPhotoOutputSerializer,
            400: OpenApiResponse(description="Not an image, too large, or an unknown side."),
            404: OpenApiResponse(description="Not yours, or none."),
            409: OpenApiResponse(description="The car is not out on a drive."),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        data = self.ReturnPhotoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = testdrive_return_photo_add(
            test_drive=td,
            side=data.validated_data["side"],
            upload=data.validated_data["image"],
            by=request.member.user,
        )
        return Response(_photo(td, photo), status=status.HTTP_201_CREATED)


class TestDriveReturnPhotoApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="One picture of my returned car",
        responses={(200, "image/*"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="None.")},
    )
    def get(self, request: MemberRequest, pk: int, photo_pk: int) -> object:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        return photo_response(get_object_or_404(ReturnPhoto, pk=photo_pk, test_drive=td))


class PickupPhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.ChoiceField(choices=CarSide.choices, allow_blank=True, help_text='"" for a close-up.')
    note = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The picture, for this booking's member only.")


def _pickup_photo(td: TestDrive, photo: PickupPhoto) -> dict[str, object]:
    url = reverse("api-testdrive-pickup-photo", kwargs={"pk": td.pk, "photo_pk": photo.pk})
    return {"id": photo.pk, "side": photo.side, "note": photo.note, "url": url}


class TestDrivePickupPhotoAddApi(MemberApi):
    parser_classes = [MultiPartParser]

    class PickupPhotoInputSerializer(serializers.Serializer):
        side = serializers.ChoiceField(
            choices=CarSide.choices,
            allow_blank=True,
            required=False,
            default="",
            help_text='"" for a close-up.',
        )
        note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
        image = serializers.FileField(help_text="JPEG, PNG or WebP; the usual upload limits apply.")

    @extend_schema(
        tags=TAGS,
        summary="Report damage already on the car, right after pickup (a side again replaces it)",
        description="Accepted in the first TESTDRIVE_PICKUP_PHOTOS_MINUTES after leaving the bay; the "
        "review of the return compares with these pictures.",
        request={"multipart/form-data": PickupPhotoInputSerializer},
        responses={
            201: PickupPhotoOutputSerializer,
            400: OpenApiResponse(description="Not an image, too large, or an unknown side."),
            404: OpenApiResponse(description="Not yours, or none."),
            409: OpenApiResponse(description="Not on the road, or too long after the pickup."),
        },
    )
    def post(self, request: MemberRequest, pk: int) -> Response:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        data = self.PickupPhotoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = testdrive_pickup_photo_add(
            test_drive=td,
            side=data.validated_data["side"],
            upload=data.validated_data["image"],
            note=data.validated_data["note"],
        )
        return Response(_pickup_photo(td, photo), status=status.HTTP_201_CREATED)


class TestDrivePickupPhotoApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="One picture of damage I reported at pickup",
        responses={(200, "image/*"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="None.")},
    )
    def get(self, request: MemberRequest, pk: int, photo_pk: int) -> object:
        td = testdrive_get_for_member(member=request.member, pk=pk)
        return photo_response(get_object_or_404(PickupPhoto, pk=photo_pk, test_drive=td))
