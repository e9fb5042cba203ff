"""POST /api/v1/snapcar/: a photo in, suggested catalogue models and the paint out."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet.serializers import PaintOutputSerializer
from snapcar.conf import upload_limits
from snapcar.selectors import DEFAULT_LIMIT, Suggestion, snapcar_query
from vendingstore.uploads import upload_bytes


class SnapcarErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["photo_too_large", "photo_unreadable", "no_car", "snapcar_unavailable", "invalid"]
    )
    detail = serializers.CharField(help_text="A message for the customer, in the request's language.")


class SnapcarQueryApi(APIView):
    # Anyone may search by photo; no session means no CSRF check for the phone app.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        photo = serializers.FileField(
            help_text="A JPEG, PNG or WebP photo within the store's limits: SNAPCAR_MAX_UPLOAD_BYTES "
            "(12 MB by default), SNAPCAR_MAX_PIXELS (50 MP) and, for PNG and WebP, "
            "UPLOAD_MAX_FULL_DECODE_PIXELS (4 MP); the 400 answer's detail states them."
        )
        limit = serializers.IntegerField(min_value=1, max_value=10, default=DEFAULT_LIMIT, required=False)

    class PaintReadingSerializer(serializers.Serializer):
        family = serializers.CharField(
            help_text="white, silver, black, red, orange, yellow, green, blue, purple or beige."
        )
        display = serializers.CharField(source="label", help_text="The family in the request's language.")
        confidence = serializers.FloatField(help_text="0–1.")
        needs_confirmation = serializers.BooleanField(
            help_text="True for white, silver and black and for low confidence: ask the customer."
        )
        lab = serializers.ListField(
            child=serializers.FloatField(), help_text="CIE L*a*b* of the body pixels read."
        )

    class SuggestionSerializer(serializers.Serializer):
        slug = serializers.SlugField(source="car_model.slug")
        brand = serializers.CharField(source="car_model.brand.display_name")
        display_name = serializers.CharField(source="car_model.display_name")
        score = serializers.FloatField(help_text="0–1; the scores of all models add up to at most 1.")
        similarity = serializers.FloatField(
            help_text="Cosine similarity to this model's nearest catalogue photo."
        )
        same_picture = serializers.BooleanField(
            help_text="The photo is of one of our own catalogue pictures."
        )
        paint = PaintOutputSerializer(
            allow_null=True, help_text="The model's paint nearest the car's colour."
        )
        url = serializers.SerializerMethodField()
        booking_url = serializers.SerializerMethodField()

        def get_url(self, suggestion: Suggestion) -> str:
            return self.context["request"].build_absolute_uri(suggestion.car_model.get_absolute_url())

        def get_booking_url(self, suggestion: Suggestion) -> str:
            return self.get_url(suggestion) + "#book"

        def to_representation(self, suggestion: Suggestion) -> dict:
            data = super().to_representation(suggestion)
            data["same_picture"] = suggestion.same_picture is not None
            return data

    class OutputSerializer(serializers.Serializer):
        suggestions = serializers.SerializerMethodField()
        paint = serializers.SerializerMethodField()
        vehicle_probability = serializers.FloatField(
            help_text="How sure the network is that a car is shown, 0–1."
        )
        catalogue_photos = serializers.IntegerField(help_text="Catalogue photos compared; 0 means none yet.")
        notice = serializers.SerializerMethodField()

        def get_suggestions(self, answer) -> list[dict]:
            # many=True makes a ListSerializer, whose data is a list; the stubs keep the child's type.
            return SnapcarQueryApi.SuggestionSerializer(  # type: ignore[return-value]
                answer.suggestions, many=True, context=self.context
            ).data

        def get_paint(self, answer) -> dict:
            return SnapcarQueryApi.PaintReadingSerializer(answer.paint).data

        def get_notice(self, answer) -> str:
            return str(_("Results are suggestions, not an identification."))

    @extend_schema(
        tags=["catalogue"],
        summary="Find catalogue models from a photo of a car",
        description="Send a photo (multipart field `photo`). The answer ranks the catalogue models the "
        "car most likely is, best first, with a score, whether the photo is of one of our own catalogue "
        "pictures, and the model's paint nearest the car's body colour. Results are suggestions. "
        "A photo without a car, an unreadable file or one over the limits is answered with 400 and a `code`.",
        request={"multipart/form-data": InputSerializer},
        responses={
            200: OpenApiResponse(OutputSerializer, description="Suggestions, best first."),
            400: OpenApiResponse(SnapcarErrorSerializer, description="No car, unreadable, or too large."),
            503: OpenApiResponse(
                SnapcarErrorSerializer, description="The image model is not installed here."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        # Anonymous and costly (a decode and a network pass): the API's per-address throttle for
        # anonymous clients (REST_FRAMEWORK's AnonAddressThrottle) covers it.
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = snapcar_query(
            image=upload_bytes(upload=data.validated_data["photo"], limits=upload_limits()),
            limit=data.validated_data["limit"],
        )
        return Response(self.OutputSerializer(answer, context={"request": request}).data)
