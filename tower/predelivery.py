"""Pre-delivery: a booked car is brought to a delivery bay once its pickup window has opened,
before its member checks in, when the tower has nothing else to do. No Django: the tower
benchmark (``bench/tower_day.py``) runs the store's day through this same function.

Why: at the check-in the car is then already behind the bay's closed door (the member still
passes the face or ID check before the door opens), so the member waits for nothing and the
check-in asks no lift at all, which leaves the lifts to the customers whose car is not there.

What it costs: the car holds a delivery bay until its member comes (on average half a window),
and a bay holding a car for its member is not free for anyone else. So a car goes ahead only
while, after it has taken its bay, ``KEEP_FREE_BAYS`` more stay free for the next pickup or
returned car, and only ``CARS_WAITING_MAX`` cars at once wait for members who have not come. A
member who never comes has their car stowed back when the window lapses (the no-show sweep).
"""

# Delivery bays left free for everyone else once a pre-delivered car has taken its own.
KEEP_FREE_BAYS = 1
# Cars standing (or on their way) in delivery bays for members who have not checked in yet.
CARS_WAITING_MAX = 1


def predelivery_admitted(*, tower_idle: bool, free_delivery_bays: int, cars_waiting: int) -> bool:
    """May a booked car whose window is open be sent to a delivery bay now, ahead of its member?

    ``tower_idle``: no move of ours is open at this tower (as for pre-staging: the move takes a
    lift no customer is waiting for); ``free_delivery_bays``: delivery bays with no car, no car
    on its way and no returned car expected; ``cars_waiting``: pre-delivered cars whose member
    has not checked in yet.
    """
    return tower_idle and cars_waiting < CARS_WAITING_MAX and free_delivery_bays - 1 >= KEEP_FREE_BAYS
