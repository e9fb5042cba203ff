"""Costly uploads against an unrelated request: does one slow the other? (issue 13, item 6)

    .venv/bin/python bench/uploads.py                    # this checkout
    .venv/bin/python bench/uploads.py --app-dir DIR      # another checkout (e.g. main before the fix)

Starts gunicorn (the project's settings, ``--workers`` = WEB_CONCURRENCY's default 2) on a free
port with a fresh SQLite database, then for each payload fires six concurrent
``POST /api/v1/snapcar/`` uploads while an unrelated ``GET /`` (the catalogue) is timed again and
again. The delay is the slowest such GET minus the GET's median when the server is idle.
Payloads, made in memory: a 50-MP PNG (8660 × 5773, a gradient: ~0.9 MB), the 160 KB PNG
declaring 7071 × 7071 from the security report, and a phone screenshot's PNG (1290 × 2796,
3.6 MP, under the 4 MP a web request decodes in full by default) for the cost of an accepted one. Needs Redis (REDIS_URL, default db 2) for the throttle's counter.
The last line printed is one JSON object.
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
CONCURRENT = 6


def gradient_png(width: int, height: int) -> bytes:
    """A PNG that compresses well (so it passes the 12 MB byte limit) yet has every pixel."""
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    rgb = np.stack(
        [(x + y) / 2, np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width))], axis=-1
    ).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def flat_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 30, 30)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app_dir: Path, port: int, workers: int, database: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.base",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
        "API_ANON_RATE": "100000/minute",  # the throttle is not what is measured
        "LOG_LEVEL": "WARNING",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=app_dir, env=env, check=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "vendingstore.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120"],
        cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def timed_get(base: str) -> float:
    started = time.perf_counter()
    requests.get(base + "/", timeout=120).raise_for_status()
    return time.perf_counter() - started


def upload(base: str, name: str, data: bytes, results: list) -> None:
    started = time.perf_counter()
    response = requests.post(
        base + "/api/v1/snapcar/", files={"photo": (name, data, "image/png")}, timeout=120
    )
    code = response.json().get("code", "") if response.status_code != 200 else ""
    results.append((response.status_code, code, time.perf_counter() - started))


def scenario(base: str, name: str, data: bytes, idle_p50: float) -> dict:
    results: list = []
    threads = [threading.Thread(target=upload, args=(base, name, data, results)) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)  # the uploads are on the wire first
    gets = []
    while any(thread.is_alive() for thread in threads) or not gets:
        gets.append(timed_get(base))
    for thread in threads:
        thread.join()
    statuses: dict[str, int] = {}
    for status, code, _ in results:
        key = f"{status} {code}".strip()
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "payload": name,
        "bytes": len(data),
        "uploads": statuses,
        "upload_max_s": round(max(r[2] for r in results), 3),
        "get_count": len(gets),
        "get_max_s": round(max(gets), 3),
        "delay_s": round(max(gets) - idle_p50, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()

    payloads = {
        "50-MP PNG 8660x5773": gradient_png(8660, 5773),
        "7071x7071 PNG (bomb-like)": flat_png(7071, 7071),
        "3.6-MP PNG 1290x2796": gradient_png(1290, 2796),
    }
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(args.app_dir, port, args.workers, Path(tmp) / "bench.sqlite3")
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(5):
                timed_get(base)  # warm both workers
            # Each worker loads the image model on its first photo: not what is measured.
            warm: list = []
            warmers = [
                threading.Thread(target=upload, args=(base, "warm.png", gradient_png(640, 480), warm))
                for _ in range(2 * args.workers)
            ]
            for thread in warmers:
                thread.start()
            for thread in warmers:
                thread.join()
            idle = [timed_get(base) for _ in range(20)]
            idle_p50 = statistics.median(idle)
            print(f"{args.label}: {args.workers} gunicorn workers, idle GET / p50 {idle_p50 * 1000:.0f} ms")
            rows = []
            for name, data in payloads.items():
                row = scenario(base, name, data, idle_p50)
                rows.append(row)
                print(
                    f"  {CONCURRENT} x {name} ({row['bytes'] // 1024} KB): answers {row['uploads']}, "
                    f"slowest upload {row['upload_max_s']:.2f} s; GET / x{row['get_count']} meanwhile, "
                    f"slowest {row['get_max_s']:.2f} s, delay {row['delay_s']:.2f} s"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({"label": args.label, "workers": args.workers, "idle_get_p50_s": round(idle_p50, 4),
                      "scenarios": rows}))  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
