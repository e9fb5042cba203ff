"""The priorities our side gives its moves: a pre-staged car's retrieve goes ahead of another
customer's, both ahead of background work (tower.priorities)."""

from pathlib import Path

from tower.priorities import (
    BACKGROUND_PRIORITY,
    RETRIEVE_PRIORITY,
    STAGED_RETRIEVE_PRIORITY,
    retrieve_priority,
)
from towersim.config import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "towersim" / "configs"


def test_a_car_on_a_staging_level_goes_first() -> None:
    assert retrieve_priority(source_level=1, staging_levels=2) == STAGED_RETRIEVE_PRIORITY
    assert retrieve_priority(source_level=2, staging_levels=2) == STAGED_RETRIEVE_PRIORITY


def test_a_car_from_storage_goes_at_the_customer_priority() -> None:
    assert retrieve_priority(source_level=3, staging_levels=2) == RETRIEVE_PRIORITY


def test_without_staging_levels_every_retrieve_is_alike() -> None:
    assert retrieve_priority(source_level=1, staging_levels=0) == RETRIEVE_PRIORITY


def test_every_customer_priority_is_above_background_work_and_a_valid_command_priority() -> None:
    assert BACKGROUND_PRIORITY < RETRIEVE_PRIORITY < STAGED_RETRIEVE_PRIORITY <= 9


def test_the_demo_towers_count_every_retrieve_as_a_customer_and_keep_them_in_order() -> None:
    for path in sorted(CONFIGS.glob("*.json")):
        config = load_config(path)
        assert config.customer_priority <= RETRIEVE_PRIORITY, path.name
        assert config.queue == "priority", path.name  # a fifo queue would ignore the order
