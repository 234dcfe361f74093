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
    """The cancel of one thread worker at a time, whatever the timing of escape.

    In the app's thread, ``start()`` before the worker is launched (False, and nothing changes,
    while a job still runs: the screen refuses a second one), ``request()`` on escape (True when
    there is work to cancel: the screen stays open) and ``finished()`` once the worker's outcome is
    shown. In the worker, ``check()`` raises InterruptedError once a cancel is requested -- what
    stops an age child and removes what was written (fieldkit.team.crypt, fieldkit.catalog.backup).
    Armed in the worker instead, an escape pressed before the thread started found nothing running
    and closed the screen while the job went on behind it."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.running = False

    def start(self) -> bool:
        if self.running:
            return False
        self.requested.clear()
        self.running = True
        return True

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
