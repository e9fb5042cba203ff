"""The member's face photo over the API: its status, and a new enrolment. No endpoint ever returns
a template or a photo."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from biometrics.selectors import face_status
from biometrics.services import face_enrol
from biometrics.uploads import photo_bytes
from members.api import MemberApi

TAGS = ["face pickup"]
ERROR = inline_serializer(
    "FaceErrorOutput", {"code": serializers.CharField(), "detail": serializers.CharField()}
)


class FaceStatusOutputSerializer(serializers.Serializer):
    consent = serializers.BooleanField(help_text="Consent to face pickup in force.")
    enrolled = serializers.BooleanField(help_text="A face template of the current face model is on file.")
    retake_required = serializers.BooleanField(
        help_text="The template on file was made by an older face model: ask the member for a new photo "
        "(the old template is deleted when the new one is stored). Until then pickup uses the ID check."
    )
    latest_status = serializers.CharField(allow_null=True, help_text="pending, done or refused.")
    retake_reason = serializers.CharField(allow_null=True)
    retake_message = serializers.CharField(allow_null=True)


def face_status_data(member: object) -> dict[str, object]:
    current = face_status(member=member)
    return FaceStatusOutputSerializer(
        {
            "consent": current.consent is not None,
            "enrolled": current.enrolled,
            "retake_required": current.retake_required,
            "latest_status": current.latest.status if current.latest else None,
            "retake_reason": current.retake_reason,
            "retake_message": current.retake_message,
        }
    ).data


class FaceApi(MemberApi):
    parser_classes = [MultiPartParser]

    class EnrolInputSerializer(serializers.Serializer):
        photo = serializers.FileField(help_text="JPEG, PNG or WebP; one face, good light.")

    @extend_schema(
        tags=TAGS,
        summary="My face photo: consent and enrolment status",
        responses={200: FaceStatusOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(face_status_data(request.member))

    @extend_schema(
        tags=TAGS,
        summary="Enrol (or replace) my face photo",
        description="Checked at once for size and format; the face itself is checked by a worker, so "
        "poll GET for the result. The photo is deleted once its template exists.",
        request=EnrolInputSerializer,
        responses={
            202: FaceStatusOutputSerializer,
            400: OpenApiResponse(ERROR, description="Not a photo, too large, or truncated."),
            409: OpenApiResponse(ERROR, description="No consent to face pickup."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.EnrolInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        face_enrol(member=request.member, photo=photo_bytes(serializer.validated_data["photo"]))
        return Response(face_status_data(request.member), status=status.HTTP_202_ACCEPTED)
