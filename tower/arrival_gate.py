"""The arrival gate: our side holds a store or relocation back while customers who said they are
arriving have not checked in yet, so their retrieve finds a lift free. No Django: the tower
benchmark (``bench/tower_day.py``) runs the store's day through this same function.

Why a gate on our side: the store learns of a customer at the kiosk check-in, when the retrieve
is sent; a stow or relocation sent a moment earlier may already hold the lift the customer needs
(a move takes 40–70 s on sha-t1). A member who says "I'm at the store" from their phone gives
that warning; while they walk to the kiosk the background work waits.

A returned car is never held in its delivery bay longer than ``STOW_MAX_HOLD_S`` from when its
stow was asked: the next customer's car needs the bay. Relocations (pre-staging) have no such
bound: a late one is just not done.
"""

# Twice the towers' own hold of a background move behind customers (``reserve_max_hold_s``
# 90 s in towersim/configs): a returned car's stow waits at most this long for announced customers.
STOW_MAX_HOLD_S = 180.0


def background_admitted(
    *, is_stow: bool, idle_lifts: int, arrivals_expected: int, waited_s: float, own_car: bool = False
) -> bool:
    """May a store or relocation be sent now?

    ``idle_lifts``: lifts with no move of ours on them; ``arrivals_expected``: customers at this
    tower who announced their arrival and have not checked in (nor let it expire); ``waited_s``:
    how long this move has been asked for; ``own_car``: it moves the car of an expected customer
    (their pre-staging: held, it would keep their car from its retrieve at check-in, which waits
    while another command holds the car). It may go when, after it takes a lift, one lift is
    still free for each expected customer, when it is a stow that has waited its bound, or when
    it is for an expected customer's own car. With no customer expected the gate says yes: the
    store sends as it did without it.
    """
    if arrivals_expected <= 0 or own_car or (is_stow and waited_s >= STOW_MAX_HOLD_S):
        return True
    return idle_lifts - 1 >= arrivals_expected
