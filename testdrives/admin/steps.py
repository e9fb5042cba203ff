"""The buttons on a booking's admin page: which states offer each, what it asks, what it calls.

Every step calls one service with the staff user as ``by``; the service locks the booking,
checks its state again and refuses with an ``ApplicationError`` when the click came too late.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members.admin_forms import ReasonForm
from testdrives.admin_forms import IdentityForm, InspectForm, ReturnForm
from testdrives.models import STAFF_CANCELLABLE, State, TestDrive
from testdrives.services.booking import testdrive_cancel
from testdrives.services.lifecycle import (
    testdrive_depart,
    testdrive_dispatch_retry,
    testdrive_identity_verified,
    testdrive_inspect,
    testdrive_return,
    testdrive_unlock,
)

Run = Callable[[TestDrive, User, dict[str, Any]], TestDrive]


@dataclass(frozen=True)
class Step:
    name: str
    label: str | Promise
    states: tuple[str, ...]
    run: Run
    form: type[forms.Form] | None = None

    def allowed_in(self, state: str) -> bool:
        return state in self.states


def _cancel(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_cancel(test_drive=td, by=by, as_staff=True, reason=data["reason"])


def _verify(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    note = f"driving licence and ID card seen: {data['note']}"
    return testdrive_identity_verified(test_drive=td, method="staff", by=by, note=note)


def _unlock(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_unlock(test_drive=td, by=by, reason=data["reason"])


def _retry(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_dispatch_retry(test_drive=td, by=by)


def _depart(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_depart(test_drive=td, by=by)


def _return(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_return(
        test_drive=td,
        odometer_km=data["odometer_km"],
        energy_pct=data["energy_pct"],
        damage=data["damage"],
        photos=data["photos"],
        by=by,
    )


def _inspect(td: TestDrive, by: User, data: dict[str, Any]) -> TestDrive:
    return testdrive_inspect(test_drive=td, by=by, notes=data["notes"])


STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        Step(
            "verify_identity",
            _("Verify identity by hand"),
            (State.CHECKED_IN, State.VERIFYING, State.LOCKED),
            _verify,
            IdentityForm,
        ),
        Step("unlock", _("Unlock for more face attempts"), (State.LOCKED,), _unlock, ReasonForm),
        Step("retry_dispatch", _("Ask the tower again"), (State.DISPATCH_FAILED,), _retry),
        Step("depart", _("Car has left the bay"), (State.READY,), _depart),
        Step("record_return", _("Record the return"), (State.ON_DRIVE, State.OVERDUE), _return, ReturnForm),
        Step("inspect", _("Inspected: complete"), (State.RETURNED,), _inspect, InspectForm),
        Step("cancel", _("Cancel the booking"), tuple(STAFF_CANCELLABLE), _cancel, ReasonForm),
    ]
}


def steps_for(test_drive: TestDrive) -> list[Step]:
    """The steps the booking's current state allows, in the order staff usually need them."""
    return [step for step in STEPS.values() if step.allowed_in(test_drive.state)]
