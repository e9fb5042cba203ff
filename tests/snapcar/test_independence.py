"""The catalogue does not know snap-a-car exists: fleet imports nothing of it."""

import ast
from pathlib import Path

import fleet


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_fleet_imports_nothing_from_snapcar() -> None:
    root = Path(fleet.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "snapcar"
        )
        for path in root.rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_fleet_templates_do_not_link_to_snapcar() -> None:
    root = Path(fleet.__file__).parent / "templates"
    assert [str(p) for p in root.rglob("*.html") if "snapcar:" in p.read_text(encoding="utf-8")] == []
