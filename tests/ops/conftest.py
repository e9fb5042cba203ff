"""The test-drive fixtures (a store with one tower, two cars, a frozen clock), plus operators in
each role (the groups the data migration created)."""

import pytest
from django.contrib.auth.models import Group

from ops.roles import roles_sync
from testdrives.models import TestDrive
from testdrives.services.idcheck import idcheck_request
from testdrives.services.lifecycle import testdrive_check_in
from tests.factories import StaffFactory
from tests.fixtures.world import make_member
from tests.idcheck_support import id_pictures


def in_role(role: str, username: str):
    roles_sync()  # a transactional test before this one flushed the migration's groups
    user = StaffFactory(username=username, email=f"{username}@ops.example", is_superuser=False)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def operator(db):
    return in_role("operator", "olga")


@pytest.fixture
def operator2(db):
    return in_role("operator", "oscar")


@pytest.fixture
def manager(db):
    return in_role("manager", "mei")


@pytest.fixture
def auditor(db):
    return in_role("auditor", "august")


@pytest.fixture
def checked_in(book, kiosk) -> TestDrive:
    td = book(make_member(score=760, consent=False, full_name="Li Lei"))
    return testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)


@pytest.fixture
def waiting_check(checked_in, kiosk):
    return idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="no_consent")


@pytest.fixture(autouse=True)
def tasks_in_process(eager_tasks: None) -> None:
    """The console's actions queue tasks (the car sent for, alerts): run them in-process here."""
