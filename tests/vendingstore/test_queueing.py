"""A task queued by name is found in a fresh process that never imported its module (a web
process: services queue the tower's sender by name); the whole test run imports every module,
which hid that (tests/e2e on its own failed at sign-up with NotRegistered)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
import django
django.setup()
from vendingstore.queueing import task_by_name
assert "tower.tasks" not in sys.modules, "the probe must start without tower.tasks"
print(task_by_name("tower.tasks.tower_command_send_task").name)
"""


def test_it_finds_a_task_whose_module_nothing_imported_yet():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test"}

    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "tower.tasks.tower_command_send_task"
