"""The priorities our side gives its tower commands (the controller's ``priority`` queue takes
the highest first; see docs/TOWER_PROTOCOL.md). No Django: the tower benchmark
(``bench/tower_day.py``) sends its moves with the same numbers.

A customer waits on a retrieve (``CUSTOMER_PRIORITY`` and above: the tower keeps a lift back for
them); stows and pre-staging relocations can wait and go at ``BACKGROUND_PRIORITY``, except a
stow that frees the last delivery bay (``stow_priority``).
"""

BACKGROUND_PRIORITY = 0
RETRIEVE_PRIORITY = 5  # the tower configs' customer_priority
STAGED_RETRIEVE_PRIORITY = 6


def retrieve_priority(*, source_level: int, staging_levels: int) -> int:
    """A customer's retrieve; a car standing on a staging level (pre-staged) goes first.

    When two customers wait for one lift, serving the shorter move first gets the lift back
    sooner: a pre-staged car reaches its delivery bay in 41–48 s on sha-t1, a car from storage in
    51–67 s. At twice today's demand this takes the pre-staged customers' p95 down by up to 5 s
    (sha-t1, six days; docs/BENCHMARKS.md) at the cost of the customers whose car could not be
    staged, who wait longer when they queue; the mean wait over all customers is unchanged.
    """
    return STAGED_RETRIEVE_PRIORITY if 1 <= source_level <= staging_levels else RETRIEVE_PRIORITY


def stow_priority(*, free_delivery_bays: int) -> int:
    """A returned car's stow: background work while another delivery bay is free, else as urgent
    as a customer's retrieve (the tower may then give it the lift kept back for customers, and
    the arrival gate does not hold it).

    With every delivery bay holding a car, the next customer's car and the next returned car
    have nowhere to go until a stow takes one out; held behind the customer-first rule (up to
    the tower's 90 s hold) the returned car blocks the bay meanwhile. Modelled with the delivery
    bays' occupancy (``bench/tower_bays.py``), at twice today's demand on sha-t1 this takes the
    booked customers' pooled p95 from 50.7 to 43.5 s and the returned car's wait p95 from
    94–152 to 52–62 s with instant drive-in and drive-out, from 91.9 to 74.4 s (184–312 →
    101–158 s) with 30 s each; at today's demand it changes customers' p95 by under 1 s
    (docs/BENCHMARKS.md, "the delivery bays counted").
    """
    return BACKGROUND_PRIORITY if free_delivery_bays > 0 else RETRIEVE_PRIORITY
