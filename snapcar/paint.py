"""The car's body colour, read in CIE Lab from the car's region, and the nearest catalogue paint.

Lab separates lightness (L) from colour (a, b), so "how colourful" is one number, the chroma
sqrt(a² + b²). Strong colours are named by the hue of the colourful body pixels. White, silver
and black have almost no chroma and differ only in lightness, which reflections of sky and road
shift a lot: those answers are given with a low confidence and the customer is asked to confirm.
OpenCV is imported when a photo is analysed, not when a web process starts.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Colour families, the words the portal shows; each catalogue paint falls into one.
WHITE, SILVER, BLACK = "white", "silver", "black"
RED, ORANGE, YELLOW, GREEN, BLUE, PURPLE, BEIGE = (
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "beige",
)
NEUTRAL = (WHITE, SILVER, BLACK)
LABELS: dict[str, Promise] = {
    WHITE: _("white"),
    SILVER: _("silver or grey"),
    BLACK: _("black"),
    RED: _("red"),
    ORANGE: _("orange"),
    YELLOW: _("yellow"),
    GREEN: _("green"),
    BLUE: _("blue"),
    PURPLE: _("purple"),
    BEIGE: _("beige or gold"),
}

# Above this chroma a pixel counts as coloured paint, not grey (Lab units, 0 for pure grey).
CHROMATIC = 20.0
# The share of coloured body pixels above which the car is taken to be a colour, not a grey.
CHROMATIC_SHARE = 0.22
# The side the region is shrunk to before segmenting: colour needs few pixels.
WORK_SIDE = 160
# Neutral answers never claim more than this: reflections make them unreliable.
NEUTRAL_MAX_CONFIDENCE = 0.6


@dataclass(frozen=True)
class PaintReading:
    """The body colour: family name, mean Lab of the body pixels used, and 0–1 confidence."""

    family: str
    lab: tuple[float, float, float]
    confidence: float

    @property
    def label(self) -> Promise:
        """The family in the active language."""
        return LABELS[self.family]

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def needs_confirmation(self) -> bool:
        """White, silver and black are easily confused, and a low score may be anything."""
        return self.family in NEUTRAL or self.confidence < 0.5


def paint_read(rgb: np.ndarray) -> PaintReading:
    """Read the body colour of the car filling ``rgb`` (the car's region, uint8 H×W×3)."""
    import cv2

    region = _shrink(rgb)
    lab = cv2.cvtColor(region.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    pixels = lab[_body_mask(region)]
    if len(pixels) < 50:
        pixels = lab.reshape(-1, 3)
    chroma = np.hypot(pixels[:, 1], pixels[:, 2])
    coloured = pixels[(chroma > CHROMATIC) & (pixels[:, 0] > 15)]
    if len(coloured) >= CHROMATIC_SHARE * len(pixels):
        return _read_colour(coloured, share=len(coloured) / len(pixels))
    return _read_neutral(pixels)


def _shrink(rgb: np.ndarray) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    if scale == 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def _body_mask(region: np.ndarray) -> np.ndarray:
    """Pixels of the car's body, not windows, tyres or the road: GrabCut, then the paint band.

    GrabCut separates the car from the background inside its box. Windows and tyres are then
    dropped by position: the body panels are the middle band of a car's height.
    """
    import cv2

    h, w = region.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    if h >= 20 and w >= 20:
        inset = max(1, min(h, w) // 20)
        background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.grabCut(
            cv2.cvtColor(region, cv2.COLOR_RGB2BGR),
            mask,
            (inset, inset, w - 2 * inset, h - 2 * inset),
            background,
            foreground,
            2,
            cv2.GC_INIT_WITH_RECT,
        )
        car = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    else:
        car = np.ones((h, w), bool)
    band = np.zeros((h, w), bool)
    band[int(h * 0.35) : int(h * 0.8), int(w * 0.08) : int(w * 0.92)] = True
    body = car & band
    return body if body.sum() >= 50 else band


def _hue_families(lab: np.ndarray) -> np.ndarray:
    """Family of each coloured Lab triple (N×3) by its hue angle (degrees from +a towards +b)."""
    lightness, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    hue = np.degrees(np.arctan2(b, a)).astype(np.float64) % 360
    chroma = np.hypot(a, b)
    # The first rule that holds names the family.
    rules = [
        ((hue >= 50) & (hue < 105) & (chroma < 35) & (lightness > 45), BEIGE),  # champagne, gold, sand
        ((hue < 45) | (hue >= 345), RED),
        (hue < 70, ORANGE),
        (hue < 105, YELLOW),
        (hue < 200, GREEN),
        (hue < 300, BLUE),
    ]
    return np.select([rule for rule, _family in rules], [family for _rule, family in rules], default=PURPLE)


def _read_colour(coloured: np.ndarray, *, share: float) -> PaintReading:
    families = _hue_families(coloured)
    names, counts = np.unique(families, return_counts=True)
    best = names[int(np.argmax(counts))]
    agreement = counts.max() / counts.sum()
    mean = coloured[families == best].mean(axis=0)
    confidence = float(np.clip(agreement * min(1.0, share / 0.4), 0.0, 1.0))
    return PaintReading(family=str(best), lab=_triple(mean), confidence=round(confidence, 2))


def _read_neutral(pixels: np.ndarray) -> PaintReading:
    # The brighter half of the body: shadows and the dark gaps between panels pull every car
    # towards black, while the paint itself is what catches the light.
    lightness = np.percentile(pixels[:, 0], 75)
    bright = pixels[pixels[:, 0] >= np.percentile(pixels[:, 0], 50)]
    if lightness >= 78:
        family, margin = WHITE, (lightness - 78) / 15
    elif lightness >= 42:
        family, margin = SILVER, min(lightness - 42, 78 - lightness) / 18
    else:
        family, margin = BLACK, (42 - lightness) / 20
    confidence = float(np.clip(0.3 + 0.3 * margin, 0.3, NEUTRAL_MAX_CONFIDENCE))
    return PaintReading(family=family, lab=_triple(bright.mean(axis=0)), confidence=round(confidence, 2))


def _triple(lab: np.ndarray) -> tuple[float, float, float]:
    return (round(float(lab[0]), 1), round(float(lab[1]), 1), round(float(lab[2]), 1))


def hex_to_lab(hex_colour: str) -> tuple[float, float, float]:
    import cv2

    rgb = np.array([[[int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]]], np.float32) / 255.0
    return _triple(cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[0, 0])


def _swatch_family(lab: np.ndarray) -> str:
    """The family of a catalogue paint's swatch colour (no reflections: plain thresholds)."""
    if np.hypot(lab[1], lab[2]) > 12:
        return str(_hue_families(lab[None])[0])
    if lab[0] >= 80:
        return WHITE
    return SILVER if lab[0] >= 35 else BLACK


def paint_distance(reading: PaintReading, hex_colour: str) -> float:
    """How far a catalogue paint is from the reading: Lab distance, plus a penalty when the
    families differ, so a "red" reading picks the model's red before a dark grey that happens
    to be nearer in Lab."""
    lab = np.array(hex_to_lab(hex_colour))
    penalty = 0.0 if _swatch_family(lab) == reading.family else 60.0
    return float(np.linalg.norm(lab - np.array(reading.lab)) + penalty)
