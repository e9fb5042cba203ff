"""TOWER_DISPATCHER is checked once at start-up: a typo stops the store instead of doing nothing."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from testdrives.services.dispatch import dispatcher
from testdrives.services.dispatchers import ControllerDispatcher, InstantDispatcher
from tests.manage_process import run_manage


def test_it_refuses_to_start_with_an_unknown_dispatcher() -> None:
    result = run_manage(
        "check", env={"DJANGO_SETTINGS_MODULE": "vendingstore.settings.test", "TOWER_DISPATCHER": "controler"}
    )
    assert result.returncode != 0
    assert "TOWER_DISPATCHER must be one of instant, controller, not 'controler'" in result.stderr


def test_it_picks_the_dispatcher_the_setting_names(settings) -> None:
    settings.TOWER_DISPATCHER = "instant"
    assert isinstance(dispatcher(), InstantDispatcher)
    settings.TOWER_DISPATCHER = "controller"
    assert isinstance(dispatcher(), ControllerDispatcher)
    settings.TOWER_DISPATCHER = "manual"
    with pytest.raises(ImproperlyConfigured):
        dispatcher()
