"""Portal pages for saved cars: the save button on the catalogue's cards and the model page
(an htmx toggle that is a plain POST form without JS), and "my saved cars"."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleet.models import CarModel, Paint, Store
from members.context_processors import SavedCars
from members.forms import FavouriteForm
from members.models import Favourite, Member
from members.selectors import favourite_list_for_member
from members.services.favourites import favourite_remove, favourite_save, favourite_toggle
from members.views import member_required
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import render_varying, wants_fragment


@member_required
def favourite_toggle_view(request: HttpRequest, member: Member, slug: str) -> HttpResponse:
    """POST: save or forget the model. A GET (the login page sends the visitor back here after
    they logged in to save) changes nothing and goes back to the model."""
    car_model = get_object_or_404(CarModel, slug=slug, is_listed=True)
    if request.method != "POST":
        return redirect(car_model.get_absolute_url())
    favourite = favourite_toggle(
        member=member, car_model=car_model, **_watching(request.POST, car_model=car_model)
    )
    if wants_fragment(request):
        saved = frozenset() if favourite is None else frozenset({car_model.pk})
        context = {"car_model": car_model, "saved_cars": SavedCars(saved, signed_in=True)}
        return render_varying(request, "members/_favourite_button.html", context)
    if favourite is None:
        messages.success(request, _("Removed from your saved cars."))
    else:
        messages.success(request, _("Saved. We will tell you when one is free to book."))
    return _back(request, car_model)


def _watching(data: QueryDict, *, car_model: CarModel) -> dict[str, Any]:
    """The paint and store the model page's form chose (none from a card); junk counts as any."""
    paint_id, store_id = data.get("paint", ""), data.get("store", "")
    paint = Paint.objects.filter(pk=paint_id, car_model=car_model).first() if paint_id.isdigit() else None
    store = Store.objects.filter(pk=store_id).first() if store_id.isdigit() else None
    return {"paint": paint, "store": store}


def _back(request: HttpRequest, car_model: CarModel) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(car_model.get_absolute_url())


@member_required
def favourite_list(request: HttpRequest, member: Member) -> HttpResponse:
    saved = favourite_list_for_member(member=member)
    stores = list(Store.objects.order_by("name"))
    rows = [
        (car, FavouriteForm(instance=car.favourite, stores=stores, prefix=f"f{car.favourite.pk}"))
        for car in saved
    ]
    return render(request, "members/favourites.html", {"rows": rows})


@require_POST
@member_required
def favourite_update(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """Change the paint, store and alert of one saved car (its own form on "my saved cars")."""
    favourite = get_object_or_404(Favourite.objects.select_related("car_model"), pk=pk, member=member)
    form = FavouriteForm(request.POST, instance=favourite, prefix=f"f{pk}")
    if not form.is_valid():
        messages.error(request, _("That paint or store could not be used; nothing was changed."))
        return redirect("members:favourites")
    try:
        favourite_save(
            member=member,
            car_model=favourite.car_model,
            paint=form.cleaned_data["paint"],
            store=form.cleaned_data["store"],
            notify=form.cleaned_data["notify"],
        )
        messages.success(request, _("Saved."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("members:favourites")


@require_POST
@member_required
def favourite_delete(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    favourite = get_object_or_404(Favourite.objects.select_related("car_model"), pk=pk, member=member)
    favourite_remove(member=member, car_model=favourite.car_model)
    messages.success(request, _("Removed from your saved cars."))
    return redirect("members:favourites")
