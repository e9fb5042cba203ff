"""The tower link with every process real: the simulator (a subprocess), its webhooks into a live
Django server, a real Celery worker subprocess sending the commands, and a Redis of this module's
own (started here on a free port, so it can be killed and restarted without touching the
machine's). The beat is the test's loop (``beat``), which queues the beat's tasks to the worker.

Between the worker and the simulator stands ``Relay``, a small HTTP relay that can hold the
worker's command submission before it reaches the controller or hold the controller's answer, so
the worker is killed at an exact point of a dispatch.

Every case ends with each car moved exactly once (the controller's log), no command left pending,
the bookings ready, and no webhook answered with an error.
"""

import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import kombu.pools
import pytest
import redis
from celery.app.task import Task
from django.utils import timezone
from kombu.exceptions import OperationalError

from testdrives.models import Kiosk, Notification, State, TestDrive
from testdrives.services.lifecycle import testdrive_check_in, testdrive_identity_verified
from testdrives.services.tower_moves import testdrive_ref
from testdrives.tasks import dispatching_sweep
from tests.e2e.conftest import WorkerProcess, worker_start, worker_stop
from tests.e2e.tower_support import (
    SECRET,
    SimProcess,
    assert_moved_once,
    book_next_window,
    free_port,
    ready,
    sim_start,
    tower_world,
)
from tests.factories import StaffFactory
from tests.fixtures.database import worker_database_url
from tower import views
from tower.models import CommandStatus, TowerCommand, TowerEvent, TowerLink
from tower.reconcile import tower_inventory_push
from tower.tasks import tower_outbox_flush, tower_reconcile_all
from vendingstore.celery import app as celery_app

# The worker reads the test database, so it must be a server database the test commits to.
pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = "/usr/bin/redis-server"


# --- Redis of our own -----------------------------------------------------------------------


@dataclass
class RedisProcess:
    """A throw-away redis-server without persistence: a restart loses every queued message."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def queue_length(self, queue: str) -> int:
        return redis.Redis(port=self.port).llen(queue)


@pytest.fixture(scope="module")
def own_redis() -> Iterator[RedisProcess]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip(f"needs {REDIS_SERVER}")
    server = RedisProcess(port=free_port())
    server.start()
    yield server
    server.stop()


def _fresh_broker_connections() -> None:
    """Forget the Celery app's pooled broker connections: the next publish connects anew to
    whatever ``CELERY_BROKER_URL`` says then (Celery reads it from the environment first)."""
    kombu.pools.reset()
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(own_redis, monkeypatch, settings) -> Iterator[RedisProcess]:
    """The test process publishes to (and pings workers through) this module's Redis."""
    if own_redis.process is None or own_redis.process.poll() is not None:
        own_redis.start()  # a test that failed half-way left it down
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_READ_URL", raising=False)
    settings.REDIS_URL = own_redis.url
    _fresh_broker_connections()
    yield own_redis
    _fresh_broker_connections()  # back to the session's broker once the environment is restored


# --- a relay between the worker and the controller ------------------------------------------


class Relay(ThreadingHTTPServer):
    """Forwards every request to the simulator. ``hold`` ("request" or "response") stops the next
    command submission before the controller sees it, or after it answered and before the
    answer goes back; ``held`` is set then, and ``release()`` drops the held exchange."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), RelayHandler)
        self.upstream = upstream
        self.hold: str | None = None
        self.held = threading.Event()
        self.released = threading.Event()
        self.forwarded: list[str] = []  # command_id of every submission the controller received
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def release(self) -> None:
        self.released.set()


class RelayHandler(BaseHTTPRequestHandler):
    server: Relay

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._relay("GET")

    def do_POST(self) -> None:
        self._relay("POST")

    def do_PUT(self) -> None:
        self._relay("PUT")

    def _relay(self, method: str) -> None:
        relay = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        hold = None
        if method == "POST" and self.path == "/v1/commands":
            hold, relay.hold = relay.hold, None  # one submission only
        if hold == "request":
            self._wait_for_release()
            return  # never forwarded; the connection closes unanswered
        request = urllib.request.Request(relay.upstream + self.path, data=body, method=method)
        for name in ("Content-Type", "X-Tower-Operator"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        except OSError:
            self.close_connection = True
            return
        if method == "POST" and self.path == "/v1/commands":
            relay.forwarded.append(json.loads(body or b"{}").get("command_id", ""))
        if hold == "response":
            self._wait_for_release()
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _wait_for_release(self) -> None:
        self.server.held.set()
        self.server.released.wait(60)
        self.close_connection = True


# --- the world: a tower, its simulator, a worker --------------------------------------------


@dataclass
class Link:
    """Everything one test drives: the simulator, the relay, the worker (restartable on the same
    queue), the kiosk and the webhook's errors."""

    world: dict
    sim: SimProcess
    relay: Relay
    broker: RedisProcess
    queue: str
    worker_env: dict[str, str]
    kiosk: Kiosk
    staff: object
    webhook_errors: list[BaseException] = field(default_factory=list)
    webhooks_answered: int = 0
    worker: WorkerProcess | None = None

    def start_worker(self) -> WorkerProcess:
        _fresh_broker_connections()  # the ping that waits for it does not reconnect by itself
        self.worker = worker_start(extra_env=self.worker_env, queue=self.queue)
        return self.worker

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.process.send_signal(signal.SIGKILL)
        self.worker.process.wait(timeout=10)
        self.worker = None

    def stop_worker(self) -> None:
        if self.worker is not None:
            worker_stop(self.worker)
            self.worker = None

    def book(self, n: int) -> list[TestDrive]:
        """``n`` members booked a car for the next window."""
        return book_next_window(self.world, n)

    def check_in(self, td: TestDrive) -> TestDrive:
        """The member checks in at the kiosk: the car's retrieve is queued (early retrieve)."""
        return testdrive_check_in(kiosk=self.kiosk, pickup_code=td.pickup_code)

    def arrive(self, n: int) -> list[TestDrive]:
        """``n`` members booked a car for the next window and checked in at the kiosk."""
        return [self.check_in(td) for td in self.book(n)]

    def verify(self, td: TestDrive) -> None:
        """Staff verify the member: the booking is dispatching (the retrieve went at check-in)."""
        testdrive_identity_verified(test_drive=td, method="staff", by=self.staff, note="licence and ID seen")

    def command_of(self, td: TestDrive) -> TowerCommand:
        return TowerCommand.objects.get(ref=testdrive_ref(td.pk))

    def caught_up(self) -> bool:
        link = TowerLink.objects.filter(tower=self.world["tower"]).first()
        return link is not None and link.applied_seq == self.sim.client.state()["high_water_seq"]


@pytest.fixture
def world(transactional_db) -> dict:
    return tower_world("iw-tower")


@pytest.fixture
def link(world, broker, live_server, settings, tmp_path, monkeypatch) -> Iterator[Link]:
    tower = world["tower"]
    sim = sim_start(tower, live_server_url=live_server.url, state_dir=tmp_path / "state")
    relay = Relay(sim.url)
    settings.TOWER_DISPATCHER = "controller"
    settings.TOWER_CONTROLLERS = {tower.code: relay.url}
    settings.TOWER_SECRETS = {tower.code: SECRET}
    settings.TOWER_PRESTAGE_ENABLED = False
    database = worker_database_url()
    staff = StaffFactory()
    state = Link(
        world=world,
        sim=sim,
        relay=relay,
        broker=broker,
        queue=f"tower-{uuid.uuid4().hex[:8]}",
        worker_env={
            "DATABASE_URL": database,
            "REDIS_URL": broker.url,
            "CELERY_BROKER_URL": broker.url,
            "CELERY_RESULT_BACKEND": broker.url,
            "TOWER_DISPATCHER": "controller",
            "TOWER_CONTROLLERS": f"{tower.code}={relay.url}",
            "TOWER_SECRETS": f"{tower.code}={SECRET}",
            "TOWER_PRESTAGE_ENABLED": "false",
            "TOWER_SEND_BACKOFF_SECONDS": "0.2",
            "TOWER_SEND_BACKOFF_MAX_SECONDS": "1",
            "TOWER_HTTP_TIMEOUT_SECONDS": "20",  # a held exchange must outlast the kill, not time out
            "BIOMETRICS_WARM_UP": "false",
        },
        kiosk=Kiosk.objects.create(
            store=world["store"], name="Entrance", token_hash="w" * 64, created_by=staff
        ),
        staff=staff,
    )
    receive = views._receive

    def receive_recording_errors(tower, body):
        try:
            response = receive(tower, body)
        except BaseException as error:
            state.webhook_errors.append(error)
            raise
        finally:
            state.webhooks_answered += 1
        if response.status_code >= 500:
            state.webhook_errors.append(AssertionError(response.content))
        return response

    monkeypatch.setattr(views, "_receive", receive_recording_errors)
    monkeypatch.setattr(
        Task, "delay", lambda self, *args, **kwargs: self.apply_async(args, kwargs, queue=state.queue)
    )
    assert tower_inventory_push(tower=tower) == "loaded"
    wait_until(state.caught_up, timeout=10, what="the inventory_loaded webhook")
    state.start_worker()
    yield state
    state.stop_worker()
    relay.release()
    relay.shutdown()
    sim.stop()


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def beat(link: Link, check: Callable[[], bool], *, timeout: float = 60.0, what: str = "convergence") -> None:
    """The beat's work until ``check`` holds: the outbox flush every second and a reconcile every
    fifth, queued to the worker (a publish that finds the broker down is the beat's loss too)."""
    deadline = time.monotonic() + timeout
    tick = 0
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        try:
            dispatching_sweep.apply_async(queue=link.queue)
            tower_outbox_flush.apply_async(queue=link.queue)
            if tick % 5 == 0:
                tower_reconcile_all.apply_async(queue=link.queue)
        except OperationalError:
            pass
        tick += 1
        time.sleep(1)


def assert_settled(link: Link, drives: list[TestDrive]) -> None:
    """Each car moved exactly once and stands in its delivery bay, every command ended, the inbox
    holds the whole log, applied, and no webhook failed."""
    assert_moved_once(link.sim, drives)
    for td in drives:
        assert link.command_of(td).status == CommandStatus.COMPLETED
    assert not TowerCommand.objects.filter(
        status__in=[CommandStatus.PENDING, CommandStatus.ACCEPTED]
    ).exists()
    wait_until(link.caught_up, timeout=10, what="the inbox to apply the whole log")
    assert not TowerEvent.objects.filter(applied_at__isnull=True).exists()
    assert not link.webhook_errors, link.webhook_errors


# --- the cases ------------------------------------------------------------------------------


def test_the_worker_sends_the_retrieve_and_the_webhook_makes_the_booking_ready(link) -> None:
    drives = link.arrive(2)
    for td in drives:
        link.verify(td)
    # No beat: the worker's send tasks and the controller's webhooks alone finish the job.
    wait_until(ready(*drives), timeout=30, what="the bookings to become ready")

    assert_settled(link, drives)
    for td in drives:
        td.refresh_from_db()
        assert td.delivery_bay.kind == "delivery"
        command = link.command_of(td)
        assert command.attempts == 1
        assert command.sent_at is not None
    assert sorted(link.relay.forwarded) == sorted(str(link.command_of(td).command_id) for td in drives)
    assert TowerEvent.objects.filter(via="webhook").count() == TowerEvent.objects.count()


def test_a_worker_killed_after_claiming_a_command_loses_nothing(link) -> None:
    """SIGKILL between the claim and the controller hearing of it: the command stays pending
    under the dead worker's lease; when the lease runs out the beat's flush sends it."""
    link.relay.hold = "request"
    [td] = link.arrive(1)  # the retrieve goes at check-in
    assert link.relay.held.wait(30), "the worker never submitted"
    link.verify(td)
    command = link.command_of(td)
    assert command.status == CommandStatus.PENDING
    assert command.claimed_until > timezone.now()
    link.kill_worker()
    link.relay.release()
    assert link.sim.client.command(str(command.command_id)).status == 404  # never reached the tower

    link.start_worker()
    beat(link, ready(td), timeout=60, what="the re-send after the lease")

    assert_settled(link, [td])
    command.refresh_from_db()
    assert command.attempts == 2  # the dead worker's claim and the flush's
    assert link.relay.forwarded == [str(command.command_id)]


def test_a_worker_killed_while_the_controller_moves_the_car_loses_nothing(link) -> None:
    """SIGKILL after the controller accepted the command and before the worker heard the answer,
    with the webhooks of the move lost too: our side learns everything from the controller's
    log (reconcile, or the flush's re-send), and the car is not moved again."""
    link.sim.faults("webhooks", {"drop": 3})  # accepted, running, completed
    link.relay.hold = "response"
    [td] = link.arrive(1)  # the retrieve goes at check-in
    assert link.relay.held.wait(30), "the worker never submitted"
    link.verify(td)
    command = link.command_of(td)
    assert link.sim.client.command(str(command.command_id)).body["status"] in (
        "accepted",
        "running",
        "completed",
    )
    link.kill_worker()
    link.relay.release()
    assert link.command_of(td).status == CommandStatus.PENDING  # nothing told us yet

    link.start_worker()
    beat(link, ready(td), timeout=60, what="the booking after the worker's death")

    assert_settled(link, [td])
    assert set(link.relay.forwarded) == {str(command.command_id)}  # a re-send is the same command


def test_a_redis_restart_loses_queued_tasks_but_no_command(link) -> None:
    """Redis (no persistence) is killed and restarted twice: once with a send task waiting in the
    queue for a stopped worker, once under a running worker while a member checks in and is
    verified. The outbox rows in PostgreSQL and the beat's flush bring both cars."""
    first, second = link.book(2)
    wait_until(  # the booking messages are sent: nothing else is left in the queue
        lambda: not Notification.objects.filter(delivered_at__isnull=True).exists(),
        timeout=20,
        what="the worker to send the booking messages",
    )
    link.stop_worker()
    link.check_in(first)  # early retrieve: its send task is queued
    link.verify(first)  # the retrieve is already on its way: nothing more queued
    assert link.broker.queue_length(link.queue) == 1  # its send task, waiting for a worker
    link.broker.kill()
    link.broker.start()
    assert link.broker.queue_length(link.queue) == 0  # lost with the restart
    worker = link.start_worker()

    link.broker.kill()  # under a running worker
    link.check_in(second)  # the send task cannot be queued; the check-in stands
    link.verify(second)
    assert TestDrive.objects.get(pk=second.pk).state == State.DISPATCHING
    assert link.command_of(second).status == CommandStatus.PENDING
    time.sleep(1)
    link.broker.start()

    beat(link, ready(first, second), timeout=60, what="both bookings after the Redis restarts")
    assert link.worker is worker  # the same worker reconnected by itself
    assert worker.process.poll() is None

    assert_settled(link, [first, second])
    for td in (first, second):
        assert link.command_of(td).attempts == 1  # sent once, by the flush


def test_a_car_arriving_while_redis_is_down_is_acknowledged_without_an_error(link) -> None:
    link.relay.hold = "response"  # the move starts; Redis dies before the worker hears of it
    [td] = link.arrive(1)  # the retrieve goes at check-in
    assert link.relay.held.wait(30), "the worker never submitted"
    link.verify(td)
    link.broker.kill()
    link.relay.release()
    wait_until(ready(td), timeout=30, what="the webhook to apply the move")
    # Redis stays down until the webhook that made it ready has answered.
    wait_until(lambda: link.webhooks_answered >= TowerEvent.objects.count(), timeout=30, what="the webhook")
    link.broker.start()

    assert_settled(link, [td])
