"""vendingstore.beside: work in a thread of its own while the caller goes on."""

import threading
import time

import pytest

from vendingstore.beside import Beside

WAIT_S = 5.0  # far longer than any step here takes: reached only when something is wrong


def test_it_returns_the_value_of_the_work() -> None:
    with Beside(lambda a, b: a + b, 2, 3) as work:
        assert work.result() == 5


def test_it_runs_while_the_caller_goes_on() -> None:
    caller_went_on = threading.Event()

    def work() -> bool:
        return caller_went_on.wait(WAIT_S)  # True only when the caller got here first

    with Beside(work) as beside:
        caller_went_on.set()
        assert beside.result() is True


def test_it_raises_the_works_exception_in_the_callers_thread() -> None:
    failure = RuntimeError("the detector broke")

    def work() -> None:
        raise failure

    with Beside(work) as beside, pytest.raises(RuntimeError) as raised:
        beside.result()

    assert raised.value is failure


def test_leaving_the_block_waits_for_the_work_never_asked_for() -> None:
    release, finished = threading.Event(), threading.Event()

    def work() -> None:
        release.wait(WAIT_S)
        time.sleep(0.05)  # still working when the caller leaves the block
        finished.set()

    with Beside(work, name="unasked") as beside:
        release.set()
    assert finished.is_set()
    assert not beside._thread.is_alive()
    assert "unasked" not in {thread.name for thread in threading.enumerate()}


def test_an_exception_never_asked_for_is_dropped() -> None:
    def work() -> None:
        raise RuntimeError("speculative work that was not needed")

    with Beside(work):
        pass  # the caller decided without it: nothing raised


def test_the_callers_own_exception_still_waits_for_the_thread() -> None:
    release, finished = threading.Event(), threading.Event()

    def work() -> None:
        release.wait(WAIT_S)
        time.sleep(0.05)  # still working when the caller leaves the block
        finished.set()

    def caller() -> None:
        with Beside(work):
            release.set()
            raise ValueError("the caller failed")

    with pytest.raises(ValueError, match="caller"):
        caller()
    assert finished.is_set()
