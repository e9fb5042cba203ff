"""Customer portal pages for the catalogue.

Views only read the request, call the selectors and the shared filter set, and pick a template.
With HTMX a request gets back just the region it swaps; without it, the whole page.
"""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from fleet.compare import (
    MAX_COMPARED,
    CompareRefused,
    carmodel_list_addable,
    carmodel_list_compared,
    compare_slugs_parse,
)
from fleet.filters import CarModelFilter
from fleet.models import CarModel, CarPhoto, Paint
from fleet.pricing import (
    FinanceRefused,
    finance_min_down_payment,
    finance_quote,
    finance_terms,
    price_breakdown,
)
from fleet.search import carmodel_search_suggest
from fleet.selectors import carmodel_availability, carmodel_get_for_page, carmodel_list_catalogue
from vendingstore.htmx import render_varying, wants_fragment


def catalogue(request: HttpRequest) -> HttpResponse:
    # Always bound (an empty QueryDict too): an unbound FilterSet skips filter_queryset,
    # which is where the availability annotation the cards show is added.
    filterset = CarModelFilter(request.GET, queryset=carmodel_list_catalogue(), request=request)
    _localize_choice_labels(filterset)
    page = _page_of(filterset.qs, request.GET.get("page"))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page_obj": page,
        "page_missing": _asked_for_missing_page(request.GET.get("page"), page),
        "active_filter_count": _active_filter_count(filterset),
        "results_cache_seconds": settings.CATALOGUE_CACHE_SECONDS,
        "suggestions": _suggestions(filterset, page),
    }
    template = "fleet/catalogue.html"
    if wants_fragment(request):
        template = "fleet/_catalogue_results.html"
    return render_varying(request, template, context)


def carmodel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        car_model = carmodel_get_for_page(slug=slug)
    except CarModel.DoesNotExist:
        raise Http404("No listed car model with this slug.") from None
    paint = _selected_paint(car_model, request.GET.get("paint"))
    context: dict[str, object] = {
        "car_model": car_model,
        "paint": paint,
        "photos": _gallery_photos(car_model, paint),
    }
    if wants_fragment(request):
        # A paint switch only redraws the gallery; the availability table does not change.
        return render_varying(request, "fleet/_carmodel_gallery.html", context)
    context.update(_price_context(car_model, request))
    availability = carmodel_availability(car_model)
    context["availability"] = availability
    context["available_total"] = sum(store.available for store in availability)
    return render_varying(request, "fleet/carmodel_detail.html", context)


def compare(request: HttpRequest) -> HttpResponse:
    """Up to four models side by side; the address (``?models=a,b``) is the shareable list."""
    status = 200
    error = ""
    try:
        slugs = compare_slugs_parse(values=request.GET.getlist("models"))
    except CompareRefused as refused:
        slugs, error, status = [], str(refused), 400
    compared, unknown = carmodel_list_compared(slugs=slugs)
    kept = [entry.car_model.slug for entry in compared]
    context = {
        "compared": compared,
        "unknown": unknown,
        "error": error,
        "slugs": kept,
        "max_compared": MAX_COMPARED,
        "addable": carmodel_list_addable(slugs=kept) if len(kept) < MAX_COMPARED else [],
        "without": {slug: ",".join(s for s in kept if s != slug) for slug in kept},
        "stores": [row.store for row in compared[0].availability] if compared else [],
    }
    return render_varying(request, "fleet/compare.html", context, status=status)


def _price_context(car_model: CarModel, request: HttpRequest) -> dict[str, object]:
    """The price breakdown for today and the calculator's quote for ?down=&term= (or the
    smallest down payment over the longest term); a bad value is named, not a 500."""
    price = car_model.msrp_cny
    terms = finance_terms()
    raw_down, raw_term = request.GET.get("down"), request.GET.get("term")
    down = finance_min_down_payment(price_cny=price) if raw_down is None else _int_or_none(raw_down)
    term = terms[-1] if raw_term is None else _int_or_none(raw_term)
    quote, finance_error = None, ""
    try:
        quote = finance_quote(price_cny=price, down_payment_cny=down, term_months=term)
    except FinanceRefused as refused:
        finance_error = str(refused)
    return {
        "breakdown": price_breakdown(car_model=car_model, on=timezone.localdate()),
        "quote": quote,
        "finance_error": finance_error,
        "finance_terms": terms,
        "chosen_down": down,
        "chosen_term": term,
        "min_down": finance_min_down_payment(price_cny=price),
    }


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(str(raw).strip().replace(",", ""))
    except ValueError:
        return None


def _suggestions(filterset: CarModelFilter, page: Page) -> list[str]:
    """Names near a search that found nothing (none when it found something or was not a search)."""
    query = filterset.form.cleaned_data.get("q") or ""
    if page.paginator.count or not query.strip():
        return []
    return carmodel_search_suggest(query=query)


def _page_of(queryset: QuerySet[CarModel], number: str | None) -> Page:
    """The asked-for page, or the nearest real one: junk or below 1 -> first, past the end -> last."""
    paginator = Paginator(queryset, settings.CATALOGUE_PAGE_SIZE)
    try:
        wanted = int(number or 1)
    except ValueError:
        wanted = 1
    return paginator.page(min(max(wanted, 1), paginator.num_pages))


def _asked_for_missing_page(number: str | None, page: Page) -> bool:
    return number not in (None, "", str(page.number))


def _active_filter_count(filterset: CarModelFilter) -> int:
    """How many valid filters narrow the list (sorting does not), for the collapsed panel's badge.

    Counted from the submitted values: evaluating a cleaned brand queryset would cost a query.
    """
    form = filterset.form
    if not form.is_bound:
        return 0
    form.is_valid()
    return sum(
        1
        for name, value in form.cleaned_data.items()
        if name != "sort" and value is not None and value is not False and any(form.data.getlist(name))
    )


def _localize_choice_labels(filterset: CarModelFilter) -> None:
    # The shared filter set labels choices with str(), which is English; customers reading
    # Chinese should see 比亚迪, not BYD. Only the labels change, never the values.
    fields = filterset.form.fields
    fields["brand"].label_from_instance = lambda brand: brand.display_name
    fields["store"].label_from_instance = lambda store: f"{store.display_name} · {store.display_city}"


def _selected_paint(car_model: CarModel, raw_id: str | None) -> Paint | None:
    """The paint named by ?paint=, else the first one; None only for a model without paints."""
    paints = list(car_model.paints.all())  # prefetched: no query
    chosen = next((p for p in paints if str(p.pk) == raw_id), None)
    return chosen or (paints[0] if paints else None)


def _gallery_photos(car_model: CarModel, paint: Paint | None) -> list[CarPhoto]:
    """Photos of the chosen paint; when it has none, the photos that show no particular paint."""
    photos = list(car_model.photos.all())  # prefetched: no query
    if paint is not None:
        of_paint = [p for p in photos if p.paint_id == paint.pk]
        if of_paint:
            return of_paint
    return [p for p in photos if p.paint_id is None]
