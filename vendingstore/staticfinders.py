"""Static files from npm packages, limited to what the pages use.

``@fontsource/noto-sans-sc`` (OFL-1.1) is 76 MB in nine weights; the Chinese pages use two
(regular and bold), each split by unicode-range into ~100 slices so that a page downloads only
the slices of the characters it shows. Collecting the whole package would copy every weight.
"""

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage

NOTO_SANS_SC_PREFIX = "vendor/noto-sans-sc"
# Regular and bold: the two weights portal.css uses.
# The slices are numbered (CJK) or named by script (latin, latin-ext, cyrillic, vietnamese): the
# CSS names both kinds, and collectstatic's manifest refuses a CSS naming a file it lacks.
_WANTED = re.compile(
    r"(?:(?:400|700)\.css|LICENSE|files/noto-sans-sc-(?:\d+|[a-z]+(?:-[a-z]+)?)-(?:400|700)-normal\.woff2?)"
)


class NotoSansSCFinder(BaseFinder):
    """Serves ``vendor/noto-sans-sc/{400,700}.css`` and the font slices they name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.root = Path(settings.BASE_DIR) / "node_modules" / "@fontsource" / "noto-sans-sc"
        self.storage = FileSystemStorage(location=self.root)
        self.storage.prefix = NOTO_SANS_SC_PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if (self.root / "400.css").is_file():
            return []
        return [
            Warning(
                "The Chinese web font is not installed: Chinese pages show empty boxes on devices "
                "without a CJK font.",
                hint="Run npm ci (./bin/run and ./bin/test do).",
                id="vendingstore.W001",
            )
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:  # str, or list with find_all
        find_all = find_all or kwargs.get("all", False)
        relative = path.removeprefix(NOTO_SANS_SC_PREFIX + "/")
        if relative != path and _WANTED.fullmatch(relative) and (self.root / relative).is_file():
            found = str(self.root / relative)
            return [found] if find_all else found
        return [] if find_all else ""

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        if not self.root.is_dir():
            return
        for file in sorted(self.root.rglob("*")):
            relative = file.relative_to(self.root).as_posix()
            if file.is_file() and _WANTED.fullmatch(relative):
                yield relative, self.storage
