"""The customer-first policy shared by the controller and the DES: a lift kept back for
customers (``reserved_lifts``) and a dwell level idle lifts return to (``dwell_level``)."""

import pytest

from tests.towersim.conftest import OPERATOR, call, command_status, move, place, small_config, wait_for
from tower.protocol import LiftPose, dwell_phase, job_phases, total_s
from towersim import dispatch
from towersim.config import ConfigError, config_from_dict
from towersim.des import DesJob, simulate
from towersim.dispatch import Waiting

STORE, CUSTOMER = 0, 5


def test_with_no_lift_kept_back_the_queue_order_alone_decides() -> None:
    config = small_config(lifts=2, queue="priority")
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0), Waiting(2, STORE, 0.0)], idle_lifts=1) == 1


def test_a_store_waits_while_only_the_kept_back_lift_is_idle() -> None:
    config = small_config(lifts=2, reserved_lifts=1, queue="priority")
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0)], idle_lifts=1) is None
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0)], idle_lifts=2) == 1


def test_a_customer_takes_the_kept_back_lift() -> None:
    config = small_config(lifts=2, reserved_lifts=1, queue="priority")
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0), Waiting(2, CUSTOMER, 0.0)], idle_lifts=1) == 2


def test_fifo_lets_a_customer_pass_a_store_that_may_not_start() -> None:
    config = small_config(lifts=2, reserved_lifts=1, queue="fifo")
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0), Waiting(2, CUSTOMER, 0.0)], idle_lifts=1) == 2
    assert dispatch.next_job(config, [Waiting(1, STORE, 0.0), Waiting(2, CUSTOMER, 0.0)], idle_lifts=2) == 1


def test_a_held_back_store_takes_the_kept_back_lift_after_the_longest_hold() -> None:
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=60.0)
    assert dispatch.next_job(config, [Waiting(1, STORE, 59.9)], idle_lifts=1) is None
    assert dispatch.next_job(config, [Waiting(1, STORE, 60.0)], idle_lifts=1) == 1


def test_nothing_starts_without_an_idle_lift() -> None:
    config = small_config(lifts=2, reserved_lifts=1)
    assert dispatch.next_job(config, [Waiting(1, CUSTOMER, 0.0)], idle_lifts=0) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lifts": 1, "reserved_lifts": 1}, "reserved_lifts"),
        ({"lifts": 2, "reserved_lifts": -1}, "reserved_lifts"),
        ({"dwell_level": 5}, "dwell_level"),
        ({"dwell_level": -1}, "dwell_level"),
        ({"customer_priority": 10}, "customer_priority"),
        ({"lifts": 2, "reserve_max_hold_s": -1}, "reserve_max_hold_s"),
    ],
)
def test_a_policy_that_cannot_work_is_refused(overrides: dict, message: str) -> None:
    data = {"tower": "t", "levels": 4, "bays_per_level": 4, **overrides}
    with pytest.raises(ConfigError, match=message):
        config_from_dict(data)


def test_the_dwell_ride_goes_to_the_dwell_level_and_keeps_the_heading() -> None:
    config = small_config(dwell_level=1)
    ride = dwell_phase(config, LiftPose(4, 90.0))
    assert ride is not None
    assert ride.pose_after == LiftPose(1, 90.0)
    assert ride.seconds > 0
    assert dwell_phase(config, LiftPose(1, 90.0)) is None
    assert dwell_phase(small_config(), LiftPose(4, 90.0)) is None


def test_des_a_retrieve_finds_the_kept_back_lift_while_a_store_waits() -> None:
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=600.0, queue="priority")
    jobs = [
        DesJob("store-1", 0.0, "D1", "L04-B01"),
        DesJob("store-2", 1.0, "D2", "L04-B02"),
        DesJob("retrieve", 5.0, "L01-B01", "D1", priority=CUSTOMER),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["retrieve"].start_s == 5.0
    # store-2 waited for both lifts to be idle again, not only for store-1's lift
    assert by_name["store-2"].start_s == max(by_name["store-1"].finish_s, by_name["retrieve"].finish_s)


def test_des_a_held_back_store_starts_when_its_longest_hold_is_over() -> None:
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=10.0, queue="priority")
    jobs = [DesJob("store-1", 0.0, "D1", "L04-B01"), DesJob("store-2", 1.0, "D2", "L04-B02")]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["store-1"].finish_s > 11.0  # still busy: store-2 did not wait for it
    assert by_name["store-2"].start_s == 11.0


def test_des_a_hold_ends_on_time_whatever_the_float_rounding() -> None:
    # (6.004 + 10) - 6.004 is a hair under 10 in floating point.
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=10.0, queue="priority")
    jobs = [DesJob("store-1", 6.0, "D1", "L04-B01"), DesJob("store-2", 6.004, "D2", "L04-B02")]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["store-1"].finish_s > 6.004 + 10  # still busy: only the hold can start store-2
    assert by_name["store-2"].start_s == pytest.approx(6.004 + 10)


def test_des_without_a_kept_back_lift_the_store_takes_it_and_the_customer_waits() -> None:
    config = small_config(lifts=2, queue="priority")
    jobs = [
        DesJob("store-1", 0.0, "D1", "L04-B01"),
        DesJob("store-2", 1.0, "D2", "L04-B02"),
        DesJob("retrieve", 5.0, "L01-B01", "D1", priority=CUSTOMER),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["store-2"].start_s == 1.0
    assert by_name["retrieve"].start_s > 5.0


def test_des_an_idle_lift_rides_to_the_dwell_level_before_its_next_job() -> None:
    config = small_config(dwell_level=1)
    first = DesJob("store", 0.0, "D1", "L04-B01")
    later = DesJob("retrieve", 500.0, "L01-B02", "D2", priority=CUSTOMER)
    by_name = {o.job.name: o for o in simulate(config, [first, later]).outcomes}
    end_of_store = job_phases(config, LiftPose(), place(config, "D1"), place(config, "L04-B01"))[
        -1
    ].pose_after
    from_dwell = job_phases(
        config, LiftPose(1, end_of_store.heading_deg), place(config, "L01-B02"), place(config, "D2")
    )
    assert by_name["retrieve"].total_s == pytest.approx(total_s(from_dwell))


def test_des_a_job_asked_during_the_dwell_ride_waits_for_its_end() -> None:
    config = small_config(dwell_level=1)
    store = simulate(config, [DesJob("store", 0.0, "D1", "L04-B01")]).outcomes[0]
    ride = dwell_phase(config, LiftPose(4, 0.0))
    assert ride is not None
    jobs = [
        DesJob("store", 0.0, "D1", "L04-B01"),
        DesJob("retrieve", store.finish_s + 0.5, "L01-B02", "D2", priority=5),
    ]
    by_name = {o.job.name: o for o in simulate(config, jobs).outcomes}
    assert by_name["retrieve"].start_s == pytest.approx(store.finish_s + ride.seconds)


def _lift(app, n: int) -> dict:
    return next(lift for lift in call(app.url, "GET", "/v1/state")[1]["lifts"] if lift["lift"] == n)


def test_controller_keeps_a_lift_back_for_a_customer(start_tower, seeded) -> None:
    config = small_config(lifts=2, reserved_lifts=1, reserve_max_hold_s=600.0, queue="priority")
    app = start_tower(config=config, speed=40.0)
    assert call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)[0] == 200
    store_1 = move("store", "D2", "L04-B04", seeded["D2"])
    store_2 = move("relocate", "L02-B02", "L03-B03", seeded["L02-B02"])
    retrieve = move("retrieve", "L01-B01", "D1", seeded["L01-B01"], priority=CUSTOMER)
    for body in (store_1, store_2):
        assert call(app.url, "POST", "/v1/commands", body)[0] == 202
    wait_for(lambda: command_status(app.url, store_1["command_id"]) == "running")
    assert command_status(app.url, store_2["command_id"]) == "accepted"  # the other lift is kept back
    assert call(app.url, "POST", "/v1/commands", retrieve)[0] == 202
    for body in (store_1, store_2, retrieve):
        wait_for(lambda body=body: command_status(app.url, body["command_id"]) == "completed", timeout=20)
    # The customer took the kept-back lift at once, not the lift store_1 freed (UTC ISO times).
    started = call(app.url, "GET", f"/v1/commands/{retrieve['command_id']}")[1]["started_at"]
    assert started < call(app.url, "GET", f"/v1/commands/{store_1['command_id']}")[1]["finished_at"]


def test_controller_parks_an_idle_lift_at_the_dwell_level(start_tower, seeded) -> None:
    app = start_tower(config=small_config(dwell_level=1), speed=200.0)
    assert call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)[0] == 200
    body = move("store", "D2", "L04-B04", seeded["D2"])
    assert call(app.url, "POST", "/v1/commands", body)[0] == 202
    wait_for(lambda: command_status(app.url, body["command_id"]) == "completed")
    wait_for(lambda: _lift(app, 1)["level"] == 1 and _lift(app, 1)["phase"] is None)
    assert _lift(app, 1)["command_id"] is None


def test_controller_without_a_dwell_level_leaves_the_lift_where_it_stopped(start_tower, seeded) -> None:
    app = start_tower(config=small_config(), speed=200.0)
    assert call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)[0] == 200
    body = move("store", "D2", "L04-B04", seeded["D2"])
    assert call(app.url, "POST", "/v1/commands", body)[0] == 202
    wait_for(lambda: command_status(app.url, body["command_id"]) == "completed")
    assert _lift(app, 1)["level"] == 4
