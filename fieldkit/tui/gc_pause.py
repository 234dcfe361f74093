"""Python's cycle collector paused from the app's start until the catalog screen's first paint.

Importing Textual and building the first screen make about 106,000 objects, nearly all of them kept
for the whole session; before the first page was on screen the collector had run about 150 times
over them (one full collection among them), 57-93 ms of a 100,000-item catalog's first paint
(2026-12-03, load 2-5). Paused, reference counting still frees what it frees; only cycles wait.

The pause is bounded: it ends right after the catalog screen's first page is painted
(CatalogScreen.show_page), or MAX_PAUSE seconds after the app has mounted, or when the app stops,
whichever comes first. Then gc.freeze() moves every object made so far into a generation the
collector no longer scans (later full collections skip the app's start-up objects), and collection
resumes as before. What freeze keeps: the cycles already garbage at that moment (5,486 objects at
the first paint of a 100,000-item catalog), never freed.
"""

from __future__ import annotations

import gc

MAX_PAUSE = 5.0  # seconds after the app has mounted
_paused = False


def pause() -> None:
    """Stop the cycle collector until resume(); nothing happens if it is already stopped."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze the objects made so far and start the collector again, if pause() stopped it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
