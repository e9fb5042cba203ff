"""The arrival gate's rule (tower.arrival_gate): a store or relocation waits while it would leave
no lift for a customer who announced their arrival; a returned car's stow waits at most its bound."""

import subprocess
import sys
from pathlib import Path

from tower.arrival_gate import STOW_MAX_HOLD_S, background_admitted

ROOT = Path(__file__).resolve().parents[2]


def admitted(
    *, is_stow: bool = True, idle: int = 2, expected: int = 0, waited: float = 0.0, own_car: bool = False
) -> bool:
    return background_admitted(
        is_stow=is_stow, idle_lifts=idle, arrivals_expected=expected, waited_s=waited, own_car=own_car
    )


def test_with_no_customer_expected_every_move_goes_as_before() -> None:
    assert admitted(expected=0, idle=0)
    assert admitted(is_stow=False, expected=0, idle=1)


def test_a_move_goes_when_a_lift_is_left_for_each_expected_customer() -> None:
    assert admitted(expected=1, idle=2)
    assert admitted(is_stow=False, expected=2, idle=3)


def test_a_move_waits_when_it_would_take_the_lift_an_expected_customer_needs() -> None:
    assert not admitted(expected=1, idle=1)
    assert not admitted(is_stow=False, expected=2, idle=2)
    assert not admitted(expected=1, idle=0)


def test_a_returned_car_waits_in_its_bay_at_most_the_bound() -> None:
    assert not admitted(expected=1, idle=1, waited=STOW_MAX_HOLD_S - 1)
    assert admitted(expected=1, idle=1, waited=STOW_MAX_HOLD_S)


def test_a_relocation_has_no_bound_it_is_just_not_done_while_customers_come() -> None:
    assert not admitted(is_stow=False, expected=1, idle=1, waited=10 * STOW_MAX_HOLD_S)


def test_an_expected_customers_own_car_is_not_held_for_them() -> None:
    # Their retrieve at check-in waits while another command holds their car: holding their
    # pre-staging back would only make them wait for it after check-in.
    assert admitted(is_stow=False, expected=1, idle=1, own_car=True)


def test_the_rule_imports_no_django_so_the_benchmark_runs_it_as_the_store_does() -> None:
    script = "import sys, tower.arrival_gate; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
