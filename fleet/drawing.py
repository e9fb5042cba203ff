"""The drawn side view of a car model, shown until staff upload photos.

``car_svg`` is pure: the same body type, proportions, colour and label give the same SVG, so it is
cached per process. Every car is drawn at one scale (the longest we draw, 5.6 m, spans 300 of the
320 units), standing on one ground line: side by side in the comparison a 4.3 m hatchback is
shorter and lower than a 5.2 m MPV, and two saloons differ by their own length, height and
wheelbase (where the wheels sit).

A body type is a profile in relative units: ``u`` runs along the length from the tail (0) to the
nose (1), ``v`` up the height from the ground (0) to the roof (1). The wheels do not follow the
profile: they come from the wheelbase and the share of the overhangs at the front.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

VIEW_WIDTH, VIEW_HEIGHT = 320, 150
GROUND_Y = 138.0
LONGEST_MM = 5600
PX_PER_MM = 300 / LONGEST_MM
NEUTRAL_PAINT = "#9AA3AD"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")

Point = tuple[float, float]
# A corner of an outline: u, v and how round it is (in drawing units).
Corner = tuple[float, float, float]


@dataclass(frozen=True)
class Profile:
    outline: tuple[Corner, ...]  # clockwise from the tail's lowest point; closes along the sill
    glass: tuple[Corner, ...]
    pillars: tuple[float, ...]  # u of the pillars between side windows
    front_overhang_share: float  # of (length - wheelbase)
    typical_mm: tuple[int, int, int]  # length, height, wheelbase for a model without figures
    head_v: float  # top of the headlight
    tail_v: float  # top of the tail light
    roof_rails: bool = False


PROFILES: dict[str, Profile] = {
    "sedan": Profile(
        outline=(
            (0.00, 0.20, 4),
            (0.00, 0.52, 8),
            (0.03, 0.66, 6),
            (0.17, 0.69, 10),
            (0.36, 0.98, 16),
            (0.57, 0.99, 16),
            (0.76, 0.68, 10),
            (0.96, 0.60, 10),
            (1.00, 0.42, 6),
            (0.99, 0.20, 4),
        ),
        glass=((0.21, 0.68, 3), (0.37, 0.93, 8), (0.56, 0.94, 8), (0.72, 0.68, 3)),
        pillars=(0.46,),
        front_overhang_share=0.47,
        typical_mm=(4850, 1480, 2900),
        head_v=0.56,
        tail_v=0.58,
    ),
    "coupe": Profile(
        outline=(
            (0.00, 0.21, 4),
            (0.00, 0.50, 8),
            (0.05, 0.63, 10),
            (0.24, 0.78, 16),
            (0.42, 0.99, 18),
            (0.56, 0.99, 16),
            (0.75, 0.66, 10),
            (0.96, 0.57, 10),
            (1.00, 0.40, 6),
            (0.99, 0.21, 4),
        ),
        glass=((0.25, 0.68, 3), (0.29, 0.76, 6), (0.43, 0.93, 8), (0.55, 0.93, 8), (0.71, 0.67, 3)),
        pillars=(),
        front_overhang_share=0.50,
        typical_mm=(4700, 1380, 2800),
        head_v=0.53,
        tail_v=0.56,
    ),
    "hatchback": Profile(
        outline=(
            (0.00, 0.20, 4),
            (0.00, 0.58, 6),
            (0.03, 0.88, 12),
            (0.10, 0.99, 14),
            (0.55, 1.00, 16),
            (0.75, 0.66, 10),
            (0.96, 0.58, 10),
            (1.00, 0.42, 6),
            (0.99, 0.20, 4),
        ),
        glass=((0.06, 0.66, 3), (0.08, 0.86, 6), (0.13, 0.94, 8), (0.54, 0.95, 8), (0.71, 0.67, 3)),
        pillars=(0.16, 0.42),
        front_overhang_share=0.58,
        typical_mm=(4250, 1530, 2650),
        head_v=0.55,
        tail_v=0.74,
    ),
    "wagon": Profile(
        outline=(
            (0.00, 0.21, 4),
            (0.00, 0.56, 6),
            (0.03, 0.84, 12),
            (0.12, 0.98, 16),
            (0.56, 1.00, 16),
            (0.75, 0.67, 10),
            (0.96, 0.59, 10),
            (1.00, 0.42, 6),
            (0.99, 0.21, 4),
        ),
        glass=((0.06, 0.67, 3), (0.08, 0.82, 6), (0.14, 0.93, 8), (0.55, 0.94, 8), (0.72, 0.67, 3)),
        pillars=(0.20, 0.45),
        front_overhang_share=0.47,
        typical_mm=(4900, 1500, 2950),
        head_v=0.56,
        tail_v=0.70,
    ),
    "suv": Profile(
        outline=(
            (0.00, 0.24, 4),
            (0.00, 0.62, 6),
            (0.02, 0.90, 12),
            (0.08, 0.99, 14),
            (0.60, 1.00, 16),
            (0.77, 0.69, 10),
            (0.97, 0.62, 10),
            (1.00, 0.44, 6),
            (0.99, 0.24, 4),
        ),
        glass=((0.05, 0.70, 3), (0.06, 0.86, 6), (0.10, 0.94, 8), (0.59, 0.95, 8), (0.74, 0.70, 3)),
        pillars=(0.20, 0.44),
        front_overhang_share=0.48,
        typical_mm=(4750, 1680, 2850),
        head_v=0.60,
        tail_v=0.72,
        roof_rails=True,
    ),
    "mpv": Profile(
        outline=(
            (0.00, 0.20, 4),
            (0.00, 0.86, 10),
            (0.03, 0.99, 14),
            (0.66, 1.00, 18),
            (0.86, 0.64, 10),
            (0.98, 0.56, 10),
            (1.00, 0.40, 6),
            (0.99, 0.20, 4),
        ),
        glass=((0.03, 0.66, 3), (0.03, 0.90, 6), (0.06, 0.95, 8), (0.65, 0.95, 8), (0.82, 0.66, 3)),
        pillars=(0.24, 0.47),
        front_overhang_share=0.45,
        typical_mm=(5100, 1800, 3050),
        head_v=0.53,
        tail_v=0.80,
    ),
    "pickup": Profile(
        outline=(
            (0.00, 0.24, 3),
            (0.00, 0.60, 3),
            (0.36, 0.60, 3),
            (0.38, 0.99, 10),
            (0.60, 1.00, 14),
            (0.74, 0.68, 10),
            (0.97, 0.62, 10),
            (1.00, 0.44, 6),
            (0.99, 0.24, 4),
        ),
        glass=((0.40, 0.66, 3), (0.41, 0.93, 6), (0.59, 0.94, 8), (0.71, 0.67, 3)),
        pillars=(0.52,),
        front_overhang_share=0.40,
        typical_mm=(5350, 1850, 3200),
        head_v=0.60,
        tail_v=0.58,
    ),
}
DEFAULT_BODY = "sedan"


@dataclass(frozen=True)
class Layout:
    """Where a car lands in the drawing, in drawing units (y grows downwards)."""

    left: float
    length: float
    height: float
    wheel_radius: float
    rear_axle_x: float
    front_axle_x: float
    # Where the profile's typical car has its axles, in u.
    rear_axle_u: float
    front_axle_u: float

    def at(self, u: float, v: float) -> Point:
        """A profile point on this car. The profile stretches piecewise: what lies behind the rear
        axle over the rear overhang, between the axles over the wheelbase, ahead of the front axle
        over the front overhang; a long bonnet or a long cabin shows as such."""
        right = self.left + self.length
        if u <= self.rear_axle_u:
            x = self.left + (self.rear_axle_x - self.left) * u / self.rear_axle_u
        elif u <= self.front_axle_u:
            share = (u - self.rear_axle_u) / (self.front_axle_u - self.rear_axle_u)
            x = self.rear_axle_x + (self.front_axle_x - self.rear_axle_x) * share
        else:
            x = self.front_axle_x + (right - self.front_axle_x) * (u - self.front_axle_u) / (
                1 - self.front_axle_u
            )
        return x, GROUND_Y - v * self.height


def car_layout(
    *, body: str, length_mm: int | None, height_mm: int | None, wheelbase_mm: int | None
) -> Layout:
    """The car's box and axles at the one scale; missing or implausible figures fall back to the
    body type's typical ones (a wheelbase must leave overhangs: 45-75 % of the length)."""
    profile = PROFILES.get(body, PROFILES[DEFAULT_BODY])
    typical_length, typical_height, typical_wheelbase = profile.typical_mm
    length = _within(length_mm, 2500, LONGEST_MM, typical_length)
    height = _within(height_mm, 1000, 2200, typical_height)
    if wheelbase_mm is None or not 0.45 <= wheelbase_mm / length <= 0.75:
        wheelbase_mm = round(length * typical_wheelbase / typical_length)
    # Tyres grow with the car: about 45 % of its height, between a city car's and a big SUV's.
    wheel_radius = min(max(0.45 * height, 620), 820) / 2 * PX_PER_MM
    length_px = length * PX_PER_MM
    left = (VIEW_WIDTH - length_px) / 2
    rear_share = 1 - profile.front_overhang_share
    rear_axle = left + (length - wheelbase_mm) * rear_share * PX_PER_MM
    typical_rear_u = (typical_length - typical_wheelbase) * rear_share / typical_length
    return Layout(
        left=left,
        length=length_px,
        height=height * PX_PER_MM,
        wheel_radius=wheel_radius,
        rear_axle_x=rear_axle,
        front_axle_x=rear_axle + wheelbase_mm * PX_PER_MM,
        rear_axle_u=typical_rear_u,
        front_axle_u=typical_rear_u + typical_wheelbase / typical_length,
    )


def _within(value: int | None, low: int, high: int, default: int) -> int:
    return value if value is not None and low <= value <= high else default


@lru_cache(maxsize=2048)
def car_svg(
    *,
    body: str,
    length_mm: int | None,
    height_mm: int | None,
    wheelbase_mm: int | None,
    colour: str,
    label: str,
) -> str:
    """The side view as an inline ``<svg role="img">`` named by ``label`` (escaped here).

    An unknown body type is drawn as a saloon; a colour that is not ``#RRGGBB`` as neutral grey
    (it lands in an attribute, and the database does not enforce the paint's validator)."""
    profile = PROFILES.get(body, PROFILES[DEFAULT_BODY])
    paint = colour if HEX_COLOUR.fullmatch(colour) else NEUTRAL_PAINT
    car = car_layout(body=body, length_mm=length_mm, height_mm=height_mm, wheelbase_mm=wheelbase_mm)
    name = escape(label, quote=True)
    parts = [
        f'<svg class="car-illustration" viewBox="0 0 {VIEW_WIDTH} {VIEW_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{name}" focusable="false" '
        f'data-body="{escape(body if body in PROFILES else DEFAULT_BODY)}">',
        f"<title>{name}</title>",
        f'<ellipse cx="{_n(car.left + car.length / 2)}" cy="{_n(GROUND_Y)}" rx="{_n(car.length / 2 + 8)}" '
        'ry="5" fill="#000" fill-opacity=".13"/>',
    ]
    if profile.roof_rails:
        parts.append(_roof_rails(car))
    parts.append(
        f'<path class="car-illustration__body" d="{_rounded_path(car, profile.outline)}" fill="{paint}" '
        'stroke="#000" stroke-opacity=".28" stroke-width="1.5" stroke-linejoin="round"/>'
    )
    sill_y = car.at(0, profile.outline[0][1])[1]
    parts.extend(_arch(x, sill_y, car) for x in (car.rear_axle_x, car.front_axle_x))
    parts.append(
        f'<path d="{_rounded_path(car, profile.glass)}" fill="#223246" fill-opacity=".88" '
        'stroke="#fff" stroke-opacity=".35" stroke-width="1.2"/>'
    )
    parts.extend(_details(car, profile, paint))
    parts.extend(_wheel(x, car.wheel_radius) for x in (car.rear_axle_x, car.front_axle_x))
    parts.append("</svg>")
    return "".join(parts)


def _n(value: float) -> str:
    """A coordinate to one decimal, without a trailing .0: the SVG stays small."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _rounded_path(car: Layout, corners: tuple[Corner, ...]) -> str:
    """A closed path through ``corners`` with each corner rounded by a quadratic curve."""
    points = [car.at(u, v) for u, v, _ in corners]
    commands = []
    for i, (x, y) in enumerate(points):
        radius = corners[i][2]
        before, after = points[i - 1], points[(i + 1) % len(points)]
        start, end = _towards((x, y), before, radius), _towards((x, y), after, radius)
        commands.append(f"{'M' if i == 0 else 'L'}{_n(start[0])} {_n(start[1])}")
        commands.append(f"Q{_n(x)} {_n(y)} {_n(end[0])} {_n(end[1])}")
    return "".join(commands) + "Z"


def _towards(corner: Point, other: Point, radius: float) -> Point:
    """The point ``radius`` from ``corner`` towards ``other``, at most half way."""
    dx, dy = other[0] - corner[0], other[1] - corner[1]
    distance = math.hypot(dx, dy)
    share = min(radius / distance, 0.5) if distance else 0
    return corner[0] + dx * share, corner[1] + dy * share


def _arch(x: float, sill_y: float, car: Layout) -> str:
    """The dark wheel arch above the sill, a little larger than the tyre."""
    radius = car.wheel_radius * 1.14
    centre_y = GROUND_Y - car.wheel_radius
    rise = sill_y - centre_y
    half = math.sqrt(max(radius**2 - rise**2, 0))
    return (
        f'<path d="M{_n(x - half)} {_n(sill_y)}A{_n(radius)} {_n(radius)} 0 1 1 {_n(x + half)} {_n(sill_y)}Z" '
        'fill="#2a3038"/>'
    )


def _wheel(x: float, radius: float) -> str:
    return (
        f'<g class="car-illustration__wheel" transform="translate({_n(x)} {_n(GROUND_Y - radius)})">'
        f'<circle r="{_n(radius)}" fill="#1d2127"/><circle r="{_n(radius * 0.63)}" fill="#c9d0d8"/>'
        f'<circle r="{_n(radius * 0.63)}" fill="none" stroke="#8b95a1" stroke-width="1.5" '
        f'stroke-dasharray="3 3.3"/><circle r="{_n(radius * 0.21)}" fill="#6b7480"/></g>'
    )


def _roof_rails(car: Layout) -> str:
    (x1, y), (x2, _) = car.at(0.14, 1.0), car.at(0.54, 1.0)
    return (
        f'<path d="M{_n(x1)} {_n(y - 2)}H{_n(x2)}" stroke="#2b323b" stroke-width="3" stroke-linecap="round"/>'
    )


def _details(car: Layout, profile: Profile, paint: str) -> list[str]:
    """Pillars in the body colour, the shoulder's highlight, door seams and handles, lights."""
    belt = profile.glass[0][1]
    glass_top = max(v for _, v, _ in profile.glass)
    parts = []
    for u in profile.pillars:
        (x, top), (_, bottom) = car.at(u, glass_top + 0.01), car.at(u, belt)
        parts.append(f'<path d="M{_n(x)} {_n(top)}V{_n(bottom)}" stroke="{paint}" stroke-width="5"/>')
    (x1, y1), (x2, y2) = car.at(0.03, belt - 0.08), car.at(0.97, belt - 0.12)
    parts.append(
        f'<path d="M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}" stroke="#fff" stroke-opacity=".32" stroke-width="2" '
        'fill="none"/>'
    )
    seams = []
    for u in (*profile.pillars, profile.glass[-1][0] - 0.02):
        (x, y_top), (_, y_bottom) = car.at(u, belt - 0.02), car.at(u, profile.outline[0][1] + 0.04)
        seams.append(f"M{_n(x)} {_n(y_top)}V{_n(y_bottom)}")
    parts.append(
        f'<path d="{"".join(seams)}" stroke="#000" stroke-opacity=".2" stroke-width="1.5" fill="none"/>'
    )
    # A door's handle sits just ahead of its rear edge, the pillar behind it.
    handles = "".join("M{} {}h9".format(*map(_n, car.at(u + 0.02, belt - 0.12))) for u in profile.pillars)
    if handles:
        parts.append(
            f'<path d="{handles}" stroke="#000" stroke-opacity=".3" stroke-width="3" stroke-linecap="round"/>'
        )
    (hx, hy), (tx, ty) = car.at(0.955, profile.head_v), car.at(0.0, profile.tail_v)
    parts.append(f'<path d="M{_n(hx)} {_n(hy)}l13 3v5l-13-3Z" fill="#fff4c7"/>')
    parts.append(f'<path d="M{_n(tx)} {_n(ty)}h9v7h-9Z" fill="#c62828"/>')
    return parts
