"""Answering a customer's photo: ``snapcar_query``."""

from dataclasses import dataclass

from fleet.models import CarModel, CarPhoto, Paint
from snapcar.analysis import photo_analyse
from snapcar.conf import WORK_SIDE, upload_limits
from snapcar.errors import NoCarInPhoto, SnapcarUnavailable
from snapcar.index import index_load
from snapcar.model_file import ModelFileMissing
from snapcar.paint import PaintReading, paint_distance
from snapcar.ranking import rank_models
from vendingstore.uploads import image_decode

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Suggestion:
    """One catalogue model the photo may show, with the paint of it nearest the car's colour."""

    car_model: CarModel
    score: float
    similarity: float
    same_picture: CarPhoto | None  # set when the photo is of this catalogue picture
    paint: Paint | None

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass(frozen=True)
class SnapcarAnswer:
    suggestions: list[Suggestion]
    paint: PaintReading
    vehicle_probability: float
    catalogue_photos: int  # how many indexed photos were compared; 0: nothing to compare yet


def snapcar_query(*, image: bytes, limit: int = DEFAULT_LIMIT) -> SnapcarAnswer:
    """The catalogue models a photo most likely shows, best first, and the car's paint.

    Raises PhotoTooLarge / PhotoUnreadable (bad upload), NoCarInPhoto, or SnapcarUnavailable
    (the image model was never exported here). Scores are suggestions, not identifications.
    """
    rgb = image_decode(data=image, limits=upload_limits(), max_side=WORK_SIDE)
    try:
        analysis = photo_analyse(rgb)
    except ModelFileMissing:
        raise SnapcarUnavailable() from None
    index = index_load()
    ranked = [] if index.is_empty else rank_models(index, analysis.embedding, analysis.keypoints, limit=limit)
    # A photo of our own catalogue picture shows a car even when the network misses it.
    if not analysis.has_car and not any(r.same_picture_photo_id for r in ranked):
        raise NoCarInPhoto()
    models = CarModel.objects.select_related("brand").prefetch_related("paints")
    by_id = models.in_bulk([r.model_id for r in ranked])
    same_ids = [r.same_picture_photo_id for r in ranked if r.same_picture_photo_id]
    photos = CarPhoto.objects.in_bulk(same_ids)
    suggestions = [
        Suggestion(
            car_model=by_id[r.model_id],
            score=r.score,
            similarity=r.similarity,
            same_picture=photos.get(r.same_picture_photo_id) if r.same_picture_photo_id else None,
            paint=_nearest_paint(by_id[r.model_id], analysis.paint),
        )
        for r in ranked
        if r.model_id in by_id
    ]
    return SnapcarAnswer(suggestions, analysis.paint, analysis.vehicle_probability, len(index.photo_ids))


def _nearest_paint(car_model: CarModel, reading: PaintReading) -> Paint | None:
    paints = list(car_model.paints.all())  # prefetched
    if not paints:
        return None
    return min(paints, key=lambda p: paint_distance(reading, p.hex))
