"""Escape's cancel of a running worker, as the Backup, Restore and Team screens share it: a cancel
asked for while nothing runs is no cancel, and once asked for, the worker's next step stops it."""

from __future__ import annotations

import pytest

from fieldkit.tui.progress import Cancel, cancellable


def test_escape_with_nothing_running_cancels_nothing():
    cancel = Cancel()
    assert cancel.request() is False  # the screen closes instead
    cancel.start()
    cancel.check()  # no InterruptedError: nothing was asked for


def test_a_cancel_asked_for_stops_the_next_step_and_a_new_start_forgets_it():
    cancel, seen = Cancel(), []
    progress = cancellable(lambda done, total: seen.append((done, total)), cancel)
    cancel.start()
    progress(1, 2)
    assert cancel.request() is True  # the screen stays open, saying it is cancelling
    with pytest.raises(InterruptedError):
        progress(2, 2)
    assert seen == [(1, 2)]  # the step that was stopped is not reported
    cancel.finished()
    assert cancel.request() is False
    cancel.start()
    progress(2, 2)
    assert seen == [(1, 2), (2, 2)]


def test_a_start_while_work_runs_is_refused_and_keeps_a_cancel_asked_for():
    """The screen arms the cancel in the app's thread before its worker starts, and refuses a second
    job while one runs: a second start must not forget an escape already pressed."""
    cancel = Cancel()
    assert cancel.start() is True
    assert cancel.request() is True
    assert cancel.start() is False
    with pytest.raises(InterruptedError):
        cancel.check()
    cancel.finished()
    assert cancel.start() is True
    cancel.check()
