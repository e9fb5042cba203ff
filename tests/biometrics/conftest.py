"""The photos and the engine come from tests/fixtures/faces.py, the booking world from
tests/fixtures/world.py (plugins: see tests/conftest.py); here, an enrolled member checked in for
a face pickup."""

import pytest

from biometrics.services import face_enrol
from testdrives.models import Kiosk, TestDrive
from testdrives.services.lifecycle import testdrive_check_in
from tests.fixtures.faces import photo
from tests.fixtures.world import TEN


@pytest.fixture(autouse=True)
def eager_tasks(eager_tasks: None) -> None:
    """The enrolment and pickup flow tests run queued tasks in-process, as a worker would."""


@pytest.fixture
def enrolled(super_member, engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        face_enrol(member=super_member, photo=photo("img16.jpg"))  # person D
    return super_member


@pytest.fixture
def check_in(book, store, staff, clock):
    """check_in(member): the member's booking, checked in at a kiosk at the start of its slot."""

    def _check_in(member) -> TestDrive:
        td = book(member)
        clock.move_to(TEN)
        kiosk = Kiosk.objects.create(store=store, name="k", token_hash="f" * 64, created_by=staff)
        return testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    return _check_in


@pytest.fixture
def checked_in(enrolled, check_in) -> TestDrive:
    return check_in(enrolled)
