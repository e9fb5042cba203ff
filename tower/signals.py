"""What the tower link tells the rest of the store about the moves it was asked for.

The link knows vehicles, bays and the ``ref`` a caller gave with ``move_request`` (an opaque
string, e.g. a booking's); it knows nothing of what the move is for. Contract for receivers:

- Both signals are sent inside the transaction that records the outcome (the inbox's, or the
  sender's), with the command's row locked. A receiver's writes commit or roll back with it; a
  receiver that starts other work (tasks, new moves that must see this outcome) defers it with
  ``transaction.on_commit``.
- ``move_finishing(command)`` comes first, before the car's row is locked, so a receiver can take
  the locks its own services take before the car's (a booking's), and never deadlock with them.
- ``move_finished(command, outcome, reissue)``: ``outcome`` is ``completed`` (the car stands in
  ``command.target_bay``, our records updated) or ``unmoved`` (rejected, failed, aborted or given
  up: the car is still in ``command.source_bay``). ``reissue`` is True for an abort that says
  nothing about the move itself (a controller restart): whoever asked may simply ask again.
- ``bay_gate_closed(bay, occupied)``: the last person walked out of delivery ``bay`` and its gate
  closed, a car left inside (``occupied``) or not. Sent after the inbox's transaction commits
  (a receiver runs its own transactions; it takes no lock the inbox holds).
"""

from django.db.models import TextChoices
from django.dispatch import Signal


class MoveOutcome(TextChoices):
    COMPLETED = "completed"
    UNMOVED = "unmoved"


move_finishing = Signal()  # kwargs: command
move_finished = Signal()  # kwargs: command, outcome, reissue
bay_gate_closed = Signal()  # kwargs: bay, occupied
