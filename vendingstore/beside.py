"""Work run in a thread of its own while the caller goes on with other work.

For CPU work in native code that lets go of the GIL (dlib, OpenCV, onnxruntime): on a machine
with an idle core the two parts then take the longer one's time instead of their sum.
"""

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar, cast

T = TypeVar("T")


class Beside(Generic[T]):
    """``fn(*args)`` started in its own thread at once; use it as a context manager.

    ``result()`` waits for it and returns its value, or raises its exception in the caller's
    thread. Leaving the ``with`` block waits for the thread whether or not the result was asked
    for, so the thread never outlives the block; the exception of a result never asked for is
    dropped (speculative work whose answer turned out not to be needed).

    ``fn`` must not use the database: a thread has its own connection, outside the caller's
    transaction.
    """

    def __init__(self, fn: Callable[..., T], *args: object, name: str = "beside") -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), name=name, daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., T], args: tuple[object, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as error:  # handed over to the caller's thread by result()
            self._error = error

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)

    def __enter__(self) -> "Beside[T]":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._thread.join()
