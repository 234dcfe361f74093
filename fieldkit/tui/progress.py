"""Progress from thread workers, in batches: a callback that passes (done, total) on at most
every quarter second, and always the last step, so a long job never floods the message queue."""

from __future__ import annotations

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
