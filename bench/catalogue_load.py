"""Load benchmark of the catalogue: portal pages and JSON API under N concurrent users.

    .venv/bin/python bench/catalogue_load.py                    # about 5 minutes
    .venv/bin/python bench/catalogue_load.py --duration 20 --phases browse
    .venv/bin/python bench/catalogue_load.py --phases browse --users 50,100,200,400   # the knee
    .venv/bin/python bench/catalogue_load.py --phases browse --users 50,200,400 --variants ours,naive

What it does, on loopback addresses only:

1. drops and recreates its own PostgreSQL database (``vendingstore_bench``), migrates it and
   loads the demo data with ``manage.py demo_load``; empties Redis database 15, which it uses
   for the cache and the API throttle so no other process's keys get in the way;
2. runs ``collectstatic`` and measures the SQL queries of one request to each endpoint;
3. for each variant (``ours``: the store as configured, with its shared anonymous answers and
   load shedding; ``naive``: ``ANON_CACHE_SECONDS=0`` and ``LOAD_SHED_QUEUE_MS=0``, so every
   request is rendered and none is shed), each phase and each number of users in ``--users``:
   starts gunicorn with the production settings (DEBUG off, no SSL redirect) on ``--port`` (a
   free port of 127.0.0.1 unless told; the URL is printed), warms it up, runs locust headless for ``--duration`` seconds, stops both, and reads
   locust's statistics and the CPU time used by gunicorn, by locust and by the whole machine;
4. prints a table per variant, phase and user count, the knee of each phase (the most users still within
   the p95 goal with no failures, and where throughput stops growing) and, last, a one-line
   JSON summary.

Gunicorn and locust are stopped (their whole process groups) whatever happens, Ctrl-C included.
Results and their limits are written up in docs/BENCHMARKS.md.
"""

import argparse
import base64
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "bench"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_catalogue.py"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
# What "naive" turns off: the whole-answer cache and ETags of anonymous reads, and load shedding.
VARIANTS = {
    "ours": {},
    "naive": {"ANON_CACHE_SECONDS": "0", "LOAD_SHED_QUEUE_MS": "0", "LOAD_SHED_IN_FLIGHT": "0"},
}
# Throughput that grows by less than this share from one user count to the next has saturated.
SATURATION_GAIN = 0.10
GOAL_P95_MS = 100
RAMP_SECONDS = 10
CPUS = os.cpu_count() or 1

# One request of each kind, for the query count; locust requests the same shapes of URL.
ENDPOINTS = {
    "page: /": "/",
    "page: /?filters": "/?powertrain=bev&sort=price",
    "page: /?q=": "/?q=byd+suv",
    "page: /cars/<slug>/": "/cars/{slug}/",
    "api: /api/v1/models/": "/api/v1/models/",
    "api: /api/v1/models/?q=": "/api/v1/models/?q=%E7%94%B5%E5%8A%A8+suv",
    "api: /api/v1/models/<slug>/": "/api/v1/models/{slug}/",
}


@dataclass(frozen=True)
class Phase:
    name: str
    workers: int
    wait: str  # think time between a user's requests: "0" or "MIN-MAX" seconds
    tags: str = ""  # locust tags to run, "page" or "api"; empty: every endpoint
    worker_class: str = "sync"
    threads: int = 1

    def describe(self, users: int) -> str:
        only = f"{self.tags} endpoints only, " if self.tags else ""
        think = "no think time" if self.wait == "0" else f"think time {self.wait} s"
        threads = f", {self.threads} threads each" if self.threads > 1 else ""
        return f"{only}{users} users, {think}, gunicorn {self.workers} {self.worker_class} worker(s){threads}"


# The rule of thumb for CPU-bound sync workers: two per core, plus one.
DEFAULT_WORKERS = 2 * CPUS + 1
PHASES = {
    # Customers reading pages between clicks: the load the p95 goal is about.
    "browse": Phase("browse", workers=DEFAULT_WORKERS, wait="1-2"),
    # The same load on the portal pages alone and on the API alone, to see which costs what.
    "browse-pages": Phase("browse-pages", workers=DEFAULT_WORKERS, wait="1-2", tags="page"),
    "browse-api": Phase("browse-api", workers=DEFAULT_WORKERS, wait="1-2", tags="api"),
    # The same, with threaded workers: a cached answer mostly waits on Redis and the socket.
    "browse-threads": Phase(
        "browse-threads", workers=CPUS + 1, wait="1-2", worker_class="gthread", threads=4
    ),
    # Every user fires the next request as soon as the last one answers: the server's capacity.
    "saturate-1": Phase("saturate-1", workers=1, wait="0"),
    "saturate-n": Phase("saturate-n", workers=DEFAULT_WORKERS, wait="0"),
}


def main() -> int:
    args = parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    env = django_env(args.db)
    started = datetime.now(UTC)
    running: list[subprocess.Popen] = []
    # A TERM (a CI timeout, a kill) unwinds through the finally blocks like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        prepare_database(args.db, env)
        slugs = listed_model_slugs(env)
        queries = count_queries(env, slugs[0])
        results: dict[str, dict[str, dict[int, dict]]] = {}
        for name in args.phases:
            for users in args.users:
                # Variants side by side at each step, so a change in the machine's load hits both.
                for variant in args.variants:
                    by_users = results.setdefault(variant, {}).setdefault(name, {})
                    variant_env = {**env, **VARIANTS[variant]}
                    by_users[users] = run_phase(
                        PHASES[name], args, users, variant_env, slugs, running, variant
                    )
                    print_phase(PHASES[name], args, users, by_users[users], queries, variant)
            for variant in args.variants:
                print_knee(f"{name} ({variant})", knee(results[variant][name]))
        summary = build_summary(args, started, results, queries)
        print(json.dumps(summary, separators=(",", ":")))
        return 0
    finally:
        for proc in running:
            stop(proc)
        if not args.keep_db:
            drop_database(args.db)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per phase")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before measuring")
    parser.add_argument(
        "--users",
        default="50",
        help="concurrent users per phase; comma-separated (e.g. 50,100,200,400) runs each in turn",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="gunicorn listens on 127.0.0.1:PORT (0: a free one)"
    )
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help=f"comma-separated, of {', '.join(VARIANTS)}"
    )
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=20,
        help="before each phase, wait for the machine to be less busy than this (%% of all cores)",
    )
    parser.add_argument("--quiet-wait", type=int, default=0, help="wait at most this many seconds for it")
    parser.add_argument("--db", default="vendingstore_bench", help="dropped and recreated each run")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    args.phases = [p for p in args.phases.split(",") if p]
    args.variants = [v for v in args.variants.split(",") if v]
    if not args.variants or set(args.variants) - set(VARIANTS):
        parser.error(f"--variants takes some of {', '.join(VARIANTS)}")
    try:
        args.users = sorted({int(u) for u in args.users.split(",") if u.strip()})
    except ValueError:
        parser.error(f"--users takes whole numbers separated by commas, not {args.users!r}")
    if not args.users or min(args.users) < 1:
        parser.error("--users needs at least one number of users, each at least 1")
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    return args


def django_env(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Production requires its own identity keys; throwaway ones for a throwaway database.
        "MEMBERS_ID_HASH_KEY": secrets.token_urlsafe(50),
        "MEMBERS_ENCRYPTION_KEYS": fernet_key(),
        "BIOMETRICS_TEMPLATE_KEYS": fernet_key(),
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": REDIS_URL,
        "STATIC_ROOT": str(WORK / "staticfiles"),
        "MEDIA_ROOT": str(WORK / "media"),
        "SERVE_MEDIA": "false",
        # All locust users share one address; the real per-client rate limit would throttle them.
        "API_ANON_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }


def fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# --- Set-up ---------------------------------------------------------------------------------


def prepare_database(db: str, env: dict[str, str]) -> None:
    step(f"recreating the database {db}")
    drop_database(db)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    import redis  # a runtime dependency; imported here so --help works without a Redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    manage(env, "migrate", "--no-input", "-v0")
    step("loading the demo data (manage.py demo_load)")
    manage(env, "demo_load")
    step("collectstatic")
    manage(env, "collectstatic", "--no-input", "-v0")


def drop_database(db: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))


def manage(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [BIN / "python", "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {command[0]} exited with {done.returncode}")
    return done.stdout


LIST_SLUGS = "from fleet.selectors import carmodel_list_catalogue as c; print(','.join(c().values_list('slug', flat=True)))"

COUNT_QUERIES = """
import json, os
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
counts = {}
for name, url in json.loads(os.environ["BENCH_URLS"]).items():
    client.get(url)  # the first request of a process loads templates and opens the connection
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    counts[name] = {"status": status, "queries": len(queries)}
print(json.dumps(counts))
"""


def listed_model_slugs(env: dict[str, str]) -> list[str]:
    # The last line: the shell may print a banner first.
    slugs = manage(env, "shell", "-c", LIST_SLUGS).strip().splitlines()[-1].split(",")
    if not slugs or not slugs[0]:
        raise SystemExit("demo_load left no listed car model to request")
    return slugs


def count_queries(env: dict[str, str], slug: str) -> dict[str, dict[str, int]]:
    step("counting SQL queries per endpoint")
    urls = {name: url.format(slug=slug) for name, url in ENDPOINTS.items()}
    # Rendered, not answered from the shared anonymous cache (which answers with no query at all).
    out = manage(
        {**env, "ANON_CACHE_SECONDS": "0", "BENCH_URLS": json.dumps(urls)}, "shell", "-c", COUNT_QUERIES
    )
    return json.loads(out.strip().splitlines()[-1])


# --- One phase ------------------------------------------------------------------------------


def run_phase(
    phase: Phase,
    args: argparse.Namespace,
    users: int,
    env: dict[str, str],
    slugs: list[str],
    running: list,
    variant: str,
) -> dict:
    step(f"phase {phase.name} ({variant}): {phase.describe(users)}")
    port = check_port_free(args.port) if args.port else free_port()
    base = f"http://127.0.0.1:{port}"
    step(f"gunicorn on {base}/")
    server = start_gunicorn(phase, port, env)
    running.append(server)
    try:
        wait_until_up(base, server)
        busy_before = wait_for_quiet(args.quiet_below, args.quiet_wait)
        load_env = {**os.environ, "BENCH_MODEL_SLUGS": ",".join(slugs), "BENCH_WAIT": phase.wait}
        if args.warmup:
            run_locust(
                base,
                users,
                args.warmup,
                phase.tags,
                load_env,
                WORK / f"{variant}-{phase.name}-{users}-warmup",
                running,
            )
        before = time.monotonic(), machine_busy_seconds(), tree_cpu_seconds(server.pid), services_cpu()
        stats, locust_cpu = run_locust(
            base,
            users,
            args.duration,
            phase.tags,
            load_env,
            WORK / f"{variant}-{phase.name}-{users}",
            running,
        )
        wall = time.monotonic() - before[0]
        machine_busy = machine_busy_seconds() - before[1]
        gunicorn_cpu = tree_cpu_seconds(server.pid) - before[2]
        services = services_cpu()
        services_used = sum(cpu - before[3].get(pid, 0.0) for pid, cpu in services.items())
        errors = server_errors(phase)
    finally:
        stop(server)
        running.remove(server)
    # Locust's start and stop add a few seconds to the run: shares of the wall time, all cores.
    seconds = wall * CPUS
    cpu = {
        "gunicorn": gunicorn_cpu,
        "locust": locust_cpu,
        "postgres_redis": services_used,
        "others": max(0.0, machine_busy - gunicorn_cpu - locust_cpu - services_used),
    }
    return {
        "variant": variant,
        "port": port,
        "phase": asdict(phase),
        "endpoints": stats,
        "cpu_pct_of_machine": {name: round(100 * used / seconds) for name, used in cpu.items()},
        "server_errors": errors,
        "machine_busy_pct_before": busy_before,
    }


def wait_for_quiet(below_pct: float, at_most: int) -> float:
    """Wait (up to ``at_most`` seconds) until the machine, our idle server included, is less
    than ``below_pct`` % busy over 5 seconds; returns the last reading.

    The machine is shared: a test suite running next to the benchmark skews every number.
    """
    deadline = time.monotonic() + at_most
    while True:
        busy = psutil.cpu_percent(interval=5)
        if busy < below_pct or time.monotonic() >= deadline:
            return busy


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_port_free(port: int) -> int:
    """The port we were told (a fixed default otherwise), refused loudly when something else
    holds it: requests to another program would be measured as ours."""
    with socket.socket() as s:
        # As gunicorn binds: connections of the last phase waiting out TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as error:
            raise SystemExit(f"127.0.0.1:{port} is in use ({error.strerror}); pass --port") from None
    return port


def start_gunicorn(phase: Phase, port: int, env: dict[str, str]) -> subprocess.Popen:
    log = open(WORK / f"gunicorn-{phase.name}.log", "w")  # noqa: SIM115 - kept open for the child
    command = [
        BIN / "gunicorn",
        "vendingstore.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(phase.workers),
        "--worker-class", phase.worker_class,
        "--threads", str(phase.threads),
        "--backlog", "2048",
        "--graceful-timeout", "5",
        "--log-level", "warning",
    ]  # fmt: skip
    # Its own session, so stop() can end the master and every worker it forked in one signal.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {WORK}/gunicorn-*.log")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/brands/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {base} within {timeout} s")


def run_locust(
    base: str, users: int, duration: int, tags: str, env: dict[str, str], prefix: Path, running: list
) -> tuple[dict, float]:
    """Run locust headless; returns its per-endpoint statistics and the CPU seconds it used.

    Users start over RAMP_SECONDS and the statistics are reset once all have started: fifty
    users starting in the same instant send fifty requests at once, a burst that no steady
    load has and that would otherwise dominate the tail.
    """
    spawn_rate = max(1.0, users / RAMP_SECONDS)
    command = [
        BIN / "locust",
        "-f", LOCUSTFILE,
        "--headless",
        "--host", base,
        "--users", str(users),
        "--spawn-rate", f"{spawn_rate:g}",
        "--reset-stats",
        "--run-time", f"{duration + RAMP_SECONDS}s",
        "--stop-timeout", "3",
        "--csv", prefix,
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
        *(["--tags", tags] if tags else []),
    ]  # fmt: skip
    log = open(f"{prefix}-locust.log", "w")  # noqa: SIM115 - kept open for the child
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    running.append(proc)
    cpu = 0.0
    deadline = time.monotonic() + RAMP_SECONDS + duration + 60
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"locust ran past its {duration} s; see {prefix}-locust.log")
            cpu = tree_cpu_seconds(proc.pid) or cpu  # the last reading before it exits
            time.sleep(0.5)
    finally:
        stop(proc)
        running.remove(proc)
        log.close()
    if proc.returncode != 0:
        raise RuntimeError(f"locust exited with {proc.returncode}; see {prefix}-locust.log")
    return read_locust_stats(Path(f"{prefix}_stats.csv")), cpu


def read_locust_stats(path: Path) -> dict[str, dict]:
    stats = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": int(float(row["50%"])),
                "p95_ms": int(float(row["95%"])),
                "p99_ms": int(float(row["99%"])),
            }
    return stats


def server_errors(phase: Phase) -> int:
    """Tracebacks gunicorn logged (a 500 logs one)."""
    return (WORK / f"gunicorn-{phase.name}.log").read_text().count("Traceback")


def stop(proc: subprocess.Popen) -> None:
    """End a process we started in its own session, and everything it forked."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children; 0 once it is gone."""
    try:
        root = psutil.Process(pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def services_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL and Redis process, by pid (read-only)."""
    used = {}
    for p in psutil.process_iter(["name", "cpu_times"]):
        times = p.info["cpu_times"]
        if times and (p.info["name"] or "").startswith(("postgres", "redis-server")):
            used[p.pid] = times.user + times.system
    return used


def machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


# --- Report ---------------------------------------------------------------------------------


def git_describe() -> str:
    """The commit measured, with "-dirty" when the working tree has uncommitted changes."""
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def print_phase(
    phase: Phase, args: argparse.Namespace, users: int, result: dict, queries: dict, variant: str
) -> None:
    print(f"\n{phase.name} ({variant}, port {result['port']}): {phase.describe(users)}, {args.duration} s")
    header = f"{'endpoint':30} {'SQL':>4} {'requests':>8} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header)
    print("-" * len(header))
    for name, row in result["endpoints"].items():
        sql_count = queries.get(name, {}).get("queries", "")
        print(
            f"{name:30} {sql_count!s:>4} {row['requests']:>8} {row['failures']:>5} {row['rps']:>7} "
            f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}"
        )
    cpu = result["cpu_pct_of_machine"]
    print(
        f"CPU, % of all {CPUS} cores: gunicorn {cpu['gunicorn']}, locust {cpu['locust']}, "
        f"PostgreSQL+Redis {cpu['postgres_redis']}, other processes {cpu['others']}; "
        f"machine busy before the phase: {result['machine_busy_pct_before']} %; "
        f"server tracebacks: {result['server_errors']}\n"
    )


def worst_p95_ms(result: dict) -> int | None:
    endpoints = {k: v for k, v in result["endpoints"].items() if k != "Aggregated"}
    return max((row["p95_ms"] for row in endpoints.values()), default=None)


def within_goal(result: dict) -> bool:
    worst = worst_p95_ms(result)
    failures = sum(row["failures"] for row in result["endpoints"].values())
    return worst is not None and worst <= GOAL_P95_MS and failures == 0 and result["server_errors"] == 0


def knee(by_users: dict[int, dict]) -> dict:
    """Where a phase stops coping: the most users still within the p95 goal with no failure
    (below the first count that missed it), and the first count at which throughput grew by
    less than SATURATION_GAIN over the one before (None: it grew all the way, or one count)."""
    counts = sorted(by_users)
    within = None
    for users in counts:
        if not within_goal(by_users[users]):
            break
        within = users
    saturated = None
    rps = [by_users[u]["endpoints"].get("Aggregated", {}).get("rps", 0.0) for u in counts]
    for i in range(1, len(counts)):
        if rps[i] < rps[i - 1] * (1 + SATURATION_GAIN):
            saturated = counts[i]
            break
    return {
        "max_users_within_goal": within,
        "saturated_at_users": saturated,
        "rps_by_users": dict(zip(counts, rps, strict=True)),
        "worst_p95_ms_by_users": {u: worst_p95_ms(by_users[u]) for u in counts},
    }


def print_knee(name: str, found: dict) -> None:
    steps = ", ".join(
        f"{u} users: {rps} req/s, worst p95 {found['worst_p95_ms_by_users'][u]} ms"
        for u, rps in found["rps_by_users"].items()
    )
    within = found["max_users_within_goal"]
    saturated = found["saturated_at_users"]
    print(
        f"knee of {name}: "
        + (
            f"within p95 {GOAL_P95_MS} ms up to {within} users; "
            if within
            else "no user count within the goal; "
        )
        + (f"throughput saturated at {saturated} users" if saturated else "throughput still growing")
        + f" ({steps})\n"
    )


def build_summary(args: argparse.Namespace, started: datetime, results: dict, queries: dict) -> dict:
    variants: dict[str, dict] = {}
    for variant, by_phase in results.items():
        phases = variants.setdefault(variant, {})
        for name, by_users in by_phase.items():
            runs = {}
            for users, result in by_users.items():
                worst = worst_p95_ms(result)
                runs[users] = {**result, "worst_p95_ms": worst, "goal_met": within_goal(result)}
            phases[name] = {"by_users": runs, "knee": knee(by_users)}
    return {
        "bench": "catalogue_load",
        "started": started.isoformat(timespec="seconds"),
        "commit": git_describe(),
        "cpus": CPUS,
        "users": args.users,
        "variants": {name: VARIANTS[name] for name in args.variants},
        "duration_s": args.duration,
        "goal_p95_ms": GOAL_P95_MS,
        "sql_queries": {name: q["queries"] for name, q in queries.items()},
        "results": variants,
    }


if __name__ == "__main__":
    sys.exit(main())
