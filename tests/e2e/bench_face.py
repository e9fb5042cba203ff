"""The face benchmarks' measuring runs, through real processes (Redis, PostgreSQL, Celery workers).

Not part of the test suite (the name does not match ``test_*.py``): ``bench/face_pickup_e2e.py``
and ``bench/face_recovery.py`` run these with pytest, for the booking world's fixtures, and print
the numbers. Each run writes its raw measures as JSON to ``BENCH_FACE_OUT``.
"""

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from celery.app.task import Task
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_fsm_log.models import StateLog
from PIL import Image, ImageOps

from biometrics.crypto import template_encrypt
from biometrics.engine import embed
from biometrics.models import FaceTemplate, VerificationAttempt
from testdrives import kiosk_views
from testdrives.models import State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from testdrives.services.kiosks import kiosk_create
from tests.e2e.conftest import ROOT, WorkerProcess, redis_or_skip, worker_stop
from tests.e2e.test_face_worker_recovery import KIOSK_POLL_S, lock_waiters
from tests.fixtures.database import worker_database_url
from tests.fixtures.faces import FACES, burst, kiosk_frame, needs_faces
from tests.fixtures.world import TEN

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    needs_faces,
]

OUT = Path(os.environ.get("BENCH_FACE_OUT", "/tmp/bench-face.json"))


def option(name: str, default: str) -> str:
    return os.environ.get(f"BENCH_FACE_{name}", default)


# Every worker this run launched, stopped at the end whatever happened (a failed run must not
# leave workers behind on a shared machine).
LAUNCHED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def reap() -> Iterator[None]:
    yield
    for process in LAUNCHED:
        if process.poll() is None:
            for kid in psutil.Process(process.pid).children(recursive=True):
                kid.kill()
            process.kill()
            process.wait(timeout=10)
    LAUNCHED.clear()


@pytest.fixture
def queue(monkeypatch) -> str:
    """One private queue for this run's workers; every task queued here goes there."""
    name = f"bench-face-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Task, "delay", lambda self, *a, **kw: self.apply_async(a, kw, queue=name))
    return name


def worker_launch(queue: str, *, pool: str = "prefork", concurrency: int = 1, env: dict | None = None):
    """A `celery worker` process on ``queue``, as the Procfile starts it; returns (process, hostname)."""
    redis_or_skip()
    hostname = f"bench-{uuid.uuid4().hex[:8]}@localhost"
    log_fd, log_path = tempfile.mkstemp(prefix="bench-face-worker-", suffix=".log")
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vendingstore.settings.test",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": worker_database_url(),
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_BIOMETRICS_FRAMES_DIR": str(settings.BIOMETRICS_FRAMES_DIR),
        "BIOMETRICS_WARM_UP": "true",
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "vendingstore", "worker", "--pool", pool]
    if pool == "prefork":
        command += ["--concurrency", str(concurrency)]
    command += ["--hostname", hostname, "--queues", queue, "--loglevel", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=log_fd)
    LAUNCHED.append(process)
    os.close(log_fd)
    return process, hostname, log_path


def worker_wait(process, hostname: str, log_path: str) -> WorkerProcess:
    """Until the worker answers a ping (its main process is up; children may still warm up)."""
    from vendingstore.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited: {Path(log_path).read_text()[-2000:]}")
        if app.control.ping(destination=[hostname], timeout=0.2):
            return WorkerProcess(hostname=hostname, queue="", process=process)
    process.kill()
    pytest.fail(f"celery worker did not answer a ping within 120 s (log: {log_path})")


def memory_mb(pid: int) -> dict[str, float]:
    """RSS, PSS (shared pages divided among the processes sharing them) and USS (private) in MB."""
    info = psutil.Process(pid).memory_full_info()
    return {"rss": info.rss / 2**20, "pss": info.pss / 2**20, "uss": info.uss / 2**20}


def children_settled(pid: int, count: int, timeout: float = 120.0) -> list[int]:
    """The pool's child pids once ``count`` exist and their memory stopped growing (warmed up)."""
    deadline = time.monotonic() + timeout
    last: dict[int, float] = {}
    while time.monotonic() < deadline:
        kids = psutil.Process(pid).children()
        now = {kid.pid: kid.memory_info().rss for kid in kids}
        if len(kids) >= count and now == last:
            return sorted(now)
        last = now
        time.sleep(1.0)
    return sorted(last)


def kiosk_frames(kind: str = "turn") -> list[bytes]:
    """A kiosk camera's burst: five 640×480 JPEG frames of a head turn, img59 looking to one side
    and then its mirror image.

    ``turn``: the face 150 px wide and turned in place, as a customer in front of the kiosk turns
    it. ``mirror``: the whole padded picture mirrored, as the browser tests' fake camera does,
    which also moves the face 1.1 face widths sideways between the third and fourth frames (the
    challenge then searches that frame in full).
    """
    if kind == "turn":
        return [kiosk_frame("img59.jpg")] * 3 + [kiosk_frame("img59.jpg", mirror=True)] * 2
    face = ImageOps.pad(ImageOps.exif_transpose(Image.open(FACES / "img59.jpg")).convert("RGB"), (640, 480))
    frames = []
    for picture in [face] * 3 + [ImageOps.mirror(face)] * 2:
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=85)
        frames.append(out.getvalue())
    return frames


@pytest.fixture
def at_kiosk(client, book, super_member, store, staff, clock) -> TestDrive:
    """An enrolled member checked in at a kiosk whose page (``client``) polls the booking."""
    FaceTemplate.objects.create(
        member=super_member, model="SFace", vector_encrypted=template_encrypt(embed(FACES / "img16.jpg"))
    )
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    return td


def real_clock_offset() -> float:
    """Seconds to add to ``time.perf_counter()`` for the real wall clock: the test's own clock is
    frozen (time-machine), the worker's is not; PostgreSQL's ``clock_timestamp()`` is real."""
    from django.db import connection

    with connection.cursor() as cursor:
        before = time.perf_counter()
        cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
        after = time.perf_counter()
        (epoch,) = cursor.fetchone()
    return float(epoch) - (before + after) / 2


def waits_marked(monkeypatch) -> list[float]:
    """The moments (``time.perf_counter()``) the kiosk's waiting status requests stopped waiting,
    before they render the status: the decision seen, or the wait's bound reached."""
    marks: list[float] = []
    wait = kiosk_views.testdrive_state_wait_while

    def marked(**kwargs) -> str:
        state = wait(**kwargs)
        marks.append(time.perf_counter())
        return state

    monkeypatch.setattr(kiosk_views, "testdrive_state_wait_while", marked)
    return marks


def one_pickup(client, td: TestDrive, frames: list[bytes], waits: list[float] | None = None) -> dict:
    """The kiosk posts the burst, then asks its status region as kiosk.js does (``?wait=decision``:
    answered when the decision commits); times until the kiosk shows the decision. The booking is
    put back to checked-in first.

    ``stages_ms`` splits the wait by real wall-clock marks (this process's, and the worker's
    ``decided_at`` less its timings): ``post`` (the kiosk's request: the burst's checks, frames
    encrypted and stored, commit, task queued), ``response_to_worker`` (broker, pool),
    ``worker_lock`` (the attempt locked and read), ``worker_decide`` (frames read, embed,
    anti-spoofing, challenge), ``decided_to_visible`` (frames deleted, the verdict applied and
    committed, the kiosk's waiting request noticing it and rendering the status). With ``waits``
    (``waits_marked``), that last stage is split at the moment the waiting request saw the
    decision: ``decided_to_seen`` (the worker's commit, the request noticing it) and
    ``seen_to_visible`` (the status read again and rendered).
    """
    TestDrive.objects.filter(pk=td.pk).update(state=State.CHECKED_IN)
    VerificationAttempt.objects.filter(test_drive=td).delete()
    files = [SimpleUploadedFile(f"frame{i}.jpg", data, "image/jpeg") for i, data in enumerate(frames)]
    url = reverse("kiosk:face", args=[td.pickup_code])
    status_url = reverse("kiosk:drive", args=[td.pickup_code]) + "?wait=decision"
    offset = real_clock_offset()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(url, {"frames": files, "request_key": str(uuid.uuid4())}, HTTP_HX_REQUEST="true")
    posted, post_cpu = time.perf_counter(), time.process_time() - cpu
    assert response.status_code == 204, response.content[:300]
    while True:
        poll = client.get(status_url, HTTP_HX_REQUEST="true")
        assert poll.status_code == 200
        if 'data-state="verifying"' not in poll.content.decode():
            break
        if time.perf_counter() - started > 300:  # a child still loading on a loaded machine
            raise AssertionError("no decision within 300 s")
    visible = time.perf_counter()
    attempt = VerificationAttempt.objects.get(test_drive=td)
    timings = attempt.timings_ms
    done = (attempt.decided_at.timestamp() - offset - started) * 1000  # ms after started
    total, lock = timings.get("total", 0.0), timings.get("lock", 0.0)
    taken = done - total - lock
    posted_ms, visible_ms = (posted - started) * 1000, (visible - started) * 1000
    stages = {
        "post": posted_ms,
        "response_to_worker": taken - posted_ms,
        "worker_lock": lock,
        "worker_decide": total,
        "decided_to_visible": visible_ms - done,
    }
    if waits:
        seen_ms = (waits[-1] - started) * 1000
        stages.update({"decided_to_seen": seen_ms - done, "seen_to_visible": visible_ms - seen_ms})
    return {
        "post_ms": posted_ms,
        "post_cpu_ms": post_cpu * 1000,  # this process's CPU for the POST (the test client's too)
        "decided_ms": done,
        "visible_ms": visible_ms,
        "result": attempt.result,
        "worker_ms": timings,
        "stages_ms": {key: round(value, 1) for key, value in stages.items()},
    }


def kiosk_warm(client, td: TestDrive) -> None:
    """The kiosk's status shown once in each state a decision leads to, as for an earlier
    customer: the web process has served its pages before any worker (re)starts, while the first
    render in a process compiles the templates and loads the translations (35–200 ms measured
    in this benchmark's own process, which would otherwise count them in the first attempt)."""
    for state in (State.DISPATCHING, State.READY, State.CHECKED_IN):
        TestDrive.objects.filter(pk=td.pk).update(state=state)
        client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")


def test_face_pickup_e2e(queue, client, at_kiosk, monkeypatch):
    """Issue 18 goal 4: kiosk POST → worker → decision visible to the kiosk's poll; warm and first."""
    td, frames = at_kiosk, kiosk_frames(option("BURST", "turn"))
    waits = waits_marked(monkeypatch)
    if option("WARM_KIOSK", "true") == "true":
        kiosk_warm(client, td)
    rounds, starts = int(option("ROUNDS", "30")), int(option("STARTS", "3"))
    concurrency = int(option("CONCURRENCY", "2"))
    env = {
        "BIOMETRICS_REQUIRE_CHALLENGE": "true",
        "BIOMETRICS_LOAD_BEFORE_FORK": option("BEFORE_FORK", "true"),
    }
    first, warm, memory = [], [], {}
    for start in range(starts):
        process, hostname, log = worker_launch(queue, concurrency=concurrency, env=env)
        launched = time.perf_counter()
        worker = worker_wait(process, hostname, log)
        answered = time.perf_counter()
        first.append({**one_pickup(client, td, frames, waits), "ping_after_launch_s": answered - launched})
        print(
            f"start {start + 1}/{starts}: first attempt {first[-1]['visible_ms']:.0f} ms, {first[-1]['result']}"
        )
        if start == starts - 1:
            kids = children_settled(process.pid, concurrency)
            for index in range(rounds):
                warm.append(one_pickup(client, td, frames, waits))
                if index % 10 == 9:
                    print(f"  warm {index + 1}/{rounds}: last {warm[-1]['visible_ms']:.0f} ms")
            memory = {"main": memory_mb(process.pid), "children": [memory_mb(pid) for pid in kids]}
        worker_stop(worker)
    OUT.write_text(json.dumps({"first": first, "warm": warm, "memory": memory, "concurrency": concurrency}))


# --- recovery after a worker is killed (issue 12 §5) ---------------------------------------------


def kiosk_polls_until_decided(client, td: TestDrive, attempt: VerificationAttempt, clock, timeout=120.0):
    """The kiosk polls every KIOSK_POLL_S (real time; the frozen clock moves on as much) until the
    attempt is decided; returns the monotonic time it was seen decided (checked every 50 ms)."""
    next_poll = time.monotonic()
    deadline = next_poll + timeout
    while time.monotonic() < deadline:
        if VerificationAttempt.objects.get(pk=attempt.pk).result != "pending":
            return time.monotonic()
        if time.monotonic() >= next_poll:
            clock.shift(KIOSK_POLL_S)
            client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")
            next_poll += KIOSK_POLL_S
        time.sleep(0.05)
    raise AssertionError(f"not decided within {timeout} s")


def killed_mid_decision(queue: str, td: TestDrive, pool: str, concurrency: int, before_kill=lambda: None):
    """Start a worker, let it take the attempt's task and SIGKILL it while it decides (held on the
    attempt's row lock, which this process holds); returns (attempt, kill time)."""
    import psycopg

    process, hostname, log = worker_launch(queue, pool=pool, concurrency=concurrency)
    worker_wait(process, hostname, log)
    with psycopg.connect(worker_database_url()) as blocker:
        attempt = testdrive_face_check_start(
            test_drive=td, frames=burst("img59.jpg"), request_key=uuid.uuid4()
        )
        blocker.execute(
            "SELECT id FROM biometrics_verificationattempt WHERE id = %s FOR UPDATE", [attempt.pk]
        )
        deadline = time.monotonic() + 60
        while lock_waiters() == 0:
            assert time.monotonic() < deadline, "the worker never took the task"
            time.sleep(0.05)
        before_kill()
        # The whole worker goes, main process and pool children, as when its machine is lost.
        for kid in psutil.Process(process.pid).children(recursive=True):
            kid.send_signal(signal.SIGKILL)
        process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        process.wait(timeout=10)
        blocker.rollback()
    return attempt, killed


def decided_once(attempt: VerificationAttempt, td: TestDrive) -> bool:
    booking = TestDrive.objects.get(pk=td.pk)
    return (
        VerificationAttempt.objects.get(pk=attempt.pk).result == "match"
        and VerificationAttempt.objects.filter(test_drive=td).count() == 1
        and StateLog.objects.for_(booking).filter(transition="verify").count() == 1
    )


def booking_reset(td: TestDrive) -> None:
    TestDrive.objects.filter(pk=td.pk).update(state=State.CHECKED_IN)
    VerificationAttempt.objects.filter(test_drive=td).delete()
    StateLog.objects.for_(TestDrive.objects.get(pk=td.pk)).delete()


def test_face_recovery(queue, client, at_kiosk, clock):
    """Issue 12 §5: SIGKILL the worker mid-decision; time to the attempt decided exactly once."""
    td = at_kiosk
    kills = int(option("KILLS", "10"))
    pool, concurrency = option("POOL", "prefork"), int(option("CONCURRENCY", "1"))
    env_second = {}
    runs: list[dict] = []
    for kill in range(kills):
        # (a) No other worker: the worker comes back (restarted by its supervisor) and decides it.
        booking_reset(td)
        attempt, killed = killed_mid_decision(queue, td, pool, concurrency)
        process, hostname, log = worker_launch(queue, pool=pool, concurrency=concurrency, env=env_second)
        launched = time.monotonic()
        worker = worker_wait(process, hostname, log)
        back = time.monotonic()
        done = kiosk_polls_until_decided(client, td, attempt, clock)
        time.sleep(KIOSK_POLL_S)  # copies queued meanwhile find it decided
        once = decided_once(attempt, td)
        worker_stop(worker)
        runs.append(
            {
                "case": "restart",
                "from_kill_s": done - killed,
                "from_launch_s": done - launched,
                "from_return_s": done - back,
                "once": once,
            }
        )
        print(
            f"kill {kill + 1}/{kills}, restart: {runs[-1]['from_return_s']:+.1f} s from its return, once={once}"
        )

        # (b) A second worker already running takes over.
        booking_reset(td)
        second: list = []

        def second_start(second: list = second) -> None:
            p, h, lg = worker_launch(queue, pool=pool, concurrency=concurrency)
            second.append(worker_wait(p, h, lg))

        attempt, killed = killed_mid_decision(queue, td, pool, concurrency, before_kill=second_start)
        done = kiosk_polls_until_decided(client, td, attempt, clock)
        time.sleep(KIOSK_POLL_S)
        once = decided_once(attempt, td)
        worker_stop(second[0])
        runs.append({"case": "second_worker", "from_kill_s": done - killed, "once": once})
        print(
            f"kill {kill + 1}/{kills}, second worker: {runs[-1]['from_kill_s']:.1f} s from the kill, once={once}"
        )
    OUT.write_text(json.dumps({"runs": runs, "pool": pool, "concurrency": concurrency}))
