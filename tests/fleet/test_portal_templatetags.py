"""The portal's template helpers: price tags, safe paint colours and the drawn car."""

import pytest
from django.template import Context, Template

from fleet.models import Paint
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
