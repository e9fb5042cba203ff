"""The real-time tower controller: accepts commands, runs one job per lift, reports events.

Lock discipline: every method that reads or changes state holds `self.lock` (the store's
re-entrant lock), and never sleeps while holding it. A state change and its event are one
store transaction; the webhook is woken after the commit.

Consistency rule: the inventory changes only in the transaction that records `completed`.
A job that fails or is aborted leaves its car in the source bay (the tower's recovery puts a
car on the platform back where it came from), so a car is always in exactly one bay.
"""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tower.protocol import (
    GATE_CLOSED_EVENT,
    BayPlace,
    LiftPose,
    Phase,
    TowerConfig,
    dwell_phase,
    job_phases,
    return_phases,
    total_s,
)
from towersim import dispatch
from towersim.commands import MoveRequest, Rejection, check_bays, check_occupancy, parse_move
from towersim.config import inventory_problem
from towersim.store import TowerStore, utc_now
from towersim.webhook import WebhookSender

MODES = ("auto", "hold", "estop")


@dataclass
class Job:
    move: MoveRequest
    source: BayPlace
    target: BayPlace
    order: int
    lift: int | None = None
    fault_code: str | None = None  # set by a fail-next fault: fail at the source transfer
    abort: threading.Event = field(default_factory=threading.Event)
    queued_at: float = field(default_factory=time.monotonic)  # for reserve_max_hold_s


class TowerController:
    def __init__(
        self,
        config: TowerConfig,
        store: TowerStore,
        *,
        speed: float = 1.0,
        operator_token: str,
        webhook: WebhookSender | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.speed = speed
        self.operator_token = operator_token
        self.webhook = webhook
        self.lock = store.lock
        self._wake = threading.Condition(self.lock)
        self.queue: dict[str, Job] = {}
        self.running: dict[int, Job] = {}
        self.parking: dict[int, threading.Event] = {}  # lift → abort, while riding to the dwell level
        self.phase: dict[int, str] = {}
        self.poses = {n: LiftPose(level, heading) for n, (level, heading) in store.lift_poses().items()}
        self.fail_next: list[str] = []
        self._stopped = False
        self._dispatcher = threading.Thread(target=self._dispatch_loop, name="dispatcher", daemon=True)

    # life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Recover from the journal, then start dispatching (and delivering webhooks)."""
        self._recover()
        self._dispatcher.start()
        if self.webhook:
            self.webhook.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            for job in self.running.values():
                job.abort.set()
            for abort in self.parking.values():
                abort.set()
            self._wake.notify_all()
        self._dispatcher.join(timeout=5)
        if self.webhook:
            self.webhook.stop()

    def _recover(self) -> None:
        """A command that was running when the process died ends aborted (its car never left
        the source bay in our books); accepted ones wait in the queue again, in their order."""
        with self.lock, self.store.transaction():
            for order, record in enumerate(self.store.open_commands()):
                move = _move_from_record(record)
                try:
                    source, target = check_bays(self.config, move)
                except Rejection:  # the config lost one of its bays since it was accepted
                    self._finish(move.command_id, "aborted", fault_code="unknown_bay")
                    continue
                if record["status"] == "running":
                    self._finish(move.command_id, "aborted", fault_code="controller_restart")
                else:
                    self.queue[move.command_id] = Job(move, source, target, order)
        self._notify()

    # commands --------------------------------------------------------------------------------

    def submit(self, body: Any) -> tuple[int, dict[str, Any]]:
        """Accept or reject a move; returns (HTTP status, answer). Raises Rejection for answers
        that are not recorded (invalid requests, id conflicts, tower not in auto)."""
        move = parse_move(body)
        with self.lock:
            existing = self.store.command(move.command_id)
            if existing is not None:
                if self.store.command_request(move.command_id) != move.as_dict():
                    raise Rejection(
                        "command_id_conflict", "another command has this id", http_status=409, stored=False
                    )
                return (422 if existing["status"] == "rejected" else 200), command_view(existing)
            mode = self.mode()
            if mode != "auto":
                raise Rejection(
                    f"tower_{mode}", self.store.meta("mode_reason") or "", http_status=409, stored=False
                )
            try:
                job = self._check(move)
            except Rejection as rejection:
                self._record_rejection(move, rejection)
                return 422, self.command(move.command_id) or {}
            self._accept(job)
            # Answered under the lock: the acceptance, not whatever a lift has made of it since.
            return 202, self.command(move.command_id) or {}

    def _check(self, move: MoveRequest) -> Job:
        source, target = check_bays(self.config, move)
        jammed = set(self.store.jammed_bays())
        for bay in (source.code, target.code):
            if bay in jammed:
                raise Rejection("bay_jammed", bay)
            if bay in self._reserved_bays():
                raise Rejection("bay_busy", f"{bay} is in an open command")
        check_occupancy(
            move,
            source_vin=self.store.vin_in(source.code),
            target_vin=self.store.vin_in(target.code),
            vin_location=self.store.bay_of(move.vin),
        )
        return Job(move, source, target, self.store.next_queue_order())

    def _reserved_bays(self) -> set[str]:
        jobs = [*self.queue.values(), *self.running.values()]
        return {job.source.code for job in jobs} | {job.target.code for job in jobs}

    def _record_rejection(self, move: MoveRequest, rejection: Rejection) -> None:
        fields = {
            **move.as_dict(),
            "status": "rejected",
            "reason": rejection.reason,
            "detail": rejection.detail,
        }
        self.store.insert_command(
            move.as_dict(), {**fields, "created_at": utc_now(), "finished_at": utc_now()}
        )

    def _accept(self, job: Job) -> None:
        fields = {**job.move.as_dict(), "status": "accepted", "created_at": utc_now()}
        with self.store.transaction():
            self.store.insert_command(job.move.as_dict(), fields)
            self._event("accepted", job.move.command_id)
        self.queue[job.move.command_id] = job
        self._notify()

    def command(self, command_id: str) -> dict[str, Any] | None:
        record = self.store.command(command_id)
        return None if record is None else command_view(record)

    # dispatching and running -----------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        with self._wake:
            while not self._stopped:
                started = self._start_next() or self._park_idle()
                if not started:
                    self._wake.wait(0.5)

    def _idle_lifts(self) -> list[tuple[int, LiftPose]]:
        return [
            (n, pose) for n, pose in self.poses.items() if n not in self.running and n not in self.parking
        ]

    def _start_next(self) -> bool:
        """Start the job ``dispatch.next_job`` picks on the nearest idle lift. Call holding the lock."""
        idle = self._idle_lifts()
        if self.mode() != "auto" or not self.queue or not idle:
            return False
        waiting = {job.order: job for job in self.queue.values()}
        now = time.monotonic()
        queue = (
            dispatch.Waiting(o, j.move.priority, (now - j.queued_at) * self.speed, j.move.type)
            for o, j in waiting.items()
        )
        order = dispatch.next_job(self.config, queue, len(idle))
        if order is None:
            return False
        job = waiting[order]
        job.lift = dispatch.choose_lift(self.config, idle, job.source)
        phases = job_phases(self.config, self.poses[job.lift], job.source, job.target)
        if self.fail_next:
            job.fault_code = self.fail_next.pop(0)
        del self.queue[job.move.command_id]
        self.running[job.lift] = job
        with self.store.transaction():
            self.store.update_command(
                job.move.command_id,
                status="running",
                lift=job.lift,
                started_at=utc_now(),
                estimate_s=total_s(phases),
            )
            self._event("running", job.move.command_id)
        threading.Thread(
            target=self._run_job, args=(job, phases), name=f"lift-{job.lift}", daemon=True
        ).start()
        return True

    def _park_idle(self) -> bool:
        """Send one idle lift with nothing to start to the dwell level (``dwell_phase``), in auto
        mode only. Call holding the lock, after ``_start_next`` found nothing to start."""
        if self.mode() != "auto":
            return False
        for lift, pose in self._idle_lifts():
            ride = dwell_phase(self.config, pose)
            if ride is not None:
                abort = threading.Event()
                self.parking[lift] = abort
                self.phase[lift] = ride.name
                threading.Thread(
                    target=self._park, args=(lift, ride, abort), name=f"lift-{lift}-dwell", daemon=True
                ).start()
                return True
        return False

    def _park(self, lift: int, ride: Phase, abort: threading.Event) -> None:
        """Ride empty to the dwell level. Not a command: no events, nothing to recover after a
        crash (the pose is saved on arrival). An e-stop or shutdown stops the ride where it began."""
        arrived = not abort.wait(ride.seconds / self.speed)
        with self.lock:
            if arrived and not abort.is_set():
                self.poses[lift] = ride.pose_after
                self.store.set_lift_pose(lift, ride.pose_after.level, ride.pose_after.heading_deg)
            self.parking.pop(lift, None)
            self.phase.pop(lift, None)
        self._notify()

    def _run_job(self, job: Job, phases: list[Phase]) -> None:
        """Play the phases in (scaled) real time; fail at a jammed bay, stop when aborted."""
        for phase in phases:
            if phase.name == "transfer_in" and (job.fault_code or self._is_jammed(job.source.code)):
                self._end_job(job, "failed", job.fault_code or "bay_jammed")
                return
            if phase.name == "transfer_out" and self._is_jammed(job.target.code):
                # The car is on the platform: take it back to its source bay, then report.
                if self._play(job, return_phases(self.config, self.poses[job.lift or 1], job.source)):
                    self._end_job(job, "failed", "bay_jammed")
                return
            if not self._play(job, [phase]):
                return
        self._end_job(job, "completed")

    def _play(self, job: Job, phases: list[Phase]) -> bool:
        """Wait out the phases, moving the lift's pose; False as soon as the job is aborted."""
        for phase in phases:
            with self.lock:
                self.phase[job.lift or 0] = phase.name
            if job.abort.wait(phase.seconds / self.speed):
                return False
            with self.lock:
                if job.abort.is_set():
                    return False
                self.poses[job.lift or 0] = phase.pose_after
        return True

    def _is_jammed(self, bay: str) -> bool:
        return bay in self.store.jammed_bays()

    def _end_job(self, job: Job, status: str, fault_code: str | None = None) -> None:
        with self.lock:
            if job.abort.is_set():
                return  # an e-stop already ended it, and the car stayed in its source bay
            with self.store.transaction():
                if status == "completed":
                    self.store.move_car(job.source.code, job.target.code)
                self._finish(job.move.command_id, status, fault_code=fault_code)
            self._release(job)

    def _release(self, job: Job) -> None:
        """Free the job's lift and remember where it stopped. Call holding the lock."""
        lift = job.lift or 0
        self.running.pop(lift, None)
        self.phase.pop(lift, None)
        pose = self.poses[lift]
        self.store.set_lift_pose(lift, pose.level, pose.heading_deg)
        self._notify()

    def _finish(self, command_id: str, status: str, *, fault_code: str | None = None) -> None:
        """Record a final status and its event. Call inside a store transaction."""
        self.store.update_command(command_id, status=status, reason=fault_code, finished_at=utc_now())
        self._event(status, command_id, fault_code=fault_code)

    def _event(self, kind: str, command_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Append an event inside the caller's transaction; command events carry the move."""
        if command_id is not None:
            record = self.store.command(command_id) or {}
            fields = {
                "command_id": command_id,
                "command_type": record.get("type"),
                "vin": record.get("vin"),
                "source_bay": record.get("source_bay"),
                "target_bay": record.get("target_bay"),
                "lift": record.get("lift"),
                "estimate_s": record.get("estimate_s"),
                "fault_code": None,
                **fields,
            }
        return self.store.append_event(kind, fields)

    def _notify(self) -> None:
        with self._wake:
            self._wake.notify_all()
        if self.webhook:
            self.webhook.wake()

    # modes -----------------------------------------------------------------------------------

    def mode(self) -> str:
        return self.store.meta("mode") or "auto"

    def _set_mode(self, mode: str, reason: str) -> None:
        """Call inside a transaction."""
        self.store.set_meta("mode", mode)
        self.store.set_meta("mode_reason", reason)
        self._event("mode_changed", mode=mode, reason=reason)

    def estop(self, reason: str) -> None:
        """Emergency stop: every running and waiting command ends aborted (`estop`), cars stay
        in their source bays, and the tower refuses commands until an operator clears it."""
        with self.lock, self.store.transaction():
            for job in [*self.running.values(), *self.queue.values()]:
                job.abort.set()
                self._finish(job.move.command_id, "aborted", fault_code="estop")
            for job in list(self.running.values()):
                self._release(job)
            for abort in self.parking.values():
                abort.set()
            self.queue.clear()
            self._set_mode("estop", reason)
        self._notify()

    def hold(self, reason: str) -> None:
        """Controlled stop: running jobs finish, waiting ones end aborted (`tower_hold`), new
        commands are refused until an operator clears. No effect during an e-stop."""
        with self.lock, self.store.transaction():
            if self.mode() == "estop":
                return
            for job in self.queue.values():
                self._finish(job.move.command_id, "aborted", fault_code="tower_hold")
            self.queue.clear()
            self._set_mode("hold", reason)
        self._notify()

    def check_operator(self, token: str | None) -> None:
        if not token or not hmac.compare_digest(token.encode(), self.operator_token.encode()):
            raise Rejection(
                "operator_only", "send the operator token in X-Tower-Operator", http_status=403, stored=False
            )

    def clear(self, token: str | None, reason: str) -> None:
        """Operator only: back to auto, every bay jam cleared."""
        self.check_operator(token)
        with self.lock, self.store.transaction():
            for bay in self.store.jammed_bays():
                self.store.set_jammed(bay, False)
            if self.mode() != "auto":
                self._set_mode("auto", reason)
            self._notify()

    # inventory and faults --------------------------------------------------------------------

    def put_inventory(self, token: str | None, bays: Any) -> dict[str, Any]:
        """Operator only, with no command open: replace the whole bay → VIN map (journaled as an
        `inventory_loaded` event carrying the count and a digest)."""
        self.check_operator(token)
        if not isinstance(bays, dict):
            raise Rejection(
                "invalid_request", "bays must be an object of bay code → VIN", http_status=400, stored=False
            )
        problem = inventory_problem(self.config, bays)
        if problem:
            raise Rejection(problem[0], problem[1], stored=False)
        with self.lock:
            if self.queue or self.running:
                raise Rejection(
                    "tower_busy", "commands are open; hold the tower and wait", http_status=409, stored=False
                )
            with self.store.transaction():
                self.store.replace_inventory(bays)
                event = self._event("inventory_loaded", bays=len(bays), digest=inventory_digest(bays))
            self._notify()
        return event

    def jam(self, bay: str, jammed: bool) -> None:
        if self.config.place(bay) is None:
            raise Rejection("unknown_bay", bay, stored=False)
        self.store.set_jammed(bay, jammed)

    def gate_closed(self, bay: str, occupied: bool) -> dict[str, Any]:
        """The physical world, simulated: the last person walked out of delivery bay ``bay`` and its
        gate closed, with a car left in it (``occupied``) or not. Journaled as a `gate_closed`
        event; the inventory is not touched (a car driven in is not seen by VIN, as on a real
        tower: our side loads the delivery bays before it moves a car out of one)."""
        place = self.config.place(bay)
        if place is None:
            raise Rejection("unknown_bay", bay, stored=False)
        if not place.is_delivery:
            raise Rejection("wrong_bay_kind", f"{bay} is not a delivery bay", stored=False)
        with self.lock, self.store.transaction():
            event = self._event(GATE_CLOSED_EVENT, bay=bay, occupied=occupied)
        self._notify()
        return event

    def inject_failures(self, count: int, fault_code: str) -> None:
        with self.lock:
            self.fail_next += [fault_code] * count

    # reading ---------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self.lock:
            lifts = [
                {
                    "lift": n,
                    "level": pose.level,
                    "heading_deg": pose.heading_deg,
                    "command_id": self.running[n].move.command_id if n in self.running else None,
                    "phase": self.phase.get(n),
                }
                for n, pose in sorted(self.poses.items())
            ]
            return {
                "tower": self.config.tower,
                "mode": self.mode(),
                "mode_reason": self.store.meta("mode_reason") or "",
                "speed": self.speed,
                "queue_policy": self.config.queue,
                "high_water_seq": self.store.high_water_seq(),
                "lifts": lifts,
                "queued": sorted(self.queue, key=lambda cid: self.queue[cid].order),
                "inventory": self.store.inventory(),
                "jammed_bays": self.store.jammed_bays(),
            }


def command_view(record: dict[str, Any]) -> dict[str, Any]:
    """The API's view of a command: the record plus `accepted` (false only when rejected);
    a recorded rejection is final for its command_id (`retryable` false)."""
    status, reason = record["status"], record["reason"]
    view = {
        **record,
        "accepted": status != "rejected",
        "reason": reason if status == "rejected" else None,
        "fault_code": reason if status in ("failed", "aborted") else None,
    }
    if status == "rejected":
        view["retryable"] = False
    return view


def inventory_digest(bays: dict[str, str | None]) -> str:
    """sha256 hex over the sorted, compact JSON of the occupied bays only."""
    occupied = {code: vin for code, vin in bays.items() if vin}
    return hashlib.sha256(json.dumps(occupied, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _move_from_record(record: dict[str, Any]) -> MoveRequest:
    return MoveRequest(
        record["command_id"],
        record["type"],
        record["source_bay"],
        record["target_bay"],
        record["vin"],
        record["priority"],
    )
