"""The discrete-event model's delivery bays (``BayModel``): a bay holding a car, coming or
waiting, is not free for anyone else; pre-delivery sends a car ahead of its customer once."""

import pytest

from tests.towersim.conftest import place, small_config
from tower.protocol import LiftPose, job_phases, total_s
from towersim.des import BayModel, BayState, DesJob, simulate

CUSTOMER = 5


def test_without_a_bay_model_the_delivery_bays_are_never_full() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("first", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=1000.0),
        DesJob("second", 1.0, "L01-B02", "D1", CUSTOMER),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["second"].start_s == 1.0


def test_a_retrieve_waits_until_the_customer_has_driven_the_car_out_of_the_only_bay() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("first", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=500.0),
        DesJob("second", 1.0, "L01-B02", "D1", CUSTOMER),
    ]
    report = simulate(config, jobs, bays=BayModel(drive_out_s=60.0))
    by_name = {o.job.name: o for o in report.outcomes}
    assert by_name["second"].start_s == pytest.approx(560.0)


def test_a_returned_car_holds_its_bay_until_the_lift_has_taken_it() -> None:
    config = small_config(lifts=1, delivery_bays=1)
    store = DesJob("store", 0.0, "D1", "L04-B01", 0, "store")
    pickup = DesJob("pickup", 1.0, "L01-B01", "D1", CUSTOMER)
    report = simulate(config, [store, pickup], bays=BayModel(drive_in_s=30.0))
    by_name = {o.job.name: o for o in report.outcomes}
    assert by_name["store"].start_s == pytest.approx(30.0)  # asked once the member has parked
    phases = job_phases(config, LiftPose(), place(config, "D1"), place(config, "L04-B01"))
    # The pickup cannot claim the bay before the car is on the platform; then it waits for the lift.
    assert by_name["pickup"].start_s == pytest.approx(by_name["store"].finish_s)
    assert by_name["store"].finish_s == pytest.approx(30.0 + total_s(phases))


def test_a_pickup_waiting_for_a_bay_goes_before_a_returned_car() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("first", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=300.0),
        DesJob("store", 10.0, "D1", "L04-B01", 0, "store"),
        DesJob("second", 20.0, "L01-B02", "D1", CUSTOMER),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs, bays=BayModel()).outcomes}
    assert by_name["second"].start_s == pytest.approx(300.0)
    assert by_name["store"].start_s >= by_name["second"].finish_s  # its car gone (drive-out 0)


def admit_all(job: DesJob, now: float, state: BayState) -> bool:
    return state.tower_idle


def test_a_pre_delivered_car_is_moved_once_and_its_customer_finds_it_there() -> None:
    config = small_config(lifts=1)
    job = DesJob("pickup", 600.0, "L02-B01", "D1", CUSTOMER, customer_s=640.0, early_s=100.0)
    report = simulate(config, [job], bays=BayModel(early_admit=admit_all))
    (outcome,) = report.outcomes
    assert outcome.start_s == pytest.approx(100.0)
    assert outcome.finish_s < 600.0


def test_a_car_the_gate_never_admits_goes_when_its_customer_asks() -> None:
    config = small_config(lifts=1)
    job = DesJob("pickup", 600.0, "L02-B01", "D1", CUSTOMER, customer_s=640.0, early_s=100.0)
    report = simulate(config, [job], bays=BayModel(early_admit=lambda job, now, state: False))
    (outcome,) = report.outcomes
    assert outcome.start_s == pytest.approx(600.0)


def test_pre_delivery_waits_for_the_cars_pre_staging_move() -> None:
    config = small_config(lifts=2)
    jobs = [
        DesJob("relocate", 100.0, "L04-B01", "L01-B01", 0, "relocate"),
        DesJob("pickup", 600.0, "L01-B01", "D1", CUSTOMER, customer_s=640.0, early_s=100.0, after="relocate"),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs, bays=BayModel(early_admit=admit_all)).outcomes}
    assert by_name["pickup"].start_s >= by_name["relocate"].finish_s


def test_the_gate_sees_a_car_waiting_for_its_customer_and_the_bays_left_free() -> None:
    config = small_config(lifts=1, delivery_bays=2)
    seen: list[BayState] = []

    def watch(job: DesJob, now: float, state: BayState) -> bool:
        seen.append(state)
        return state.tower_idle and state.cars_waiting == 0

    jobs = [
        DesJob("a", 900.0, "L02-B01", "D1", CUSTOMER, customer_s=940.0, early_s=0.0),
        DesJob("b", 900.0, "L02-B02", "D1", CUSTOMER, customer_s=940.0, early_s=0.0),
    ]
    report = simulate(config, jobs, bays=BayModel(early_admit=watch))
    starts = sorted(o.start_s for o in report.outcomes)
    assert starts[0] == pytest.approx(0.0)
    assert starts[1] == pytest.approx(900.0)  # the second car waited for its customer
    assert any(s.cars_waiting == 1 and s.free_bays == 1 for s in seen)


def test_with_returns_first_a_freed_bay_goes_to_the_returned_car_at_the_door() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("first", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=300.0),
        DesJob("store", 10.0, "D1", "L04-B01", 0, "store"),
        DesJob("second", 20.0, "L01-B02", "D1", CUSTOMER),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs, bays=BayModel(returns_first=True)).outcomes}
    assert by_name["store"].start_s == pytest.approx(300.0)
    assert by_name["second"].start_s > by_name["store"].start_s


# --- What-ifs for the bounds: a bay claimed when the car reaches it, returns kept out -----------


def test_with_late_claim_a_returned_car_uses_the_bay_while_the_pickups_car_is_on_its_way() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("pickup", 0.0, "L04-B03", "D1", CUSTOMER, customer_s=0.0),
        DesJob("store", 1.0, "D1", "L01-B01", CUSTOMER, "store"),
    ]
    at_send = {o.job.name: o for o in simulate(config, jobs, bays=BayModel()).outcomes}
    late = {o.job.name: o for o in simulate(config, jobs, bays=BayModel(late_claim=True)).outcomes}
    # Claimed when asked, the bay is the pickup's from 0 s: the returned car waits at the door.
    assert at_send["store"].start_s >= at_send["pickup"].finish_s
    # Claimed on arrival, the returned car drives in and is taken while the lift is on its way.
    assert late["store"].start_s == pytest.approx(1.0)
    assert late["pickup"].finish_s > late["store"].start_s


def test_with_late_claim_the_lift_waits_loaded_at_the_bays_until_one_is_free() -> None:
    config = small_config(lifts=2, delivery_bays=1)
    jobs = [
        DesJob("first", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=500.0),
        DesJob("second", 100.0, "L01-B02", "D1", CUSTOMER),
    ]
    report = simulate(config, jobs, bays=BayModel(late_claim=True))
    by_name = {o.job.name: o for o in report.outcomes}
    assert by_name["second"].start_s == pytest.approx(100.0)  # no bay needed to set off
    # The first car's member drives it out at 500 s (0 s drive-out); then the transfer and the door.
    into_bay = config.physics.transfer_s + config.physics.door_s
    assert by_name["second"].finish_s == pytest.approx(500.0 + into_bay)


def test_with_late_claim_one_lift_never_carries_a_car_without_a_bay_so_returns_are_taken() -> None:
    # One bay, two lifts, returned cars and pickups one after another: were both lifts allowed
    # to set off with cars and no bay while the bay holds a returned car, nobody could move.
    config = small_config(lifts=2, delivery_bays=1)
    jobs: list[DesJob] = []
    for n in range(12):
        jobs.append(DesJob(f"store-{n}", n * 20.0, "D1", f"L0{n % 4 + 1}-B01", 0, "store"))
        jobs.append(DesJob(f"pickup-{n}", n * 20.0 + 5, f"L0{n % 4 + 1}-B02", "D1", CUSTOMER))
    report = simulate(config, jobs, bays=BayModel(late_claim=True, drive_in_s=10.0, drive_out_s=10.0))
    assert sorted(o.job.name for o in report.outcomes) == sorted(j.name for j in jobs)


def test_a_returning_member_is_kept_out_of_the_last_free_bay_until_their_wait_is_up() -> None:
    config = small_config(lifts=2, delivery_bays=2)
    jobs = [
        DesJob("pickup", 0.0, "L01-B01", "D1", CUSTOMER, customer_s=1000.0),
        DesJob("store", 10.0, "D1", "L04-B01", CUSTOMER, "store"),
    ]
    kept = BayModel(returns_keep_free=1, returns_door_max_s=120.0)
    by_name = {o.job.name: o for o in simulate(config, jobs, bays=kept).outcomes}
    assert by_name["store"].start_s == pytest.approx(130.0)  # the door wait was up at 10 + 120 s


def test_a_returning_member_drives_in_at_once_while_a_second_bay_is_free() -> None:
    config = small_config(lifts=1, delivery_bays=2)
    store = DesJob("store", 10.0, "D1", "L04-B01", CUSTOMER, "store")
    (outcome,) = simulate(config, [store], bays=BayModel(returns_keep_free=1)).outcomes
    assert outcome.start_s == pytest.approx(10.0)


def test_a_bay_a_car_on_its_way_will_want_is_not_offered_to_a_returning_member() -> None:
    config = small_config(lifts=2, delivery_bays=2)
    jobs = [
        DesJob("pickup", 0.0, "L04-B03", "D1", CUSTOMER, customer_s=0.0),
        DesJob("store", 1.0, "D1", "L01-B01", CUSTOMER, "store"),
    ]
    kept = BayModel(late_claim=True, returns_keep_free=1)
    by_name = {o.job.name: o for o in simulate(config, jobs, bays=kept).outcomes}
    # Two bays free, one of them the pickup's once its car arrives: the member waits at the door
    # until the pickup's car has been driven out (0 s here) and both are free again.
    assert by_name["store"].start_s == pytest.approx(by_name["pickup"].finish_s)
