"""The member's face pickup over the API: consent (read, give, withdraw), the face photo's status,
and a new enrolment, so a phone app can do the whole journey. No endpoint ever returns a template
or a photo."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from biometrics.consent import CONSENT_PARAGRAPHS, CONSENT_VERSION
from biometrics.selectors import consent_open, face_status
from biometrics.services import consent_give, consent_withdraw, face_enrol
from members.api import MemberApi, MemberRequest
from members.models import Member
from vendingstore.uploads import limits, upload_read

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


def face_status_data(member: Member) -> dict[str, object]:
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
    def get(self, request: MemberRequest) -> Response:
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
    def post(self, request: MemberRequest) -> Response:
        serializer = self.EnrolInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Checked here (size, header, a cheap integrity pass); decoded by the enrolment task.
        photo = upload_read(
            upload=serializer.validated_data["photo"],
            limits=limits(max_bytes=settings.BIOMETRICS_MAX_UPLOAD_BYTES),
        )
        face_enrol(member=request.member, photo=photo.data)
        return Response(face_status_data(request.member), status=status.HTTP_202_ACCEPTED)


class FaceConsentOutputSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="Version of the consent text below (the current one).")
    language = serializers.CharField(help_text="Language of the text: the member's own (en or zh-hans).")
    paragraphs = serializers.ListField(child=serializers.CharField(), help_text="The consent text.")
    given = serializers.BooleanField(help_text="Consent in force.")
    given_at = serializers.DateTimeField(allow_null=True)
    given_version = serializers.CharField(allow_null=True, help_text="The version the member agreed to.")


def _consent_language(member: Member) -> str:
    """The language the member reads the consent text in."""
    return member.preferred_language or translation.get_language() or "en"


def face_consent_data(member: Member) -> dict[str, object]:
    """The current consent text in the member's language, and where the member stands."""
    language = _consent_language(member)
    current = consent_open(member=member)
    with translation.override(language):
        return FaceConsentOutputSerializer(
            {
                "version": CONSENT_VERSION,
                "language": language,
                "paragraphs": [str(paragraph) for paragraph in CONSENT_PARAGRAPHS],
                "given": current is not None,
                "given_at": current.given_at if current else None,
                "given_version": current.version if current else None,
            }
        ).data


class FaceConsentApi(MemberApi):
    """Consent to face enrolment and face pickup: optional, separate from the terms, withdrawable."""

    parser_classes = [JSONParser]

    class GiveInputSerializer(serializers.Serializer):
        agree = serializers.BooleanField(help_text="Must be true: the member ticked 'I agree'.")
        version = serializers.CharField(
            required=False,
            help_text="The version the member was shown; refused if it is not the current one.",
        )

    @extend_schema(
        tags=TAGS,
        summary="The face pickup consent text and whether I gave it",
        responses={200: FaceConsentOutputSerializer},
    )
    def get(self, request: MemberRequest) -> Response:
        return Response(face_consent_data(request.member))

    @extend_schema(
        tags=TAGS,
        summary="Give my consent to face pickup",
        description="Giving it twice keeps the first consent. Show the text from GET first.",
        request=GiveInputSerializer,
        responses={
            201: FaceConsentOutputSerializer,
            400: OpenApiResponse(ERROR, description="Not agreed, or an outdated version of the text."),
        },
    )
    def post(self, request: MemberRequest) -> Response:
        serializer = self.GiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not data["agree"]:
            raise serializers.ValidationError({"agree": [_("Tick the box to show that you agree.")]})
        if data.get("version", CONSENT_VERSION) != CONSENT_VERSION:
            raise serializers.ValidationError(
                {"version": [_("The consent text has changed. Please read the new version.")]}
            )
        consent_give(member=request.member, language=_consent_language(request.member))
        return Response(face_consent_data(request.member), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        summary="Withdraw my consent to face pickup",
        description="Takes effect at once: the face template is deleted. Pickup goes by the ID check.",
        responses={200: FaceConsentOutputSerializer},
    )
    def delete(self, request: MemberRequest) -> Response:
        consent_withdraw(member=request.member)
        return Response(face_consent_data(request.member))
