"""History at scale: what the back office, the sweeps and the booking path cost at 1x, 10x, 100x.

    .venv/bin/python bench/scale.py                                  # 1x, 10x, 100x
    .venv/bin/python bench/scale.py --scales 1,10 --repeat 3         # a quick look
    .venv/bin/python bench/scale.py --before /tmp/vs-main            # also time main's code there

1x is a small chain: 1 store, 27 car models, 77 vehicles, 1,000 members, 5,000 finished test
drives (about 10,000 notifications). 10x and 100x multiply everything but the stores (5, 50)
and the brands (the square root). 100x is 2,700 models, 7,700 vehicles, 100,000 members,
500,000 finished drives and about a million notifications.

Each scale has its own PostgreSQL database (``vs_scale_<n>x``), built once with a fixed seed:
the small tables through the ORM's ``bulk_create``, the big ones with ``INSERT ... SELECT``
from ``generate_series`` on the server. A built database carries a marker row and is reused
by later runs; ``--rebuild`` builds it again. Every run migrates it first (so it has this
branch's indexes) and ANALYZEs it.

Timed, each in a transaction that is rolled back (nothing is kept; tasks queued on commit are
never sent), median of ``--repeat`` runs after one warm-up, with the SQL query count: the admin
changelists of bookings, members and vehicles (plain, searched, filtered, one month's bookings)
through the Django test client as a superuser; every beat sweep; the booking path (slots,
booking, eligibility) as a member; the catalogue page and API list; the monthly tier
re-evaluation of 500 members.

``--before DIR`` also times the code checked out in DIR (e.g. ``git archive main | tar -x -C
DIR``) on the same databases with this branch's new indexes dropped for the run (they are put
back afterwards): "before" and "after" side by side, on the same data, in one run.

Prints a table (ms and queries per scale, the 100x/1x ratio) and, last, a one-line JSON summary.
Results are written up in docs/BENCHMARKS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/{db}"
# Bumped whenever the generated data changes: a database built by another version is rebuilt.
DATA_VERSION = "scale-v1"
SEED = 18
GOAL_RATIO = 2.0
GOAL_ADMIN_BOOKINGS_MS = 150
# The indexes this branch adds; "before" runs without them (dropped, then restored).
NEW_INDEXES = [
    "testdrive_slot_newest",
    "testdrive_updated_dispatching",
    "notification_undelivered",
    "notification_newest",
    "member_joined_newest",
    "member_full_name_trgm",
    "member_mobile_trgm",
    "user_email_trgm",
    "user_username_trgm",
    "testdrive_pickup_code_trgm",
    "testdrive_return_code_trgm",
    "vehicle_vin_trgm",
]
SIZES = {  # per 1x
    "models": 27,
    "vehicles": 77,
    "members": 1000,
    "drives": 5000,
    "live": 20,  # scheduled bookings ahead, on distinct cars
}


def stores_for(scale: int) -> int:
    return max(1, scale // 2)


def brands_for(scale: int) -> int:
    return round(10 * scale**0.5)


# --- The driver: databases, builds, runs -----------------------------------------------------


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_build", "_time"):
        return inner(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    args = parse_args()
    started = datetime.now(UTC)
    results: dict[str, dict[int, dict]] = {"after": {}}
    if args.before:
        results["before"] = {}
    for scale in args.scales:
        db = f"vs_scale_{scale}x"
        ensure_built(db, scale, args.rebuild)
        step(f"{scale}x: migrating {db} (this branch's indexes) and ANALYZE")
        manage(db, ROOT, "migrate", "--no-input", "-v0")
        psql(db, "ANALYZE")
        if args.before:
            step(f"{scale}x: timing the code in {args.before} without the new indexes")
            saved = drop_new_indexes(db)
            try:
                results["before"][scale] = time_scale(db, scale, Path(args.before), args.repeat)
            finally:
                restore_indexes(db, saved)
        step(f"{scale}x: timing this branch")
        results["after"][scale] = time_scale(db, scale, ROOT, args.repeat)
    print_tables(results, args.scales)
    print(json.dumps(summary(results, args, started), separators=(",", ":")))
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated multiples of 1x")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--before", default="", help="a checkout of the code to compare against")
    args = parser.parse_args()
    try:
        args.scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    except ValueError:
        parser.error("--scales takes whole numbers separated by commas")
    if not args.scales or min(args.scales) < 1 or args.repeat < 1:
        parser.error("--scales and --repeat need numbers of at least 1")
    if args.before and not (Path(args.before) / "manage.py").exists():
        parser.error(f"--before {args.before}: no manage.py there")
    return args


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def django_env(db: str, code: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test",
        "DATABASE_URL": PG_URL.format(db=db),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "BENCH_CODE_ROOT": str(code),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "TOWER_DISPATCHER": "instant",
        "LOG_LEVEL": "WARNING",
    }


def manage(db: str, code: Path, *command: str) -> None:
    done = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=code, env=django_env(db, code), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {command[0]} exited with {done.returncode}")


def admin_connect(db: str = "postgres"):
    import psycopg

    return psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db}", autocommit=True)


def psql(db: str, statement: str, params: tuple = ()) -> list[tuple]:
    with admin_connect(db) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def ensure_built(db: str, scale: int, rebuild: bool) -> None:
    from psycopg import sql

    marker = f"{DATA_VERSION} scale={scale} seed={SEED}"
    exists = psql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (db,))
    if exists and not rebuild:
        try:
            found = psql(db, "SELECT marker FROM bench_scale_marker")
        except Exception:
            found = []
        if found and found[0][0] == marker:
            step(f"{scale}x: reusing {db} ({marker})")
            return
    step(f"{scale}x: building {db} ({marker})")
    with admin_connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    manage(db, ROOT, "migrate", "--no-input", "-v0")
    began = time.monotonic()
    run_inner("_build", db, scale, ROOT, 0)
    psql(db, "CREATE TABLE bench_scale_marker (marker text NOT NULL)")
    psql(db, "INSERT INTO bench_scale_marker VALUES (%s)", (marker,))
    step(f"{scale}x: built in {time.monotonic() - began:.0f} s")


def drop_new_indexes(db: str) -> list[str]:
    """Drop this branch's indexes for a "before" run; returns their definitions to restore."""
    rows = psql(db, "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", (NEW_INDEXES,))
    for name, _definition in rows:
        psql(db, f'DROP INDEX "{name}"')
    psql(db, "ANALYZE")
    return [definition for _name, definition in rows]


def restore_indexes(db: str, definitions: list[str]) -> None:
    for definition in definitions:
        psql(db, definition)
    psql(db, "ANALYZE")


def time_scale(db: str, scale: int, code: Path, repeat: int) -> dict:
    return run_inner("_time", db, scale, code, repeat)


def run_inner(mode: str, db: str, scale: int, code: Path, repeat: int) -> dict:
    done = subprocess.run(
        [PYTHON, Path(__file__).resolve(), mode, str(scale), str(repeat)],
        cwd=code,
        env=django_env(db, code),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise RuntimeError(f"{mode} {scale}x in {code} exited with {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The report --------------------------------------------------------------------------------


def print_tables(results: dict, scales: list[int]) -> None:
    for variant, by_scale in results.items():
        print(f"\n{variant}: median ms (SQL queries) per scale")
        cases = [c for c in next(iter(by_scale.values())) if not c.startswith("_")]
        head = f"{'case':44}" + "".join(f"{f'{s}x':>16}" for s in scales) + f"{'ratio':>8}"
        print(head)
        print("-" * len(head))
        for case in cases:
            cells = []
            for s in scales:
                row = by_scale[s].get(case)
                cells.append(f"{row['ms']:>9.1f} ({row['queries']:>3})" if row else f"{'-':>16}")
            ratio = ratio_of(by_scale, case, scales)
            mark = "" if ratio is None or ratio <= GOAL_RATIO else " !"
            print(f"{case:44}" + "".join(f"{c:>16}" for c in cells) + f"{ratio or '':>8}{mark}")


def ratio_of(by_scale: dict, case: str, scales: list[int]) -> float | None:
    first, last = by_scale[scales[0]].get(case), by_scale[scales[-1]].get(case)
    if len(scales) < 2 or not first or not last or first["ms"] <= 0:
        return None
    return round(last["ms"] / first["ms"], 2)


def summary(results: dict, args: argparse.Namespace, started: datetime) -> dict:
    out = {
        "bench": "scale",
        "started": started.isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "scales": args.scales,
        "repeat": args.repeat,
        "goal_ratio": GOAL_RATIO,
    }
    for variant, by_scale in results.items():
        cases = [c for c in by_scale[args.scales[0]] if not c.startswith("_")]
        ratios = {case: ratio_of(by_scale, case, args.scales) for case in cases}
        top = by_scale[args.scales[-1]].get("admin: bookings list", {}).get("ms")
        out[variant] = {
            "by_scale": by_scale,
            "ratio": ratios,
            "over_goal": sorted(c for c, r in ratios.items() if r is not None and r > GOAL_RATIO),
            "admin_bookings_list_ms_at_largest": top,
            "admin_bookings_goal_met": top is not None and top <= GOAL_ADMIN_BOOKINGS_MS,
        }
    return out


# --- Inside Django: build and time ---------------------------------------------------------------


def inner(mode: str, scale: int, repeat: int) -> int:
    sys.path.insert(0, os.environ["BENCH_CODE_ROOT"])
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, a locmem mailbox
    if mode == "_build":
        from bench_scale_build import build

        build(scale=scale, seed=SEED, sizes=SIZES, stores=stores_for(scale), brands=brands_for(scale))
        print(json.dumps({"built": scale}))
    else:
        from bench_scale_time import time_all

        print(json.dumps(time_all(scale=scale, repeat=repeat)))
    return 0


if __name__ == "__main__":
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    sys.exit(main())
