"""One call run in a background thread, its result or exception collected later.

The thread is a daemon: a caller that stops waiting (an error of its own, Ctrl-C) abandons it,
and the process exits without waiting for it (a server that never answers cannot hold it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic
from typing import TypeVar
from typing import cast

T = TypeVar("T")


class Background(Generic[T]):
    """`call()` started now, in a daemon thread; `result()` waits for it."""

    def __init__(self, call: Callable[[], T], *, name: str) -> None:
        self._call = call
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as error:  # handed to the waiting thread, which raises it
            self._error = error

    def result(self) -> T:
        """The call's value, or its exception raised here, unchanged. Ctrl-C interrupts the
        wait (a lock wait is interruptible on POSIX)."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return cast(T, self._value)
