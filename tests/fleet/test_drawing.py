"""The drawn side view (fleet.drawing): body type, proportions and paint make the picture."""

import re
import xml.etree.ElementTree as ET

import pytest

from fleet.demo import SIZES
from fleet.drawing import GROUND_Y, NEUTRAL_PAINT, car_layout, car_svg

SVG = "{http://www.w3.org/2000/svg}"


def draw(body: str = "sedan", size: tuple[int, int, int] | None = (4800, 1460, 2920), **kwargs: str) -> str:
    length, height, wheelbase = size or (None, None, None)
    return car_svg(
        body=body,
        length_mm=length,
        height_mm=height,
        wheelbase_mm=wheelbase,
        colour=kwargs.get("colour", "#1F4E79"),
        label=kwargs.get("label", "BYD Seal in Blue (illustration)"),
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def body_path(svg: str) -> ET.Element:
    return next(e for e in parse(svg).iter(f"{SVG}path") if e.get("class") == "car-illustration__body")


def wheel_centres(svg: str) -> list[float]:
    wheels = [e for e in parse(svg).iter(f"{SVG}g") if e.get("class") == "car-illustration__wheel"]
    return [float(re.match(r"translate\(([\d.]+) ", w.get("transform", "")).group(1)) for w in wheels]


def extent(svg: str) -> tuple[float, float, float]:
    """Left, right and top of the body outline, from its path's coordinates."""
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", body_path(svg).get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), max(xs), min(ys)


def test_it_is_an_accessible_well_formed_svg() -> None:
    root = parse(draw(label='Tesla "Model 3" <Performance> in Red & Black (illustration)'))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Tesla "Model 3" <Performance> in Red & Black (illustration)'
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    assert root.get("viewBox") == "0 0 320 150"


def test_it_paints_the_body_in_the_colour() -> None:
    assert body_path(draw(colour="#B3261E")).get("fill") == "#B3261E"


@pytest.mark.parametrize("bad", ["red", "#12345", '#123456" onload="x', "#GGGGGG"])
def test_it_paints_a_malformed_colour_neutral_grey(bad: str) -> None:
    svg = draw(colour=bad)
    assert body_path(svg).get("fill") == NEUTRAL_PAINT
    assert "onload" not in svg


def test_each_body_type_has_its_own_outline() -> None:
    outlines = {body: body_path(draw(body, None)).get("d") for body in
                ("sedan", "hatchback", "suv", "mpv", "coupe", "wagon", "pickup")}  # fmt: skip

    assert len(set(outlines.values())) == 7


def test_an_unknown_body_type_is_drawn_as_a_saloon() -> None:
    assert body_path(draw("limousine")).get("d") == body_path(draw("sedan")).get("d")
    assert parse(draw("limousine")).get("data-body") == "sedan"


def test_the_wheels_follow_the_wheelbase() -> None:
    short, long = wheel_centres(draw(size=(4800, 1460, 2700))), wheel_centres(draw(size=(4800, 1460, 3100)))

    assert len(short) == len(long) == 2
    # One scale for every car: 400 mm more between the axles is 400 mm more in the drawing.
    assert (long[1] - long[0]) - (short[1] - short[0]) == pytest.approx(400 * 300 / 5600, abs=0.2)


def test_a_longer_taller_car_is_drawn_longer_and_taller() -> None:
    left, right, top = extent(draw(size=(4290, 1570, 2700)))
    left2, right2, top2 = extent(draw(size=(5175, 1765, 3060)))

    assert right2 - left2 > right - left
    assert GROUND_Y - top2 > GROUND_Y - top


def test_the_three_electric_saloons_no_longer_look_alike() -> None:
    drawings = {}
    for slug in ("byd-seal", "byd-han-ev", "bmw-i3-edrive35l"):
        length, _width, height, wheelbase, *_ = SIZES[slug]
        drawings[slug] = draw("sedan", (length, height, wheelbase))

    assert len({body_path(svg).get("d") for svg in drawings.values()}) == 3
    assert len({tuple(wheel_centres(svg)) for svg in drawings.values()}) == 3


def test_missing_or_implausible_figures_fall_back_to_the_body_type() -> None:
    typical = car_layout(body="suv", length_mm=None, height_mm=None, wheelbase_mm=None)

    # A wheelbase longer than the car is a typing error, not a shape to draw.
    assert car_layout(body="suv", length_mm=None, height_mm=None, wheelbase_mm=9000) == typical
    assert car_layout(body="suv", length_mm=90, height_mm=None, wheelbase_mm=None) == typical


def test_it_is_drawn_once_per_process() -> None:
    car_svg.cache_clear()
    first = draw(size=(4000, 1500, 2500))
    assert draw(size=(4000, 1500, 2500)) is first
    assert car_svg.cache_info().hits == 1
