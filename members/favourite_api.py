"""The member's saved cars in the API: list, save (or change) one, forget one.

One view per operation; the same services and selector as the portal's "my saved cars".
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from fleet.models import CarModel, Paint, Store
from members.api import ERROR, NOT_LOGGED_IN, MemberApi, MemberRequest
from members.errors import FavouriteRefused
from members.selectors import SavedCar, favourite_list_for_member
from members.services.favourites import favourite_remove, favourite_save
from vendingstore.i18n import localized

TAGS = ["members"]


class FavouriteOutputSerializer(serializers.Serializer):
    car_model = serializers.SlugField(source="favourite.car_model.slug", help_text="The model's slug.")
    name = serializers.SerializerMethodField(help_text="Brand and model, in the request's language.")
    paint_id = serializers.IntegerField(
        source="favourite.paint_id", allow_null=True, help_text="Null: any paint."
    )
    store = serializers.SlugField(
        source="favourite.store.slug", allow_null=True, default=None, help_text="Null: any store."
    )
    notify = serializers.BooleanField(
        source="favourite.notify", help_text="Send one message when one is free to book."
    )
    available_count = serializers.IntegerField(
        source="available", help_text="Cars of this paint at this store bookable now."
    )
    saved_at = serializers.DateTimeField(source="favourite.created_at")

    def get_name(self, car: SavedCar) -> str:
        car_model = car.favourite.car_model
        return f"{localized(car_model.brand, 'name')} {localized(car_model, 'name')}"


class FavouriteListApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="My saved cars",
        description="Newest first, each with how many of its cars are bookable now (the catalogue's count).",
        responses={200: FavouriteOutputSerializer(many=True), 401: NOT_LOGGED_IN},
    )
    def get(self, request: MemberRequest) -> Response:
        saved = favourite_list_for_member(member=request.member)
        return Response(FavouriteOutputSerializer(saved, many=True).data)


class FavouriteSaveApi(MemberApi):
    class FavouriteSaveInputSerializer(serializers.Serializer):
        car_model = serializers.SlugField(help_text="The model's slug.")
        paint_id = serializers.IntegerField(required=False, allow_null=True, help_text="Omit for any paint.")
        store = serializers.SlugField(
            required=False, allow_null=True, help_text="A store slug; omit for any."
        )
        notify = serializers.BooleanField(
            required=False, default=True, help_text="Tell me (one message) when one is free to book."
        )

    @extend_schema(
        tags=TAGS,
        summary="Save a car, or change a saved one",
        description="Saves the model (once per model: saving it again changes its paint, store and "
        "alert). A car bookable now counts as already seen: the message comes the next time one "
        "becomes free after being taken. 400 for a paint of another model or an unknown store.",
        request=FavouriteSaveInputSerializer,
        responses={200: FavouriteOutputSerializer, 400: ERROR, 401: NOT_LOGGED_IN, 404: ERROR},
    )
    def post(self, request: MemberRequest) -> Response:
        data = self.FavouriteSaveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        car_model = CarModel.objects.filter(slug=data.validated_data["car_model"], is_listed=True).first()
        if car_model is None:
            raise Http404("No listed model has this slug.")
        paint = store = None
        if (paint_id := data.validated_data.get("paint_id")) is not None:
            paint = Paint.objects.filter(pk=paint_id, car_model=car_model).first()
            if paint is None:
                raise FavouriteRefused(FavouriteRefused.paint_message)
        if store_slug := data.validated_data.get("store"):
            store = Store.objects.filter(slug=store_slug).first()
            if store is None:
                raise FavouriteRefused(FavouriteRefused.store_message)
        favourite = favourite_save(
            member=request.member,
            car_model=car_model,
            paint=paint,
            store=store,
            notify=data.validated_data["notify"],
        )
        saved = [
            car
            for car in favourite_list_for_member(member=request.member)
            if car.favourite.pk == favourite.pk
        ]
        return Response(FavouriteOutputSerializer(saved[0]).data)


class FavouriteDeleteApi(MemberApi):
    @extend_schema(
        tags=TAGS,
        summary="Forget a saved car",
        request=None,
        responses={204: None, 401: NOT_LOGGED_IN, 404: ERROR},
    )
    def post(self, request: MemberRequest, slug: str) -> Response:
        car_model = CarModel.objects.filter(slug=slug).first()
        if car_model is None or not favourite_remove(member=request.member, car_model=car_model):
            raise Http404("This model is not among your saved cars.")
        return Response(status=status.HTTP_204_NO_CONTENT)
