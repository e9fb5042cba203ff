"""A real simulator process killed with SIGKILL mid-command and restarted on the same state."""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.towersim.conftest import OPERATOR, SECRET, call, command_status, events, move, vin, wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Simulator:
    """`python -m towersim` as a child process on a fixed port and state directory."""

    def __init__(self, config: Path, state_dir: Path) -> None:
        self.config = config
        self.state_dir = state_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        args = [
            sys.executable,
            "-m",
            "towersim",
            "--config",
            str(self.config),
            "--port",
            str(self.port),
        ]
        args += ["--secret", SECRET, "--speed", "20", "--state-dir", str(self.state_dir)]
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        assert "listening on" in line, line

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    config = tmp_path / "tower.json"
    config.write_text(json.dumps({"tower": "t-crash", "levels": 4, "bays_per_level": 4, "lifts": 1}))
    sim = Simulator(config, tmp_path / "state")
    sim.start()
    yield sim
    sim.stop()


def test_a_kill_mid_command_loses_nothing_and_moves_nothing_twice(simulator: Simulator) -> None:
    seeded = {"L04-B03": vin(1), "L01-B01": vin(2)}
    assert call(simulator.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)[0] == 200
    running = move("retrieve", "L04-B03", "D1", vin(1))
    waiting = move("relocate", "L01-B01", "L02-B01", vin(2))
    call(simulator.url, "POST", "/v1/commands", running)
    call(simulator.url, "POST", "/v1/commands", waiting)
    wait_for(lambda: command_status(simulator.url, running["command_id"]) == "running")
    before = events(simulator.url)

    simulator.kill()
    simulator.start()

    # The interrupted command ends aborted, its car still in the source bay; the waiting one runs.
    answer = call(simulator.url, "GET", f"/v1/commands/{running['command_id']}")[1]
    assert (answer["status"], answer["fault_code"]) == ("aborted", "controller_restart")
    wait_for(lambda: command_status(simulator.url, waiting["command_id"]) == "completed", timeout=15)
    inventory = call(simulator.url, "GET", "/v1/state")[1]["inventory"]
    assert [bay for bay, car in inventory.items() if car == vin(1)] == ["L04-B03"]
    assert [bay for bay, car in inventory.items() if car == vin(2)] == ["L02-B01"]

    after = events(simulator.url)
    assert after[: len(before)] == before
    assert [e["seq"] for e in after] == list(range(1, len(after) + 1))
    kinds = [e["kind"] for e in after if e.get("command_id") == running["command_id"]]
    assert kinds == ["accepted", "running", "aborted"]
    # A resend of the interrupted command after the restart is answered, never re-run.
    assert call(simulator.url, "POST", "/v1/commands", running)[1]["status"] == "aborted"


@pytest.mark.parametrize("delay_s", [0.0, 2.75])
def test_after_a_kill_at_any_moment_the_car_is_where_the_final_status_says(
    simulator: Simulator, delay_s: float
) -> None:
    import time

    call(simulator.url, "PUT", "/v1/inventory", {"bays": {"L04-B03": vin(1)}}, OPERATOR)
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(simulator.url, "POST", "/v1/commands", body)
    time.sleep(delay_s)
    simulator.kill()
    simulator.start()

    status = wait_for(lambda: command_status(simulator.url, body["command_id"]) in ("aborted", "completed"))
    assert status
    final = command_status(simulator.url, body["command_id"])
    inventory = call(simulator.url, "GET", "/v1/state")[1]["inventory"]
    where = [bay for bay, car in inventory.items() if car == vin(1)]
    assert where == (["D1"] if final == "completed" else ["L04-B03"])
    seqs = [e["seq"] for e in events(simulator.url)]
    assert seqs == list(range(1, len(seqs) + 1))
