"""Template helpers for the customer portal: prices, and the drawn car when there is no photo."""

import math
import re
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from fleet.models import BodyType, Paint
from fleet.pricing import finance_lowest_monthly

register = template.Library()

# Every BodyType has a drawing in fleet/templates/fleet/illustrations/; a type added later
# is drawn as a sedan until someone draws it.
DRAWN_BODIES = frozenset(BodyType.values)
# A model without paints (or with a malformed colour) is drawn in a neutral grey.
NEUTRAL_PAINT = "#9AA3AD"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


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
def car_illustration(body_type: str, paint: Paint | str | None = None) -> SafeString:
    """An inline side view of the body type, tinted in the paint's colour, with a label.

    Inline so a page of cards costs no extra request; the colour is re-checked here because
    it ends up inside an SVG attribute and the database does not enforce the validator.
    """
    if not isinstance(paint, Paint):
        # A template passes "" for a missing paint (e.g. `paints.all.0` of a model with none).
        paint = None
    body = body_type if body_type in DRAWN_BODIES else BodyType.SEDAN.value
    body_label = str(BodyType(body).label)
    colour = paint_hex(paint.hex) if paint is not None else NEUTRAL_PAINT
    if paint is None:
        label = gettext("%(body)s (illustration)") % {"body": body_label}
    else:
        label = gettext("%(body)s in %(paint)s (illustration)") % {
            "body": body_label,
            "paint": paint.display_name,
        }
    return _drawing(body, colour, label)


@lru_cache(maxsize=1024)
def _drawing(body: str, colour: str, label: str) -> SafeString:
    """The rendered SVG, kept per process: a catalogue page draws the same few dozen cars over
    and over, and rendering the nested SVG templates was a large part of the page's CPU time.
    (A changed drawing shows after a restart.)"""
    context = {"body_template": f"fleet/illustrations/{body}.svg", "colour": colour, "label": label}
    # The template escapes the label; the result is safe HTML.
    return mark_safe(render_to_string("fleet/illustrations/car.svg", context))


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """``mapping[key]`` in a template (None when missing): templates cannot index by a variable."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def monthly_from(price_cny: int) -> str:
    """The lowest monthly payment on offer for a price, as '¥1,234' (whole yuan, rounded up)."""
    return f"¥{math.ceil(finance_lowest_monthly(price_cny=int(price_cny))):,}"
