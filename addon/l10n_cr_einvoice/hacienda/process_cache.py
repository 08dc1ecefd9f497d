"""What a process keeps per (database, company) while its configuration stays the same.

An entry carries a fingerprint of the configuration it was made from: a changed configuration
makes the next use build a new one (and the old one is closed, when it holds connections)."""

import threading


class ProcessCache:
    def __init__(self, close=None):
        self._lock = threading.Lock()
        self._entries = {}
        self._close = close  # how to let go of a dropped entry (its connections), if it must be

    def get(self, dbname, company_id, fingerprint, build):
        """The entry of this company if ``fingerprint`` still matches, else ``build()``'s, kept."""
        slot = (dbname, company_id)
        with self._lock:
            cached = self._entries.get(slot)
        if cached and cached[0] == fingerprint:
            return cached[1]
        # Built outside the lock: a slow build (opening a .p12 takes ~60 ms) blocks no other company.
        new = build()
        with self._lock:
            current = self._entries.get(slot)
            if current and current[0] == fingerprint:
                dropped, new = new, current[1]  # another thread built the same meanwhile: one is kept
            else:
                dropped = current[1] if current else None
                self._entries[slot] = (fingerprint, new)
        if dropped is not None:
            self._let_go(dropped)
        return new

    def forget(self, dbname, company_id=None):
        """Drop the entries of a database (of one company of it)."""
        with self._lock:
            slots = [s for s in self._entries if s[0] == dbname and company_id in (None, s[1])]
            dropped = [self._entries.pop(s)[1] for s in slots]
        for value in dropped:
            self._let_go(value)

    def _let_go(self, value):
        if self._close:
            self._close(value)
