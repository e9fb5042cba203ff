"""The priorities our side gives its tower commands (the controller's ``priority`` queue takes
the highest first; see docs/TOWER_PROTOCOL.md). No Django: the tower benchmark
(``bench/tower_day.py``) sends its moves with the same numbers.

A customer waits on a retrieve (``CUSTOMER_PRIORITY`` and above: the tower keeps a lift back for
them); stows and pre-staging relocations can wait and go at ``BACKGROUND_PRIORITY``.
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
