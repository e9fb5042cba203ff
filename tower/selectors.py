"""Read-side questions about the tower link, for the kiosk and the admin."""

from django.utils import timezone

from fleet.models import Bay, BayKind, Tower
from tower.conf import controller_url_for
from tower.models import OPEN, CommandKind, CommandStatus, TowerCommand, TowerLink
from tower.protocol import LiftPose, Physics, TowerConfig, delivery_code, job_phases, total_s


def tower_physics_config(tower: Tower) -> TowerConfig:
    """The simulator's model of our tower's shape with the default physics (for estimates)."""
    return TowerConfig(
        tower=tower.code,
        levels=tower.levels,
        bays_per_level=tower.bays_per_level,
        lifts=tower.lifts,
        delivery_bays=tower.delivery_bays,
        physics=Physics(),
    )


def command_duration_s(command: TowerCommand) -> float:
    """Tower seconds the move takes with an idle lift waiting at ground (the controller's own
    estimate once the command runs)."""
    if command.estimate_s:
        return float(command.estimate_s)
    config = tower_physics_config(command.tower)
    source, target = config.place(command.source_bay.code), config.place(command.target_bay.code)
    if source is None or target is None:
        return float(command.tower.lift_cycle_seconds)
    return total_s(job_phases(config, LiftPose(), source, target))


def retrieve_eta(*, ref: str) -> tuple[str, int] | None:
    """For the open retrieve asked for as ``ref``: the delivery bay the car is coming to and about
    how many wall-clock seconds remain; None when no retrieve of it is on its way.

    Running: the controller's estimate less the time since it started. Waiting: its own duration
    plus, per lift, the moves queued ahead of it. Divided by the tower's time scale (a demo runs
    faster than a real tower).
    """
    command = (
        TowerCommand.objects.filter(OPEN, ref=ref, kind=CommandKind.RETRIEVE)
        .select_related("tower", "source_bay", "target_bay")
        .order_by("-pk")
        .first()
    )
    if command is None:
        return None
    link = TowerLink.objects.filter(tower=command.tower).first()
    speed = link.speed if link and link.speed > 0 else 1.0
    own = command_duration_s(command)
    if command.status == CommandStatus.RUNNING and command.started_at:
        elapsed = (timezone.now() - command.started_at).total_seconds()
        return command.target_bay.code, max(1, round(own / speed - elapsed))
    ahead = TowerCommand.objects.filter(
        OPEN, tower=command.tower, pk__lt=command.pk, priority__gte=command.priority
    )
    queued = sum(
        command_duration_s(other) for other in ahead.select_related("tower", "source_bay", "target_bay")
    )
    return command.target_bay.code, max(1, round((own + queued / command.tower.lifts) / speed))


def towers_connected() -> list[Tower]:
    """The towers that have a controller (``TOWER_CONTROLLERS``), in a stable order."""
    return [tower for tower in Tower.objects.order_by("pk") if controller_url_for(tower.code)]


def retrieve_estimate_s(*, bay: Bay) -> int | None:
    """Wall-clock seconds the protocol's physics give to bring the car standing in ``bay`` to a
    delivery bay, with an idle lift at ground and nothing queued: the estimate before any retrieve
    is asked for. None when ``bay`` is not a storage bay of its tower's shape."""
    tower = bay.tower
    config = tower_physics_config(tower)
    source, target = config.place(bay.code), config.place(delivery_code(1))
    if source is None or target is None or bay.kind != BayKind.STORAGE:
        return None
    link = TowerLink.objects.filter(tower=tower).first()
    speed = link.speed if link and link.speed > 0 else 1.0
    return max(1, round(total_s(job_phases(config, LiftPose(), source, target)) / speed))
