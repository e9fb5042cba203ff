"""Whether Chinese text renders as glyphs or as empty boxes ("tofu"), read from screenshots.

A font without a character draws the same box for every character it lacks, so two different
characters that render pixel-identical to each other and to a private-use character (which no
font here has) are boxes. Real glyphs differ from each other and from the box.
"""

import io

from PIL import Image, ImageChops
from playwright.sync_api import Page

# U+E000 is in the private-use area: no font we ship or the machine has draws it.
TOFU = "\ue000"


def _shot(page: Page, text: str) -> Image.Image:
    """The rendering of ``text`` in the page's own body font, large and alone."""
    page.evaluate(
        """(text) => {
            let probe = document.getElementById("glyph-probe");
            if (!probe) {
                probe = document.createElement("span");
                probe.id = "glyph-probe";
                probe.style.cssText = "position:fixed;left:0;top:0;z-index:99999;font-size:64px;"
                    + "line-height:1;padding:4px;background:#fff;color:#000";
                document.body.appendChild(probe);
            }
            probe.textContent = text;
        }""",
        text,
    )
    # Wait for the web font's slices this text needs (a string wait_for_function would be eval,
    # which the CSP forbids).
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"
    png = page.locator("#glyph-probe").screenshot()
    return Image.open(io.BytesIO(png)).convert("L")


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def empty_boxes(page: Page, characters: str) -> list[str]:
    """The characters of ``characters`` that the page draws as boxes (de-duplicated, in order)."""
    tofu = _shot(page, TOFU)
    boxes = []
    for char in dict.fromkeys(characters):
        if _same(_shot(page, char), tofu):
            boxes.append(char)
    page.evaluate("document.getElementById('glyph-probe')?.remove()")
    return boxes


def chinese_characters(page: Page) -> str:
    """Every CJK ideograph of the page's visible text."""
    text = page.locator("body").inner_text()
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
