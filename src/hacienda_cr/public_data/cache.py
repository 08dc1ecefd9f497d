"""A small in-process cache whose entries expire, shared by the threads of one process.

Hacienda's public data changes slowly (a taxpayer's registration rarely, exchange rates
once a day) and its service blocks an address for ten minutes after a burst: asking once
and remembering is both faster and politer. Entries are keyed by the request; each has its
own lifetime, chosen by the caller for the kind of data.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MISSING = object()


class ExpiringCache:
    """``get``/``put`` with a time to live per entry; the oldest entries go beyond ``max_entries``."""

    def __init__(self, max_entries: int = 2048, clock=time.monotonic):
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[object, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value stored under ``key``, or ``MISSING`` when absent or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return MISSING
            expires, value = entry
            if self.clock() >= expires:
                del self._entries[key]
                return MISSING
            self._entries.move_to_end(key)
            return value

    def put(self, key, value, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self.clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
