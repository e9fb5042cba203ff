"""QR codes for pickup codes, drawn as inline SVG (no image files, no network)."""

from functools import lru_cache

import segno
from django.utils.safestring import SafeString, mark_safe


@lru_cache(maxsize=256)
def qr_svg(text: str) -> SafeString:
    """An SVG QR code of ``text``; safe to inline (segno escapes nothing user-controlled into it:
    the code's alphabet is letters and digits only)."""
    svg = segno.make(text, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff")
    return mark_safe(svg)  # generated from an alphanumeric code
