"""Progress from thread workers, in batches: a callback that passes (done, total) on at most
every quarter second, and always the last step, so a long job never floods the message queue; and
escape's cancel of a running worker (Cancel), which the Backup, Restore and Team screens share."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PROGRESS_EVERY = 0.25  # seconds between progress messages from a worker


def throttled(report: Callable[[int, int], None], every: float = PROGRESS_EVERY) -> Callable[[int, int], None]:
    """Wrap `report` so that it is called at most every `every` seconds, and always when done == total."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if done == total or time.monotonic() - last >= every:
            last = time.monotonic()
            report(done, total)

    return progress


class Cancel:
    """The cancel of one thread worker at a time: ``start()`` as the work starts, ``request()`` from
    the app's thread (escape; True when there was work to cancel), ``finished()`` when it is over,
    and in the worker ``check()``, which raises InterruptedError once a cancel is requested -- what
    stops an age child and removes what was written (fieldkit.team.crypt, fieldkit.catalog.backup)."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.running = False

    def start(self) -> None:
        self.requested.clear()
        self.running = True

    def finished(self) -> None:
        self.running = False

    def request(self) -> bool:
        if not self.running:
            return False
        self.requested.set()
        return True

    def check(self) -> None:
        if self.requested.is_set():
            raise InterruptedError("cancelled")


def cancellable(report: Callable[[int, int], None], cancel: Cancel) -> Callable[[int, int], None]:
    """A worker's progress callback: ``cancel.check()`` at every step, then ``report`` throttled."""
    show = throttled(report)

    def progress(done: int, total: int) -> None:
        cancel.check()
        show(done, total)

    return progress
