"""Template context for every portal page: which models the signed-in member saved.

The catalogue's cards and the model page draw their save buttons from it. Lazy: a page that shows
no save button costs no query, and a visitor none at all.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from members.selectors import favourite_model_ids


@dataclass(frozen=True)
class SavedCars:
    ids: frozenset[int]
    signed_in: bool

    @property
    def key(self) -> str:
        """For a template cache key: the cards differ by what is saved (and by who may save)."""
        if not self.signed_in:
            return "visitor"
        return "saved:" + ",".join(str(pk) for pk in sorted(self.ids))


def _saved_cars(request: HttpRequest) -> SavedCars:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return SavedCars(frozenset(), signed_in=False)
    return SavedCars(favourite_model_ids(user=user), signed_in=True)


def saved_cars(request: HttpRequest) -> dict[str, object]:
    return {"saved_cars": SimpleLazyObject(lambda: _saved_cars(request))}
