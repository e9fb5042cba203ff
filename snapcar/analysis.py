"""One pass over a photo, shared by indexing a catalogue photo and answering a customer's."""

from dataclasses import dataclass

import numpy as np

from snapcar import engine, keypoints, paint
from snapcar.engine import Box

# Below this share of ImageNet's vehicle classes the photo is taken to show no car. Measured on
# 60 car photos (lowest 0.07, next 0.31) and 36 photos of people (highest 0.07): bench/snapcar.py.
VEHICLE_THRESHOLD = 0.15
# The located region is widened by this share of its size: activations sit inside the car.
BOX_MARGIN = 0.08


@dataclass(frozen=True)
class Analysis:
    vehicle_probability: float
    box: Box
    embedding: np.ndarray
    keypoints: keypoints.Features
    paint: paint.PaintReading

    @property
    def has_car(self) -> bool:
        return self.vehicle_probability >= VEHICLE_THRESHOLD


def photo_analyse(rgb: np.ndarray) -> Analysis:
    """Locate the car, embed its region, read its paint, take the whole picture's keypoints.

    Done in full even when the network sees no vehicle: a photo of one of our own catalogue
    pictures (glare, a screen's border) can hide the car from ImageNet classes and still be
    recognised by its keypoints, so the caller decides.
    """
    look = engine.look(rgb)
    box = _widen(look.box, rgb.shape[1], rgb.shape[0])
    # The embedding gets a margin (the car's outline matters); paint reads the tight box,
    # where fewer road and sky pixels compete with the body.
    tight = rgb[look.box.y1 : look.box.y2, look.box.x1 : look.box.x2]
    return Analysis(
        vehicle_probability=look.vehicle_probability,
        box=box,
        embedding=engine.embed(rgb[box.y1 : box.y2, box.x1 : box.x2]),
        keypoints=keypoints.features_of(rgb),
        paint=paint.paint_read(tight),
    )


def _widen(box: Box, width: int, height: int) -> Box:
    dx = int((box.x2 - box.x1) * BOX_MARGIN)
    dy = int((box.y2 - box.y1) * BOX_MARGIN)
    return Box(max(0, box.x1 - dx), max(0, box.y1 - dy), min(width, box.x2 + dx), min(height, box.y2 + dy))
