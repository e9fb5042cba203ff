"""The tests mirror the code: one folder per app, tests/e2e/ for real processes and browsers, and
fixtures shared through plugins (tests/fixtures/), never imported from another test folder."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def folders_with_tests() -> set[str]:
    """Folders of tests/ that hold test modules."""
    return {path.parent.relative_to(TESTS).parts[0] for path in TESTS.rglob("test_*.py")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, anywhere in it, as an absolute dotted name."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            # ``from tests import members`` names a module too.
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def cross_folder_imports() -> list[str]:
    folders = folders_with_tests()
    problems = []
    for path in sorted(TESTS.rglob("*.py")):
        parts = path.relative_to(TESTS).parts
        own = parts[0] if len(parts) > 1 and parts[0] in folders else None
        for line, module in imported_modules(path):
            names = module.split(".")
            if len(names) > 1 and names[0] == "tests" and names[1] in folders and names[1] != own:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


def test_no_test_module_imports_from_another_test_folder() -> None:
    assert cross_folder_imports() == []


def test_the_check_sees_absolute_relative_and_nested_imports(tmp_path, monkeypatch) -> None:
    tests = tmp_path / "tests"
    for folder in ("members", "fleet"):
        (tests / folder).mkdir(parents=True)
        (tests / folder / "test_x.py").write_text("")
    (tests / "fleet" / "test_y.py").write_text(
        "from tests.members.conftest import staff\n"
        "from ..members import test_x\n"
        "from tests import members\n"
        "from tests.fleet.test_x import helper\n"
        "from tests.factories import MemberFactory\n"
        "def f():\n    import tests.members.test_x\n"
    )
    monkeypatch.setattr(f"{__name__}.TESTS", tests)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert cross_folder_imports() == [
        "tests/fleet/test_y.py:1 imports tests.members.conftest",
        "tests/fleet/test_y.py:1 imports tests.members.conftest.staff",
        "tests/fleet/test_y.py:2 imports tests.members",
        "tests/fleet/test_y.py:2 imports tests.members.test_x",
        "tests/fleet/test_y.py:3 imports tests.members",
        "tests/fleet/test_y.py:7 imports tests.members.test_x",
    ]


def test_each_test_folder_is_an_app_or_the_end_to_end_tests() -> None:
    strays = {
        folder
        for folder in folders_with_tests()
        if folder != "e2e" and not (ROOT / folder / "__init__.py").exists()
    }
    assert strays == set()
