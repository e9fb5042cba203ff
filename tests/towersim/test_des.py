"""The discrete-event model runs on the same physics and dispatch policy as the controller."""

import time

import pytest

from tests.towersim.conftest import place, small_config
from tower.protocol import LiftPose, job_phases, total_s
from towersim.des import DesJob, simulate, synthetic_day


def test_a_single_job_lasts_as_long_as_the_physics_says() -> None:
    config = small_config()
    source, target = place(config, "L04-B03"), place(config, "D1")
    report = simulate(config, [DesJob("retrieve-1", 10.0, "L04-B03", "D1")])
    (outcome,) = report.outcomes
    assert outcome.start_s == 10.0
    assert outcome.total_s == pytest.approx(total_s(job_phases(config, LiftPose(), source, target)))


def test_the_priority_queue_serves_a_waiting_customer_first() -> None:
    config = small_config(queue="priority")
    jobs = [
        DesJob("store-busy", 0.0, "D1", "L04-B01"),
        DesJob("store-later", 1.0, "D2", "L04-B02"),
        DesJob("retrieve-now", 2.0, "L01-B01", "D1", priority=5),
    ]
    finished = [o.job.name for o in sorted(simulate(config, jobs).outcomes, key=lambda o: o.finish_s)]
    assert finished == ["store-busy", "retrieve-now", "store-later"]


def test_fifo_ignores_priority() -> None:
    config = small_config(queue="fifo")
    jobs = [
        DesJob("store-busy", 0.0, "D1", "L04-B01"),
        DesJob("store-later", 1.0, "D2", "L04-B02"),
        DesJob("retrieve-now", 2.0, "L01-B01", "D1", priority=5),
    ]
    finished = [o.job.name for o in sorted(simulate(config, jobs).outcomes, key=lambda o: o.finish_s)]
    assert finished == ["store-busy", "store-later", "retrieve-now"]


def test_a_busy_day_runs_in_well_under_a_second() -> None:
    config = small_config(levels=8, bays_per_level=6, lifts=2)
    jobs = synthetic_day(config, seed=3, retrieves=120)
    started = time.perf_counter()
    report = simulate(config, jobs)
    assert time.perf_counter() - started < 1.0
    assert len(report.outcomes) == len(jobs) == 240
    summary = report.summary("retrieve")
    assert summary["jobs"] == 120
    assert summary["lower_bound_p50_s"] < summary["total_p50_s"]
    assert 0 < summary["lift_utilisation"] < 1


def test_a_gate_holds_a_background_job_back_until_it_admits_it() -> None:
    config = small_config()
    seen: list[tuple[float, int]] = []

    def admit(job: DesJob, now: float, idle: int) -> bool:
        seen.append((now, idle))
        return now >= 30.0

    jobs = [DesJob("store-1", 0.0, "D1", "L04-B01", priority=0, type="store")]
    (outcome,) = simulate(config, jobs, admit=admit, recheck_s=10.0).outcomes
    assert outcome.start_s == pytest.approx(30.0)  # asked again every 10 s until admitted
    assert seen[0] == (0.0, 1)


def test_a_gate_never_holds_back_a_customer() -> None:
    config = small_config(queue="priority")
    jobs = [DesJob("retrieve-1", 5.0, "L01-B01", "D1", priority=5, type="retrieve")]
    (outcome,) = simulate(config, jobs, admit=lambda job, now, idle: False).outcomes
    assert outcome.start_s == 5.0
