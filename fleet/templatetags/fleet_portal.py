"""Template helpers for the customer portal: prices, and the drawn car when there is no photo."""

import math
from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from fleet import drawing
from fleet.compare import ComparedModel
from fleet.models import BodyType, CarModel, CarPhoto, Paint
from fleet.photos import rendition_name, rendition_widths
from fleet.pricing import finance_lowest_monthly
from fleet.specs import SpecRow, spec_rows

register = template.Library()

# A model without paints (or with a malformed colour) is drawn in a neutral grey.
NEUTRAL_PAINT = drawing.NEUTRAL_PAINT
HEX_COLOUR = drawing.HEX_COLOUR


@register.filter
def cny(value: int | None) -> str:
    """Whole yuan as a price tag: 189800 -> '¥189,800'. List prices carry no fen."""
    if value is None or value == "":
        return ""
    return f"¥{int(value):,}"


@register.filter
def paint_hex(value: str) -> str:
    """The colour if it is a well-formed #RRGGBB, else neutral grey: it lands in style attributes."""
    return value if isinstance(value, str) and HEX_COLOUR.fullmatch(value) else NEUTRAL_PAINT


@register.simple_tag
def car_illustration(subject: CarModel | str, paint: Paint | str | None = None) -> SafeString:
    """An inline side view of a model (its body type, proportions and paint), named for screen
    readers by the model and paint. Given a body type instead of a model, a typical car of that
    type, named by the type.

    Inline so a page of cards costs no extra request; fleet.drawing caches the SVG per process.
    """
    if not isinstance(paint, Paint):
        # A template passes "" for a missing paint (e.g. `paints.all.0` of a model with none).
        paint = None
    colour = paint_hex(paint.hex) if paint is not None else NEUTRAL_PAINT
    if isinstance(subject, CarModel):
        name = f"{subject.brand.display_name} {subject.display_name}"
        svg = drawing.car_svg(
            body=subject.body_type,
            length_mm=subject.length_mm,
            height_mm=subject.height_mm,
            wheelbase_mm=subject.wheelbase_mm,
            colour=colour,
            label=_label(name, paint),
        )
    else:
        body = subject if subject in BodyType.values else BodyType.SEDAN.value
        svg = drawing.car_svg(
            body=body,
            length_mm=None,
            height_mm=None,
            wheelbase_mm=None,
            colour=colour,
            label=_label(str(BodyType(body).label), paint),
        )
    return mark_safe(svg)  # car_svg escapes the label and checks the colour


@register.simple_tag
def car_name(car_model: CarModel, paint: Paint | str | None = None) -> str:
    """'BYD Seal', or 'BYD Seal, Arctic Blue' with a paint: a picture's text alternative."""
    name = f"{car_model.brand.display_name} {car_model.display_name}"
    return f"{name}, {paint.display_name}" if isinstance(paint, Paint) else name


def _label(name: str, paint: Paint | None) -> str:
    if paint is None:
        return gettext("%(name)s (illustration)") % {"name": name}
    return gettext("%(name)s in %(paint)s (illustration)") % {"name": name, "paint": paint.display_name}


@register.simple_tag
def carphoto_img(photo: CarPhoto, sizes: str, alt: str = "", eager: bool = False) -> SafeString:
    """The photo as a responsive ``<img>``: its smaller copies in ``srcset`` (once made) for the
    browser to pick by ``sizes``, and its width and height so the page keeps its place before the
    bytes arrive. Pictures load lazily, except the one a page shows first (eager=True).
    Reads no file and runs no query: the size and the copies' names are on the row."""
    url = photo.image.url
    attrs: list[tuple[str, object]] = [("src", url)]
    if photo.renditions_of == photo.image.name and photo.width:
        storage = photo.image.storage
        candidates = [
            f"{storage.url(rendition_name(photo.image.name, width))} {width}w"
            for width in rendition_widths(photo.width)
        ]
        attrs += [("srcset", ", ".join([*candidates, f"{url} {photo.width}w"])), ("sizes", sizes)]
    if photo.width and photo.height:
        attrs += [("width", photo.width), ("height", photo.height)]
    attrs.append(("alt", alt))
    if not eager:
        attrs.append(("loading", "lazy"))
    attrs.append(("decoding", "async"))
    return format_html("<img {}>", format_html_join(" ", '{}="{}"', attrs))


@register.simple_tag
def optional_specs(subject: CarModel | Iterable[CarModel | ComparedModel]) -> list[SpecRow]:
    """Size, boot and charging rows for one model or the compared ones: only the rows some of them
    have a figure for, each with one value per model (None where missing)."""
    items: list[CarModel | ComparedModel] = [subject] if isinstance(subject, CarModel) else list(subject)
    return spec_rows(item.car_model if isinstance(item, ComparedModel) else item for item in items)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """``mapping[key]`` in a template (None when missing): templates cannot index by a variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def monthly_from(price_cny: int) -> str:
    """The lowest monthly payment on offer for a price, as '¥1,234' (whole yuan, rounded up)."""
    return f"¥{math.ceil(finance_lowest_monthly(price_cny=int(price_cny))):,}"
