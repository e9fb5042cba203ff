"""The simulator is a separate program: it imports the wire contract and nothing of Django."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(f"towersim.{p.stem}" for p in (ROOT / "towersim").glob("*.py") if p.stem != "__main__")


def test_it_imports_no_django_module() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
    assert len(MODULES) >= 8  # every module was imported, not an empty glob


def test_the_wire_contract_imports_no_django_module() -> None:
    script = "import sys, tower.protocol; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
