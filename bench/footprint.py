"""The store's footprint: virtualenv size and each process's memory (issue 18, goal 5).

    .venv/bin/python bench/footprint.py                   # this checkout
    .venv/bin/python bench/footprint.py --app-dir DIR     # another checkout (e.g. main, before)

Each checkout runs with its own ``.venv``. Measured:

- **venv**: the size on disk of ``.venv`` and of PyTorch in it, and of the set-up virtualenv
  (``var/export-venv``, where PyTorch now lives) when there is one.
- **web**: one gunicorn sync worker (the project's settings, a fresh SQLite database), its RSS
  after start-up and after serving the catalogue, and which image libraries it has mapped.
- **worker**: a Celery prefork worker with one child: parent and child RSS once ready (the child
  has warmed the face engine up, if the checkout does that at start).
- **face check**: what a worker child holds after its first pickup — a process that loads Django,
  embeds a shared photo and runs anti-spoofing on it (the code a pickup task calls), then its RSS
  and whether it mapped PyTorch.

RSS is resident memory as ``ps`` shows it (shared library pages counted in every process). Needs
Redis (REDIS_URL, default db 2). The last line printed is one JSON object.
"""

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
# Shared objects whose presence in /proc/PID/maps says the library was imported.
LIBRARIES = {
    "torch": "libtorch",
    "cv2": "/cv2/",
    "onnxruntime": "onnxruntime_pybind11",
    "dlib": "_dlib_pybind11",
}
SAMPLE = "spoof/image_T1.jpg"


def du_mb(path: Path) -> float | None:
    if not path.exists():
        return None
    done = subprocess.run(["du", "-sbL", str(path)], capture_output=True, text=True, check=True)
    return round(int(done.stdout.split()[0]) / 2**20, 1)


def rss_mb(pid: int) -> float:
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


def mapped(pid: int) -> list[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted(name for name, marker in LIBRARIES.items() if marker in maps)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.base",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
        "TOWER_DISPATCHER": "instant",
    }


def settle(pid: int, seconds: float = 3.0) -> None:
    """Wait until the process's RSS stops growing by a megabyte or more (loading done)."""
    last, stable_since = -1.0, time.monotonic()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = rss_mb(pid)
        if abs(now - last) >= 1.0:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= seconds:
            return
        time.sleep(0.5)


def measure_web(app_dir: Path, env: dict[str, str]) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [
            str(app_dir / ".venv/bin/gunicorn"),
            "vendingstore.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=app_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (healthz may say 503: no Celery worker is running)
            except OSError:
                time.sleep(0.25)
        worker = psutil.Process(server.pid).children()[0].pid
        settle(worker)
        started = rss_mb(worker)
        for path in ("/", "/", "/api/v1/models/", "/healthz"):
            # A page this checkout lacks answers an error: the memory is what is measured.
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + path, timeout=30).read()
        settle(worker)
        return {
            "master_mb": rss_mb(server.pid),
            "worker_started_mb": started,
            "worker_after_requests_mb": rss_mb(worker),
            "worker_libraries": mapped(worker),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_worker(app_dir: Path, env: dict[str, str]) -> dict:
    worker = subprocess.Popen(
        [
            str(app_dir / ".venv/bin/celery"),
            "-A",
            "vendingstore",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"footprint-{os.getpid()}@%h",
        ],
        cwd=app_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        children: list[psutil.Process] = []
        while not children and time.monotonic() < deadline:
            time.sleep(0.5)
            children = psutil.Process(worker.pid).children()
        child = children[0].pid
        settle(child)
        return {
            "parent_mb": rss_mb(worker.pid),
            "child_mb": rss_mb(child),
            "child_libraries": mapped(child),
        }
    finally:
        worker.terminate()
        worker.wait(timeout=30)


FACE_CHECK = """
import json, os, django
django.setup()
from pathlib import Path
from django.conf import settings
from biometrics.engine import check_antispoof, embed
sample = Path(settings.SHARED_DIR) / "faces" / {sample!r}
embed(sample)
status = check_antispoof(sample).status
print(json.dumps({{"pid": os.getpid(), "antispoof": str(status)}}))
input()  # measured from outside while it waits
"""


def measure_face_check(app_dir: Path, env: dict[str, str]) -> dict:
    check = subprocess.Popen(
        [str(app_dir / ".venv/bin/python"), "-c", FACE_CHECK.format(sample=SAMPLE)],
        cwd=app_dir,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert check.stdout is not None
        assert check.stdin is not None
        answer = json.loads(check.stdout.readline())
        result = {
            "antispoof": answer["antispoof"],
            "rss_mb": rss_mb(check.pid),
            "libraries": mapped(check.pid),
        }
        check.stdin.write("\n")
        check.stdin.flush()
        return result
    finally:
        check.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout to measure (its own .venv)")
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()
    venv = (app_dir / ".venv").resolve()
    site = next(venv.glob("lib/python3*/site-packages"))
    result: dict = {
        "app_dir": str(app_dir),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=app_dir, capture_output=True, text=True
        ).stdout.strip(),
        "venv_mb": du_mb(venv),
        "venv_torch_mb": du_mb(site / "torch") or 0.0,
        "export_venv_mb": du_mb(app_dir / "var" / "export-venv"),
    }
    print(f"{app_dir} @ {result['commit']}")
    print(
        f"  .venv {result['venv_mb']} MB, of which torch {result['venv_torch_mb']} MB; "
        f"set-up venv (var/export-venv) {result['export_venv_mb']} MB"
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp) / "footprint.sqlite3")
        subprocess.run(
            [str(venv / "bin/python"), "manage.py", "migrate", "-v0"],
            cwd=app_dir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(f"  (migrated in {time.monotonic() - started:.0f} s)")
        result["web"] = web = measure_web(app_dir, env)
        print(f"  ({time.monotonic() - started:.0f} s so far)")
        print(
            f"  web (gunicorn, 1 sync worker): master {web['master_mb']} MB; worker {web['worker_started_mb']} MB "
            f"started, {web['worker_after_requests_mb']} MB after the catalogue; mapped: {web['worker_libraries'] or 'none'}"
        )
        result["worker"] = worker = measure_worker(app_dir, env)
        print(f"  ({time.monotonic() - started:.0f} s so far)")
        print(
            f"  worker (celery prefork, 1 child): parent {worker['parent_mb']} MB, child {worker['child_mb']} MB "
            f"ready; child mapped: {worker['child_libraries'] or 'none'}"
        )
        result["face_check"] = face = measure_face_check(app_dir, env)
        print(
            f"  face check (embed + anti-spoofing, as a worker child's first pickup): {face['rss_mb']} MB, "
            f"anti-spoofing {face['antispoof']}; mapped: {face['libraries']}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
