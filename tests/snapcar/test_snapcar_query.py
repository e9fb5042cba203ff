"""snapcar_query on real photos: our own pictures re-photographed, other photos, no car."""

import pytest

from fleet.models import CarModel
from snapcar.errors import NoCarInPhoto
from snapcar.selectors import snapcar_query
from tests.fixtures.snapcar import CATALOGUE, car_photo_bytes, face_photo_bytes, rephotograph

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", list(CATALOGUE))
def test_it_finds_the_model_first_from_a_photo_of_our_catalogue_picture(
    catalogue: dict[str, CarModel], slug: str
) -> None:
    picture = CATALOGUE[slug][2][0]

    answer = snapcar_query(image=rephotograph(car_photo_bytes(picture)))

    first = answer.suggestions[0]
    assert first.car_model == catalogue[slug]
    assert first.same_picture is not None


def test_it_ranks_the_model_among_the_top_three_for_another_photo_of_it(
    catalogue: dict[str, CarModel],
) -> None:
    # Volvo 240: two catalogue photos; the query is a third, different car of that model.
    answer = snapcar_query(image=car_photo_bytes("00030.jpg"))

    slugs = [s.car_model.slug for s in answer.suggestions[:3]]
    assert "volvo-240" in slugs
    assert all(s.same_picture is None for s in answer.suggestions)


def test_scores_are_ordered_and_between_zero_and_one(catalogue: dict[str, CarModel]) -> None:
    answer = snapcar_query(image=car_photo_bytes("00055.jpg"))

    scores = [s.score for s in answer.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert answer.catalogue_photos == 7


def test_it_names_a_strong_paint_and_picks_the_models_nearest_paint(catalogue: dict[str, CarModel]) -> None:
    answer = snapcar_query(image=car_photo_bytes("00036.jpg"))  # a red Ferrari 458

    assert answer.paint.family == "red"
    assert not answer.paint.needs_confirmation
    assert answer.suggestions[0].paint.name == "Racing Red"


def test_it_asks_to_confirm_a_white_silver_or_black_reading(catalogue: dict[str, CarModel]) -> None:
    answer = snapcar_query(image=car_photo_bytes("00045.jpg"))  # a grey Sequoia

    assert answer.paint.family in ("white", "silver", "black")
    assert answer.paint.needs_confirmation
    assert answer.paint.confidence <= 0.6


def test_it_refuses_a_photo_without_a_car(catalogue: dict[str, CarModel]) -> None:
    with pytest.raises(NoCarInPhoto):
        snapcar_query(image=face_photo_bytes("img1.jpg"))


def test_it_still_sees_the_car_with_an_empty_catalogue(snapcar_model) -> None:
    answer = snapcar_query(image=car_photo_bytes("00036.jpg"))

    assert answer.suggestions == []
    assert answer.catalogue_photos == 0
    assert answer.vehicle_probability > 0.5


def test_unlisted_models_are_never_suggested(catalogue: dict[str, CarModel]) -> None:
    CarModel.objects.filter(slug="ferrari-458").update(is_listed=False)

    answer = snapcar_query(image=rephotograph(car_photo_bytes("00036.jpg")))

    assert "ferrari-458" not in [s.car_model.slug for s in answer.suggestions]
