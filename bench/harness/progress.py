"""A one-line progress bar on stderr, with no dependency. Entry point: ``Progress(total, label)``
then ``advance(note)`` per finished item and ``close()``. The line is redrawn at most every
``REDRAW_INTERVAL_S`` seconds so that a fast run does not spend its time printing.
"""

from __future__ import annotations

import sys
import time

REDRAW_INTERVAL_S = 0.5
BAR_WIDTH = 30


class Progress:
    def __init__(self, total: int, label: str, stream=sys.stderr):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self.last_draw = 0.0

    def advance(self, note: str = "") -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last_draw >= REDRAW_INTERVAL_S or self.done == self.total:
            self.draw(note, now)

    def draw(self, note: str, now: float) -> None:
        self.last_draw = now
        filled = int(BAR_WIDTH * self.done / self.total)
        elapsed = now - self.started
        remaining = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{self.done}/{self.total} {elapsed:5.0f}s elapsed, ~{remaining:5.0f}s left "
            f"{note[:40]:<40}"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
