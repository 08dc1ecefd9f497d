"""Step-by-step progress with timings, in the format of scripts/lib/common.sh's `step`."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager


class StackError(Exception):
    """A failure to report to the user as one clear line (never a traceback)."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Steps:
    """Records each step's name, duration and whether it changed anything."""

    def __init__(self) -> None:
        self.records: list[tuple[str, float, bool]] = []
        self.started = time.monotonic()

    @contextmanager
    def step(self, name: str):
        log(f"==> {name}")
        t0 = time.monotonic()
        outcome = StepOutcome()
        try:
            yield outcome
        except BaseException:
            log(f"<== {name} FAILED after {time.monotonic() - t0:.1f} s")
            raise
        elapsed = time.monotonic() - t0
        self.records.append((name, elapsed, outcome.changed))
        note = f" ({outcome.note})" if outcome.note else ""
        log(f"<== {name} {'done' if outcome.changed else 'unchanged'} in {elapsed:.1f} s{note}")

    @property
    def changed(self) -> list[str]:
        return [name for name, _, changed in self.records if changed]

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class StepOutcome:
    def __init__(self) -> None:
        self.changed = False
        self.note = ""

    def did(self, note: str = "") -> None:
        """Mark the step as having changed something (and say what)."""
        self.changed = True
        if note:
            self.note = f"{self.note}; {note}" if self.note else note

    def noted(self, note: str) -> None:
        self.note = f"{self.note}; {note}" if self.note else note
