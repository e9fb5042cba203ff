"""Face decision as the customer waits (issue 18 goal 4): kiosk POST → real Celery worker →
the kiosk's poll sees the decision. Warm, and the first attempt after a worker starts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vs_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/face_pickup_e2e.py [--rounds 30] [--starts 3] [--concurrency 2]
    ... --no-load-before-fork      # the "before": each pool child loads its own models
    ... --burst mirror             # the frames as before: the whole picture mirrored, the face jumping

Real processes: PostgreSQL (its own test database, created and dropped), Redis, and a
``celery worker --pool prefork`` started as the Procfile starts it, on a private queue. The kiosk
is Django's test client in this process (the kiosk's own views: the burst's checks, the frames
encrypted and stored, the task queued on commit). A round: the booking is put back to checked-in,
the kiosk posts five 640×480 JPEG frames of a head turn (a shared photo, its face 150 px wide,
then its mirror image in the same place), then asks the kiosk's status region as the kiosk page
does (``?wait=decision``: the request is answered as soon as the decision commits, or after
``KIOSK_DECISION_WAIT_MS``, still verifying, and is asked again). ``visible``: that answer shows
the decision, which is what the customer sees; ``decided``: the worker's decision time.

The wait is also split into stages by real wall-clock marks (``tests/e2e/bench_face.py``
``one_pickup``): the POST, the broker and pool to the task's start, the attempt locked, the
decision in the worker (frames read, embed, anti-spoofing, challenge), and the verdict applied
and committed until the kiosk's waiting request shows it.

- **first**: a fresh worker per start; the burst is posted as soon as it answers a ping. The
  kiosk's status is rendered once before (``--cold-kiosk``: not), as a web process that served
  earlier customers has: a worker's start does not make the web process render for the first time.
- **warm**: ``--rounds`` pickups on the last worker, once its children have settled.
- **memory**: RSS, PSS and USS of the worker's main process and of each pool child after the warm
  rounds (PSS divides shared pages among their sharers: what a child really costs).

Prints the numbers and, last, one JSON line. Numbers on a shared machine move with its load.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The wait split by wall-clock marks (tests/e2e/bench_face.py ``one_pickup`` says what each is).
STAGES = (
    "post",
    "response_to_worker",
    "worker_lock",
    "worker_decide",
    "decided_to_visible",
    "decided_to_seen",
    "seen_to_visible",
)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))], 1)


def run_pytest(test: str, env: dict[str, str]) -> dict:
    """Run tests/e2e/bench_face.py::``test`` with the booking world's fixtures; its measures."""
    out = Path(tempfile.mkstemp(prefix="bench-face-", suffix=".json")[1])
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vs_bench"),
        "TEST_DATABASE_NAME": os.environ.get("TEST_DATABASE_NAME", "test_vs_bench_face"),
        "BENCH_FACE_OUT": str(out),
        **env,
    }
    command = [
        sys.executable, "-m", "pytest", f"tests/e2e/bench_face.py::{test}",
        "-s", "-q", "-p", "no:cacheprovider", "--create-db",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=full_env)
    if result.returncode != 0:
        sys.exit(f"the benchmark's run failed (pytest exit {result.returncode})")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="warm pickups (default 30)")
    parser.add_argument("--starts", type=int, default=3, help="worker starts, one first attempt each (3)")
    parser.add_argument("--concurrency", type=int, default=2, help="prefork children (the Procfile's 2)")
    parser.add_argument("--no-load-before-fork", action="store_true", help="each child loads its own models")
    parser.add_argument(
        "--cold-kiosk",
        action="store_true",
        help="do not render the kiosk's status once before the first start (the first attempt then "
        "also pays this process's first template render)",
    )
    parser.add_argument(
        "--burst",
        choices=("turn", "mirror"),
        default="turn",
        help="turn: the head turns in place (default); mirror: the whole frame mirrored, the face jumping",
    )
    args = parser.parse_args()
    print(
        f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}", flush=True
    )
    data = run_pytest(
        "test_face_pickup_e2e",
        {
            "BENCH_FACE_ROUNDS": str(args.rounds),
            "BENCH_FACE_STARTS": str(args.starts),
            "BENCH_FACE_CONCURRENCY": str(args.concurrency),
            "BENCH_FACE_BEFORE_FORK": "false" if args.no_load_before_fork else "true",
            "BENCH_FACE_BURST": args.burst,
            "BENCH_FACE_WARM_KIOSK": "false" if args.cold_kiosk else "true",
        },
    )
    warm = [r["visible_ms"] for r in data["warm"]]
    warm_decided = [r["decided_ms"] for r in data["warm"]]
    first = [r["visible_ms"] for r in data["first"]]
    results = sorted({r["result"] for r in data["warm"] + data["first"]})
    parts = {
        key: round(statistics.median(r["worker_ms"].get(key, 0.0) for r in data["warm"]), 1)
        for key in ("read", "embed", "antispoof", "follow", "challenge", "total", "cpu")
    } if data["warm"] else {}  # fmt: skip
    stages = {
        key: (pct([r["stages_ms"][key] for r in data["warm"]], 50), pct([r["stages_ms"][key] for r in data["warm"]], 95))
        for key in STAGES
        if all(key in r["stages_ms"] for r in data["warm"])
    } if data["warm"] else {}  # fmt: skip
    post = [r["post_ms"] for r in data["warm"]]
    post_cpu = [r.get("post_cpu_ms", 0.0) for r in data["warm"]]
    memory = data["memory"]
    print(
        f"\nwarm, {len(warm)} pickups: POST → decision visible p50 {pct(warm, 50)} ms, p95 {pct(warm, 95)} ms "
        f"(committed: p50 {pct(warm_decided, 50)}, p95 {pct(warm_decided, 95)}; the POST itself p50 {pct(post, 50)} ms)"
    )
    print(f"  in the worker (median ms): {parts}  (cpu: the decision's CPU time)")
    print(f"  the POST's CPU in the kiosk's process (median): {pct(post_cpu, 50)} ms")
    print("  where the time goes (warm, ms: p50 / p95 of each stage):")
    for key, (p50, p95) in stages.items():
        print(f"    {key:<20} {p50:7.1f} / {p95:7.1f}")
    print(
        f"first attempt after a worker starts, {len(first)} starts: "
        + ", ".join(f"{v:.0f}" for v in first)
        + " ms"
    )
    print(f"decisions: {results}")
    if memory:
        print(
            f"worker main process: RSS {memory['main']['rss']:.0f} MB, PSS {memory['main']['pss']:.0f}, USS {memory['main']['uss']:.0f}"
        )
        for index, child in enumerate(memory["children"]):
            print(
                f"  child {index + 1}: RSS {child['rss']:.0f} MB, PSS {child['pss']:.0f} MB, USS {child['uss']:.0f} MB"
            )
    goal = {"warm_p95_le_250ms": pct(warm, 95) <= 250, "first_le_400ms": max(first, default=1e9) <= 400}
    print(f"goal: {goal}  (load {os.getloadavg()})")
    summary = {
        "warm_p50_ms": pct(warm, 50),
        "warm_p95_ms": pct(warm, 95),
        "warm_decided_p50_ms": pct(warm_decided, 50),
        "warm_decided_p95_ms": pct(warm_decided, 95),
        "first_ms": [round(v, 1) for v in first],
        "first_max_ms": round(max(first), 1) if first else None,
        "worker_parts_p50_ms": parts,
        "stages_p50_ms": {key: p50 for key, (p50, _) in stages.items()},
        "post_cpu_p50_ms": pct(post_cpu, 50),
        "rounds": len(warm),
        "starts": len(first),
        "concurrency": data["concurrency"],
        "load_before_fork": not args.no_load_before_fork,
        "burst": args.burst,
        "warm_kiosk": not args.cold_kiosk,
        "child_rss_mb": [round(c["rss"]) for c in memory.get("children", [])],
        "child_pss_mb": [round(c["pss"]) for c in memory.get("children", [])],
        "child_uss_mb": [round(c["uss"]) for c in memory.get("children", [])],
        "main_rss_mb": round(memory["main"]["rss"]) if memory else None,
        "results": results,
        "goal_met": all(goal.values()),
        "load": os.getloadavg(),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
