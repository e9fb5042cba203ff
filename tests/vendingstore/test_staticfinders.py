"""The Chinese web font's finder collects every file its two CSS files name."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from vendingstore.staticfinders import NOTO_SANS_SC_PREFIX, NotoSansSCFinder

ROOT = Path(settings.BASE_DIR) / "node_modules" / "@fontsource" / "noto-sans-sc"


@pytest.mark.skipif(not (ROOT / "400.css").is_file(), reason="npm ci has not installed the font")
@pytest.mark.parametrize("weight", ["400", "700"])
def test_it_finds_every_slice_the_css_names_numbered_or_named_by_script(weight) -> None:
    finder = NotoSansSCFinder()
    named = set(re.findall(r"url\(\./(files/[^)]+)\)", (ROOT / f"{weight}.css").read_text()))
    assert any("latin" in name for name in named)
    missing = [name for name in named if not finder.find(f"{NOTO_SANS_SC_PREFIX}/{name}")]
    assert missing == []
    assert not finder.find(f"{NOTO_SANS_SC_PREFIX}/files/noto-sans-sc-latin-300-normal.woff2")
