"""The catalogue does not know snap-a-car exists: fleet imports nothing of it."""

import re
from pathlib import Path

import fleet

FLEET = Path(fleet.__file__).parent
# Read as text, not with ast: CPython 3.11's ast.parse can raise SystemError late in a long run.
SNAPCAR_IMPORT = re.compile(r"^\s*(from\s+snapcar[\s.]|import\s+(.*,\s*)?snapcar\b)", re.MULTILINE)


def test_fleet_imports_nothing_from_snapcar() -> None:
    offenders = [
        str(path.relative_to(FLEET))
        for path in FLEET.rglob("*.py")
        if SNAPCAR_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_import_check_would_see_one() -> None:
    assert SNAPCAR_IMPORT.search("x = 1\nfrom snapcar.tasks import snapcar_train_task\n")
    assert SNAPCAR_IMPORT.search("    import snapcar\n")
    assert not SNAPCAR_IMPORT.search('"""Not snapcar: from snapcarx import y"""\n')


def test_fleet_templates_do_not_link_to_snapcar() -> None:
    root = FLEET / "templates"
    assert [str(p) for p in root.rglob("*.html") if "snapcar:" in p.read_text(encoding="utf-8")] == []
