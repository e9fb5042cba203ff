"""Every transition the state machine does not allow is refused, and the state cannot be set."""

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from testdrives.models import State, TestDrive

pytestmark = pytest.mark.django_db

# transition method → the states it may start from (DESIGN.md §3)
ALLOWED = {
    "check_in": {"scheduled"},
    "start_verification": {"checked_in"},
    "retry_verification": {"verifying"},
    "verify": {"checked_in", "verifying", "locked"},
    "lock": {"verifying"},
    "unlock": {"locked"},
    "dispatch": {"verified", "dispatch_failed"},
    "arrive": {"dispatching"},
    "fail_dispatch": {"dispatching"},
    "depart": {"ready"},
    "mark_overdue": {"on_drive"},
    "take_back": {"on_drive", "overdue"},
    "complete": {"returned"},
    # A reviewed return stays buyable for a while (issue 15): the service checks the period.
    "purchase": {"on_drive", "overdue", "returned", "completed"},
    "cancel": {
        "scheduled",
        "checked_in",
        "verifying",
        "verified",
        "dispatching",
        "ready",
        "locked",
        "dispatch_failed",
    },
    "miss": {"scheduled", "checked_in", "verifying", "ready"},
}


def in_state(td: TestDrive, state: str) -> TestDrive:
    TestDrive.objects.filter(pk=td.pk).update(state=state)
    return TestDrive.objects.get(pk=td.pk)


@pytest.mark.parametrize("transition", sorted(ALLOWED))
def test_every_transition_is_refused_from_every_state_it_does_not_start_from(book, super_member, transition):
    td = book(super_member)
    for state in State.values:
        td = in_state(td, state)
        method = getattr(td, transition)
        if state in ALLOWED[transition]:
            method()  # allowed: no error
        else:
            with pytest.raises(TransitionNotAllowed):
                method()


def test_the_state_cannot_be_assigned_directly(book, super_member):
    td = book(super_member)

    with pytest.raises(AttributeError):
        td.state = State.COMPLETED


def test_a_transition_over_a_state_changed_meanwhile_is_not_saved(book, super_member):
    td = book(super_member)
    stale = TestDrive.objects.get(pk=td.pk)
    in_state(td, State.CANCELLED)

    stale.check_in()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert TestDrive.objects.get(pk=td.pk).state == State.CANCELLED
