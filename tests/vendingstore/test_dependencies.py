"""The apps depend on each other in one direction only (issue 17).

Every project module is parsed (not imported) and every import in it counts: at the top, inside
functions, under ``TYPE_CHECKING``. An import of another app is allowed only when the table below
says so. ``testdrives`` is the one orchestrator: it may use every app and no app may use it.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Who may import whom. Values are app names, or dotted module names for a single module.
ALLOWED: dict[str, set[str]] = {
    "vendingstore": set(),
    "fleet": {"vendingstore"},
    "members": {"fleet", "vendingstore"},
    "biometrics": {"members", "fleet", "vendingstore"},
    "tower": {"fleet", "vendingstore"},
    "snapcar": {"fleet", "vendingstore"},
    "towersim": {"tower.protocol"},
    "testdrives": {"vendingstore", "fleet", "members", "biometrics", "tower", "snapcar"},
    # The operations console sits above everything; nothing imports ops.
    "ops": {"vendingstore", "fleet", "members", "biometrics", "tower", "snapcar", "testdrives"},
}

# The one exception: the production settings check the towers' secrets while they load, with the
# protocol's pure rule (no Django, no app code), so a misconfigured store refuses to start.
SETTINGS_MAY_IMPORT = ("tower.protocol",)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or module.name), dotted
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in ALLOWED else None


def existing_apps() -> list[str]:
    return [app for app in ALLOWED if (ROOT / app / "__init__.py").exists()]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import in the file, wherever it sits; relative imports resolved to dotted names."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, where)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}", where)


def project_imports() -> list[Import]:
    found = []
    for app in existing_apps():
        for path in sorted((ROOT / app).rglob("*.py")):
            found.extend(imports_in(path))
    return found


def allowed(imp: Import) -> bool:
    source, target = app_of(imp.source), app_of(imp.target)
    if target is None or source == target:
        return True
    if imp.source.startswith("vendingstore.settings") and imp.target.startswith(SETTINGS_MAY_IMPORT):
        return True
    rules = ALLOWED[source]  # type: ignore[index]
    return target in rules or any(imp.target == m or imp.target.startswith(m + ".") for m in rules)


def violations() -> dict[str, list[str]]:
    by_app: dict[str, list[str]] = {}
    for imp in project_imports():
        if allowed(imp):
            continue
        by_app.setdefault(app_of(imp.source) or "", []).append(str(imp))
    return by_app


@pytest.mark.parametrize("app", existing_apps())
def test_each_app_imports_only_the_apps_below_it(app: str) -> None:
    found = violations().get(app, [])
    assert not found, "\n".join(found)


def test_the_allowed_directions_have_no_cycle() -> None:
    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        nexts = {dep.split(".")[0] for dep in ALLOWED[start]} - seen
        return goal in nexts or any(reaches(n, goal, seen | {n}) for n in nexts)

    assert [app for app in ALLOWED if reaches(app, app)] == []


def test_nothing_imports_testdrives() -> None:
    assert all("testdrives" not in deps for app, deps in ALLOWED.items() if app not in ("testdrives", "ops"))


def test_nothing_imports_ops() -> None:
    assert all("ops" not in deps for deps in ALLOWED.values())


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    package = tmp_path / "members" / "services"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "accounts.py").write_text(
        "from ..models import Member\n"
        "def f():\n"
        "    from testdrives.models import TestDrive\n"
        "    import biometrics.services\n"
    )
    found = list(imports_in(package / "accounts.py", root=tmp_path))
    assert [imp.target for imp in found] == [
        "members.models.Member",
        "testdrives.models.TestDrive",
        "biometrics.services",
    ]
    assert [allowed(imp) for imp in found] == [True, False, False]


def test_a_module_named_in_the_table_is_allowed_and_its_siblings_are_not() -> None:
    assert allowed(Import("towersim.server", "tower.protocol.sign", "x:1"))
    assert not allowed(Import("towersim.server", "tower.client.send", "x:1"))
    assert allowed(Import("testdrives.views", "members.models.Member", "x:1"))


def test_only_the_settings_may_read_the_tower_protocol_from_vendingstore() -> None:
    assert allowed(Import("vendingstore.settings.production", "tower.protocol.secret_problems", "x:1"))
    assert not allowed(Import("vendingstore.urls", "tower.protocol.sign", "x:1"))
    assert not allowed(Import("vendingstore.settings.production", "tower.conf.secret_for", "x:1"))


# Project imports that may stay inside a function, each for a reason other than a cycle: an app's
# ready() (Django's place for start-up wiring) and modules that load heavy libraries (OpenCV,
# onnxruntime) only in the processes that need them. (Third-party heavy imports inside functions,
# e.g. cv2 in snapcar.paint, need no entry: tests/vendingstore/test_footprint.py checks that a web
# process starts without them.)
HEAVY_ON_DEMAND = {
    # The Celery task registry imports snapcar.services in every process; the image model only
    # loads in the worker that indexes a photo.
    ("snapcar.services", "snapcar.analysis"),
}


def function_level_project_imports() -> list[tuple[str, str, str]]:
    """(module, imported, where) for every project import inside a function, outside ready()."""
    found = []
    for app in existing_apps():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = module_name(path, ROOT)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name == "ready":
                    continue
                for node in ast.walk(fn):
                    target = (
                        node.module
                        if isinstance(node, ast.ImportFrom)
                        else node.names[0].name
                        if isinstance(node, ast.Import)
                        else None
                    )
                    if target and app_of(target) is not None:
                        found.append((module, target, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


def test_no_project_import_waits_inside_a_function_to_dodge_a_cycle() -> None:
    dodges = [
        f"{where}: {m} imports {t}"
        for m, t, where in function_level_project_imports()
        if (m, t) not in HEAVY_ON_DEMAND
    ]
    assert dodges == []
