"""The public, read-only catalogue API: brands, models and stores.

One view per operation; the querysets come from ``fleet.selectors`` and the filters from
``fleet.filters``, the same ones the portal uses, so both always show the same cars.
"""

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fleet.compare import MAX_COMPARED, CompareRefused, carmodel_list_compared, compare_slugs_parse
from fleet.filters import CarModelFilter
from fleet.models import Brand, CarModel, Store, StoreHours, Tower
from fleet.pricing import (
    FinanceRefused,
    finance_min_down_payment,
    finance_quote,
    finance_terms,
    price_breakdown,
)
from fleet.search import MAX_QUERY_LENGTH, carmodel_search_suggest
from fleet.selectors import (
    StoreAvailability,
    carmodel_availability,
    carmodel_get_for_page,
    carmodel_list_catalogue,
)
from fleet.serializers import (
    FILTER_ERRORS_SCHEMA,
    BrandOutputSerializer,
    CarModelDetailOutputSerializer,
    CarModelListOutputSerializer,
    CarModelPriceInputSerializer,
    CarModelPriceOutputSerializer,
    CompareOutputSerializer,
    ErrorOutputSerializer,
    StoreOutputSerializer,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TAGS = ["catalogue"]
THROTTLED = OpenApiResponse(ErrorOutputSerializer, description="Too many requests from this address.")

# The schema generator cannot follow ``brand__slug`` plus ``to_field_name`` to a model field;
# say what a value is (a brand slug). This only annotates the schema, not the filtering.
extend_schema_field(OpenApiTypes.STR)(CarModelFilter.base_filters["brand"])


class PublicReadApi(APIView):
    # Anyone may read the catalogue, and no session or token is looked up to do so.
    authentication_classes = []
    permission_classes = [AllowAny]


class CataloguePagination(PageNumberPagination):
    page_size = settings.CATALOGUE_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100


class SearchPagination(CataloguePagination):
    """A page of models, plus ``suggestions``: names near a search ``q`` that found nothing."""

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.query = request.query_params.get("q", "")
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        found = self.page.paginator.count if self.page is not None else 0
        query = self.query[:MAX_QUERY_LENGTH]
        response.data["suggestions"] = (
            [] if found or not query.strip() else carmodel_search_suggest(query=query)
        )
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["suggestions"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "When a search `q` found nothing: up to three brand or model names near it, "
            "in the request's language (search again with one as `q`). Otherwise empty.",
        }
        paginated["required"] = [*paginated.get("required", []), "suggestions"]
        return paginated


@extend_schema(
    tags=TAGS,
    summary="List the brands",
    description="Every brand, by name. Use a brand's `slug` in the models list's `brand` filter.",
    responses={200: BrandOutputSerializer(many=True), 429: THROTTLED},
)
class BrandListApi(PublicReadApi, ListAPIView):
    serializer_class = BrandOutputSerializer
    pagination_class = None  # a few dozen at most

    def get_queryset(self) -> QuerySet[Brand]:
        return Brand.objects.order_by("name")


@extend_schema(
    tags=TAGS,
    summary="List the catalogue's models",
    description="Listed models with the same filters and sort orders as the portal's catalogue, "
    "a page at a time. `q` searches brand and model names (English or Chinese, Latin words forgive "
    "a typo) and reads body and powertrain words (`SUV`, `电动`, `plug-in`) as filters; without a "
    "`sort`, a search is ordered best match first. When it finds nothing, `suggestions` names the "
    "nearest brands or models. A filter value that is not valid (an unknown brand or store slug, a price "
    "that is not a number, an unknown sort) is answered with 400 and the reason per parameter.",
    parameters=[
        OpenApiParameter(
            "brand",
            OpenApiTypes.STR,
            many=True,
            explode=True,
            description="A brand slug; repeat the parameter for several brands (any of them matches).",
        ),
        OpenApiParameter(
            "store",
            OpenApiTypes.STR,
            description="A store slug: only models with unsold cars at that store; `available_count` "
            "then counts that store only.",
        ),
        OpenApiParameter(
            "available", OpenApiTypes.BOOL, description="`true`: only models with a car available now."
        ),
    ],
    responses={
        200: CarModelListOutputSerializer(many=True),
        400: OpenApiResponse(FILTER_ERRORS_SCHEMA, description="A filter value is not valid."),
        404: OpenApiResponse(ErrorOutputSerializer, description="The page number is past the last page."),
        429: THROTTLED,
    },
)
class CarModelListApi(PublicReadApi, ListAPIView):
    serializer_class = CarModelListOutputSerializer
    filterset_class = CarModelFilter
    pagination_class = SearchPagination

    def get_queryset(self) -> QuerySet[CarModel]:
        # CarModelFilter annotates available_count and orders the result.
        return carmodel_list_catalogue()


class _Availability(TypedDict):
    availability: list[StoreAvailability]
    available_count: int


@extend_schema(
    tags=TAGS,
    summary="One model, with its photos and what is available now in each store and paint",
    description="`availability` lists every store, with a count per paint (zero included); "
    "`available_count` is their total.",
    responses={
        200: CarModelDetailOutputSerializer,
        404: OpenApiResponse(ErrorOutputSerializer, description="No listed model has this slug."),
        429: THROTTLED,
    },
)
class CarModelDetailApi(PublicReadApi, RetrieveAPIView):
    serializer_class = CarModelDetailOutputSerializer

    def get_object(self) -> CarModel:
        try:
            car_model = carmodel_get_for_page(slug=self.kwargs["slug"])
        except CarModel.DoesNotExist:
            raise Http404("No listed model has this slug.") from None
        # The detail serializer reads these two from the model instance, beside its fields.
        detail = cast("WithAnnotations[CarModel, _Availability]", car_model)
        detail.availability = carmodel_availability(car_model)
        detail.available_count = sum(store.available for store in detail.availability)
        return detail


@extend_schema(
    tags=TAGS,
    summary="List the stores",
    description="Every store with its address, time zone, opening hours and towers.",
    responses={200: StoreOutputSerializer(many=True), 429: THROTTLED},
)
class StoreListApi(PublicReadApi, ListAPIView):
    serializer_class = StoreOutputSerializer
    pagination_class = None  # a chain has a handful of stores

    def get_queryset(self) -> QuerySet[Store]:
        return Store.objects.order_by("name").prefetch_related(
            Prefetch("hours", queryset=StoreHours.objects.order_by("weekday")),
            Prefetch("towers", queryset=Tower.objects.order_by("code")),
        )


@extend_schema(
    tags=TAGS,
    summary="Compare up to four models",
    description=f"The models named by `models` (slugs, comma-separated or repeated; at most "
    f"{MAX_COMPARED}), in that order, each as the model detail shows it, availability per store and "
    "paint included; and the address of the same comparison in the portal, to share. Too many "
    "models, or a slug no listed model has, is answered with 400 naming it.",
    parameters=[
        OpenApiParameter(
            "models",
            OpenApiTypes.STR,
            many=True,
            explode=True,
            required=True,
            description="Model slugs: `models=byd-seal,tesla-model-y` or `models=byd-seal&models=tesla-model-y`.",
        )
    ],
    responses={
        200: CompareOutputSerializer,
        400: OpenApiResponse(ErrorOutputSerializer, description="Too many models, none, or an unknown slug."),
        429: THROTTLED,
    },
)
class CompareApi(PublicReadApi):
    def get(self, request: Request) -> Response:
        try:
            slugs = compare_slugs_parse(values=request.query_params.getlist("models"))
        except CompareRefused as refused:
            raise ValidationError({"models": [str(refused)]}) from None
        if not slugs:
            raise ValidationError({"models": [_("Name at least one model to compare.")]})
        compared, unknown = carmodel_list_compared(slugs=slugs)
        if unknown:
            raise ValidationError(
                {"models": [_("No listed model is called %(slugs)s.") % {"slugs": ", ".join(unknown)}]}
            )
        models = []
        for entry in compared:
            detail = cast("WithAnnotations[CarModel, _Availability]", entry.car_model)
            detail.availability = entry.availability
            detail.available_count = entry.available
            models.append(detail)
        share = request.build_absolute_uri(f"{reverse('fleet:compare')}?models={','.join(slugs)}")
        data = CompareOutputSerializer(
            {"models": models, "share_url": share}, context={"request": request}
        ).data
        return Response(data)


@extend_schema(
    tags=TAGS,
    summary="A model's price as a buyer pays it, and the monthly payment of financing",
    description="The breakdown (MSRP, purchase tax under the rules in force on `on`, registration "
    "and plates, insurance estimate) and a finance quote for `down_payment_cny` over `term_months` "
    "(by default the smallest down payment over the longest term). The purchase finances with the "
    "same quote. A down payment or term not offered is answered with 400 saying what would do.",
    parameters=[CarModelPriceInputSerializer],
    responses={
        200: CarModelPriceOutputSerializer,
        400: OpenApiResponse(ErrorOutputSerializer, description="A value is not valid or not offered."),
        404: OpenApiResponse(ErrorOutputSerializer, description="No listed model has this slug."),
        429: THROTTLED,
    },
)
class CarModelPriceApi(PublicReadApi):
    def get(self, request: Request, slug: str) -> Response:
        car_model = CarModel.objects.filter(is_listed=True, slug=slug).first()
        if car_model is None:
            raise Http404("No listed model has this slug.")
        params = CarModelPriceInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        price = car_model.msrp_cny
        terms = finance_terms()
        try:
            quote = finance_quote(
                price_cny=price,
                down_payment_cny=params.validated_data.get(
                    "down_payment_cny", finance_min_down_payment(price_cny=price)
                ),
                term_months=params.validated_data.get("term_months", terms[-1]),
            )
        except FinanceRefused as refused:
            raise ValidationError({"down_payment_cny": [str(refused)]}) from None
        on = params.validated_data.get("on") or timezone.localdate()
        data = {
            "breakdown": price_breakdown(car_model=car_model, on=on),
            "finance": quote,
            "finance_terms_months": terms,
            "min_down_payment_cny": finance_min_down_payment(price_cny=price),
        }
        return Response(CarModelPriceOutputSerializer(data).data)
