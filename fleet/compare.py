"""Comparing up to four models side by side: which ones a request names, and their rows."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fleet.models import CarModel
from fleet.selectors import StoreAvailability, carmodel_availability_many, carmodel_list_catalogue

MAX_COMPARED = 4


class CompareRefused(ValueError):
    """The request names more models than can be compared."""


@dataclass(frozen=True)
class ComparedModel:
    car_model: CarModel
    availability: list[StoreAvailability]

    @property
    def available(self) -> int:
        return sum(store.available for store in self.availability)


def compare_slugs_parse(*, values: list[str]) -> list[str]:
    """Slugs from repeated ``models`` parameters and/or comma-separated ones, first mention first,
    duplicates dropped. Raises CompareRefused past MAX_COMPARED."""
    slugs: list[str] = []
    for value in values:
        for slug in value.split(","):
            slug = slug.strip().lower()
            if slug and slug not in slugs:
                slugs.append(slug)
    if len(slugs) > MAX_COMPARED:
        raise CompareRefused(
            _("Compare at most %(max)d models at a time; remove one first.") % {"max": MAX_COMPARED}
        )
    return slugs


def carmodel_list_compared(*, slugs: list[str]) -> tuple[list[ComparedModel], list[str]]:
    """The listed models named by ``slugs``, in that order, each with availability per store and
    paint; and the slugs no listed model has (a shared link may outlive a model). Five queries:
    models, paints and photos, then availability's stores and cars."""
    if not slugs:
        return [], []
    found = {m.slug: m for m in carmodel_list_catalogue().filter(slug__in=slugs)}
    known = [found[slug] for slug in slugs if slug in found]
    availability = _availability_of(known)
    return [ComparedModel(m, availability[m.pk]) for m in known], [s for s in slugs if s not in found]


def _availability_of(car_models: list[CarModel]) -> dict[int, list[StoreAvailability]]:
    if not car_models:
        return {}
    return carmodel_availability_many(car_models)


def carmodel_list_addable(*, slugs: list[str]) -> QuerySet[CarModel]:
    """Listed models not yet compared, for the "add a model" list (one query)."""
    return (
        CarModel.objects.filter(is_listed=True)
        .exclude(slug__in=slugs)
        .select_related("brand")
        .order_by("brand__name", "name")
        .only("slug", "name", "name_zh", "brand__name", "brand__name_zh")
    )
