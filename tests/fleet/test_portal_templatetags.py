"""The portal's template helpers: price tags, safe paint colours and the drawn car."""

import pytest
from django.template import Context, Template
from django.utils import translation

from fleet.models import Brand, CarModel, Paint
from fleet.templatetags.fleet_portal import car_illustration, cny, paint_hex


@pytest.mark.parametrize(("value", "shown"), [(189_800, "¥189,800"), (1_250_000, "¥1,250,000"), (0, "¥0")])
def test_it_formats_whole_yuan_with_thousands_separators(value: int, shown: str) -> None:
    assert cny(value) == shown


def test_it_shows_nothing_for_a_missing_price() -> None:
    assert cny(None) == ""


@pytest.mark.parametrize(
    "bad", ["red", "#12345", "#1234567", "#GGGGGG", "#123456;background:url(x)", "#123456\n"]
)
def test_it_replaces_a_malformed_colour_with_neutral_grey(bad: str) -> None:
    assert paint_hex(bad) == "#9AA3AD"


def test_it_keeps_a_well_formed_colour() -> None:
    assert paint_hex("#1f4E79") == "#1f4E79"


def test_it_draws_an_unknown_body_type_as_a_sedan() -> None:
    black = Paint(name="Black", name_zh="黑", hex="#111111")
    drawing = car_illustration("limousine", black)

    assert drawing == car_illustration("sedan", black)
    assert 'aria-label="Sedan in Black (illustration)"' in drawing


def test_it_draws_a_model_without_paint_in_grey() -> None:
    html = Template("{% load fleet_portal %}{% car_illustration 'mpv' '' %}").render(Context())

    assert 'aria-label="MPV (illustration)"' in html
    assert "<title>MPV (illustration)</title>" in html
    assert 'fill="#9AA3AD"' in html


def test_it_names_the_model_and_paint_in_the_visitors_language() -> None:
    seal = CarModel(
        brand=Brand(name="BYD", name_zh="比亚迪"), name="Seal", name_zh="海豹", body_type="sedan",
        length_mm=4800, height_mm=1460, wheelbase_mm=2920,
    )  # fmt: skip
    blue = Paint(name="Arctic Blue", name_zh="北极蓝", hex="#1F4E79")

    assert 'aria-label="BYD Seal in Arctic Blue (illustration)"' in car_illustration(seal, blue)
    with translation.override("zh-hans"):
        assert 'aria-label="比亚迪 海豹，北极蓝（示意图）"' in car_illustration(seal, blue)
        assert 'aria-label="比亚迪 海豹（示意图）"' in car_illustration(seal, "")


def test_a_model_is_drawn_from_its_own_proportions() -> None:
    short = CarModel(brand=Brand(name="BYD"), name="Dolphin", body_type="hatchback", length_mm=4290,
                     height_mm=1570, wheelbase_mm=2700)  # fmt: skip
    typical = car_illustration("hatchback", "")

    assert 'data-body="hatchback"' in car_illustration(short, "")
    assert car_illustration(short, "").split("</title>")[1] != typical.split("</title>")[1]
